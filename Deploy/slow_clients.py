#!/usr/bin/env python3
"""Slow and abusive clients (issue 11, A4): 200 idle connections, a client that sends its request
head one byte a second and one that sends its body one byte a second must not delay a normal
request by more than 100 ms, and the server must close all of them once its idle (head) and
request (body) timeouts pass. Standard library only.

Usage: slow_clients.py HOST PORT --idle-timeout SECONDS [--request-timeout SECONDS]
"""
import argparse
import socket
import statistics
import sys
import threading
import time


def timed_get(host, port):
    started = time.monotonic()
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 200"), reply[:100]
    return (time.monotonic() - started) * 1000


def trickle(s, data, stop, closed_at, key):
    """Sends `data` on `s` one byte a second until the server closes the connection or `stop`."""
    started = time.monotonic()
    try:
        for byte in data:
            if stop.is_set():
                return
            s.sendall(bytes([byte]))
            if stop.wait(1.0):
                return
    except OSError:
        closed_at[key] = time.monotonic() - started


def closed_by_server(s):
    s.settimeout(0.5)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except OSError:
        return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--idle-timeout", type=float, required=True)
    parser.add_argument("--request-timeout", type=float, default=5)
    parser.add_argument("--idle", type=int, default=200)
    args = parser.parse_args()
    host, port = args.host, args.port

    timed_get(host, port)  # warm up
    baseline = [timed_get(host, port) for _ in range(30)]

    idle = [socket.create_connection((host, port), timeout=5) for _ in range(args.idle)]
    stop, closed_at = threading.Event(), {}
    head = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 200 + b"\r\n\r\n"
    body = b"POST /feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\n"
    slow_head = socket.create_connection((host, port), timeout=60)
    slow_body = socket.create_connection((host, port), timeout=60)
    slow_body.sendall(body)
    threads = [threading.Thread(target=trickle, args=(slow_head, head, stop, closed_at, "head"), daemon=True),
               threading.Thread(target=trickle, args=(slow_body, b"comment=" + b"x" * 492, stop, closed_at, "body"), daemon=True)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    during = [timed_get(host, port) for _ in range(30)]

    base_p50, during_p50, during_p95 = statistics.median(baseline), statistics.median(during), sorted(during)[28]
    delay = during_p95 - base_p50
    print(f"slow clients: a normal GET /health p50 {base_p50:.1f} ms alone; with {args.idle} idle connections and "
          f"two one-byte-a-second clients p50 {during_p50:.1f} ms, p95 {during_p95:.1f} ms (delay {delay:.1f} ms, limit 100)")
    failed = delay > 100

    # Past the idle timeout the server must have closed the idle and trickling connections.
    time.sleep(max(args.idle_timeout, args.request_timeout) + 1.5)
    still_open = sum(not closed_by_server(s) for s in idle)
    print(f"  after {max(args.idle_timeout, args.request_timeout) + 1.5:.1f} s: {args.idle - still_open} of {args.idle} "
          f"idle connections closed by the server; head trickler closed after "
          f"{closed_at.get('head', float('nan')):.1f} s, body trickler after {closed_at.get('body', float('nan')):.1f} s")
    stop.set()
    for s in idle + [slow_head, slow_body]:
        s.close()
    if still_open or "head" not in closed_at or "body" not in closed_at:
        failed = True
    timed_get(host, port)
    if failed:
        print("FAIL: slow clients held the server", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
