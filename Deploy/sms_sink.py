#!/usr/bin/env python3
"""A text message gateway on loopback for the tests (Python's http.server): every POST it accepts
is written to DIR/NNNNNN.json as {"headers": {...}, "body": "..."}. A number ending in 0000 is
refused for good (400), one ending in 9999 for now (503); the rest are accepted (202). Prints
`listening on PORT` when ready; runs until killed.

Usage: sms_sink.py DIR [--port 0]
"""
import argparse
import itertools
import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counter = itertools.count(1)
lock = threading.Lock()


class Gateway(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        try:
            to = json.loads(body).get("to", "")
        except ValueError:
            to = ""
        digits = "".join(c for c in to if c.isdigit())
        status = 400 if digits.endswith("0000") else 503 if digits.endswith("9999") else 202
        if status == 202:
            with lock:
                n = next(counter)
            path = os.path.join(self.server.directory, f"{n:06d}")
            with open(path + ".tmp", "w") as f:
                json.dump({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}, f)
            os.rename(path + ".tmp", path + ".json")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    # A parent that blocked signals (Foundation's Process does) would leave SIGTERM pending forever.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.directory, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Gateway)
    server.directory = args.directory
    print(f"listening on {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
