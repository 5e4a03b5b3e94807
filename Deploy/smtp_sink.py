#!/usr/bin/env python3
"""A real SMTP server on loopback for the tests (aiosmtpd, from PyPI): every message it accepts
is written to DIR/NNNNNN.eml, envelope recipients in DIR/NNNNNN.rcpt. A recipient whose local
part is `bounce` is refused for good (550), one named `later` for now (451). Prints
`listening on PORT` when ready; runs until killed.

Usage: smtp_sink.py DIR [--port 0] [--delay-ms 0]
"""
import argparse
import asyncio
import itertools
import os
import signal

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory, delay):
        self.directory = directory
        self.delay = delay
        self.counter = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, options):
        local = address.split("@")[0].lower()
        if local == "bounce":
            return "550 5.1.1 no such mailbox"
        if local == "later":
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay / 1000)
        n = next(self.counter)
        base = os.path.join(self.directory, f"{n:06d}")
        with open(base + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".rcpt", "w") as f:
            f.write("\n".join(envelope.rcpt_tos))
        os.rename(base + ".tmp", base + ".eml")
        return "250 Message accepted"


async def serve(args):
    loop = asyncio.get_running_loop()
    handler = Sink(args.directory, args.delay_ms)
    server = await loop.create_server(lambda: SMTP(handler, hostname="chorus-test-sink"), "127.0.0.1", args.port)
    print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


def main():
    # A parent that blocked signals (Foundation's Process does) would leave SIGTERM pending forever.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-ms", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.directory, exist_ok=True)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
