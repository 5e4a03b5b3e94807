#!/usr/bin/env python3
"""Crash guard (issue 11): hostile HTTP requests to every route of a running Chorus server.

Every path of the contract (with ids that exist, do not exist or are not ids) and every web
page, with and without tokens and cookies, gets random and hostile methods, paths, queries,
headers, cookies and bodies (form-encoded, multipart, JSON, binary), with bad framing (wrong
Content-Length then a half-close, invalid chunk sizes, bare LF) and slow senders. Each request
goes over a raw socket, so nothing a client library would refuse to send is left out.

The server must answer each with a status below 500 (503 is allowed only while the database is
away, which it never is here) or close a connection whose framing it cannot read, and it must
stay up. A failure prints the request that caused it, as bytes. Standard library only.

Usage: crash_guard.py HOST PORT --admin TOKEN --liaison TOKEN [--requests N] [--seed S]
"""
import argparse
import collections
import os
import random
import re
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CONTRACT = os.path.join(HERE, "..", "Sources", "Server", "openapi.yaml")

WEB_ROUTES = [
    ("GET", "/"), ("GET", "/feedback"), ("POST", "/feedback"), ("GET", "/surveys/{id}"), ("POST", "/surveys/{id}"),
    ("GET", "/volunteer/{id}"), ("POST", "/volunteer/{id}"), ("GET", "/static/chorus.css"),
    ("GET", "/volunteer/signups/{id}"), ("POST", "/volunteer/signups/{id}"), ("GET", "/unsubscribe/{id}"), ("POST", "/unsubscribe/{id}"),
    ("GET", "/events/{id}"), ("POST", "/events/{id}"), ("GET", "/checkin/{id}"), ("POST", "/checkin/{id}"),
    ("GET", "/liaison/events/{id}/poster"),
    ("GET", "/volunteer/opportunities/{id}"), ("GET", "/volunteer/hours/{id}"), ("POST", "/volunteer/hours/{id}"),
    ("GET", "/console/hours"), ("POST", "/console/hours/{id}"),
    ("GET", "/console/invitations/{id}"), ("POST", "/console/invitations/{id}"), ("POST", "/console/invitations/{id}/remind"),
    ("GET", "/liaison/login"), ("POST", "/liaison/login"), ("POST", "/liaison/logout"), ("GET", "/liaison"),
    ("POST", "/liaison/events"), ("GET", "/liaison/events/{id}"), ("POST", "/liaison/events/{id}/headcount"),
    ("POST", "/liaison/events/{id}/checkin"), ("POST", "/liaison/events/{id}/sheet"), ("GET", "/dashboard"),
    ("GET", "/dashboard/initiatives/{id}"), ("GET", "/health"), ("GET", "/ready"), ("GET", "/metrics"),
    ("GET", "/openapi.yaml"),
    ("GET", "/console/login"), ("POST", "/console/login"), ("POST", "/console/logout"), ("GET", "/console"),
    ("GET", "/console/welcome/{id}"), ("POST", "/console/welcome/{id}"), ("GET", "/console/accounts"),
    ("POST", "/console/accounts"), ("POST", "/console/accounts/{id}/deactivate"), ("POST", "/console/accounts/{id}/link"),
    ("GET", "/console/audit"), ("GET", "/console/initiatives"), ("POST", "/console/initiatives"),
    ("GET", "/console/initiatives/{id}"), ("POST", "/console/initiatives/{id}"), ("GET", "/console/surveys"),
    ("POST", "/console/surveys"), ("GET", "/console/surveys/{id}"), ("POST", "/console/surveys/{id}"),
    ("GET", "/console/surveys/{id}/preview"), ("GET", "/console/surveys/{id}/results"), ("GET", "/console/surveys/{id}/export/{id}"),
    ("GET", "/console/messages"), ("POST", "/console/messages/texts"), ("POST", "/console/surveys/{id}/publish"), ("POST", "/console/surveys/{id}/close"),
    ("POST", "/console/surveys/{id}/duplicate"), ("GET", "/console/events"), ("POST", "/console/events"),
    ("GET", "/console/events/{id}"), ("POST", "/console/events/{id}"), ("POST", "/console/events/{id}/cancel"),
    ("POST", "/console/events/{id}/delete"), ("GET", "/console/me"), ("POST", "/console/me/two-factor"),
    ("POST", "/console/me/tokens"), ("POST", "/console/me/tokens/{id}/revoke"), ("GET", "/console/settings"),
    ("POST", "/console/settings"), ("GET", "/console/schools"), ("POST", "/console/schools"), ("POST", "/console/schools/import"),
    ("GET", "/console/opportunities"), ("POST", "/console/opportunities"), ("GET", "/console/goals"), ("POST", "/console/goals"), ("GET", "/console/goals/{id}"), ("POST", "/console/goals/{id}"), ("POST", "/console/goals/{id}/delete"), ("GET", "/console/opportunities/{id}"),
    ("POST", "/console/opportunities/{id}"), ("POST", "/console/opportunities/{id}/cancel"),
    ("POST", "/console/opportunities/{id}/shift-{id}"), ("POST", "/console/opportunities/{id}/shift-{id}-cancel"),
    ("GET", "/console/cases"), ("POST", "/console/cases/bulk"), ("GET", "/console/cases/{id}"), ("POST", "/console/cases/{id}/reply"),
    ("POST", "/console/cases/{id}/note"), ("POST", "/console/cases/{id}/assign"), ("POST", "/console/cases/{id}/status"),
    ("GET", "/console/routing"), ("POST", "/console/routing"), ("POST", "/console/routing/{id}/up"), ("POST", "/console/routing/{id}/member"),
    ("GET", "/console/initiatives/{id}/report"), ("POST", "/console/initiatives/{id}/report"),
    ("GET", "/initiatives/{id}"), ("GET", "/initiatives/{id}/updates.atom"),
]

HOSTILE_TEXT = [
    "", " ", "a b\"<>{}|", "%", "%zz", "%4", "%00", "%ff%fe", "%C3%28", "\x00", "\r\n", "\u202e", "😡" * 50,
    "<script>alert(1)</script>", "' OR '1'='1", "../../etc/passwd", "x" * 70_000, "-1", "0", "1e400",
    "99999999999999999999", "NaN", "null", "true", "[]", "{}", "2026-02-30T10:00:00Z", "2026-01-01T00:00:00+25:00",
    "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "families", "students", "headcount", "es", "en", "week",
]
IDS = ["1", "2", "3", "0", "-1", "999999999", "9007199254740993", "abc", "1.5", "%00", "1%20OR%201=1", "", "..", "1e3"]
QUERY_NAMES = ["limit", "cursor", "initiative_id", "school_id", "survey_id", "from", "to", "period", "lang", "group",
               "cluster", "kind", "status", "q", "%zz", "a[b]", "", "\xff"]
METHODS = ["GET", "GET", "GET", "POST", "POST", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
           "CONNECT", "FOO", "get", "GET / HTTP/1.1\r\nX:"]
CONTENT_TYPES = ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
                 "multipart/form-data; boundary=b", "multipart/form-data; boundary=", "multipart/form-data",
                 "application/json", "application/json; charset=latin1", "text/plain", "application/xml",
                 "application/problem+json", "*/*", "garbage", "a" * 300, None]
JSON_FIELDS = ["initiative_id", "school_id", "comment", "group", "language", "answers", "question_id", "number",
               "choices", "text", "contact", "email", "phone", "consent", "title", "slug", "kind", "starts_at",
               "ends_at", "count", "capacity", "status", "code", "name", "enrollment", "opens_at", "questions"]
FORM_FIELDS = ["csrf", "website", "comment", "group", "school_id", "initiative_id", "q1", "q2", "q3", "contact_email",
               "contact_phone", "contact_name", "consent", "token", "title", "kind", "starts_at", "count", "sheet",
               "lang", "shift_id", "count", "action", "version", "q0_id", "q0_kind", "q0_prompt_en", "q0_values",
               "q0_labels_es", "new_kind", "new_prompt", "opens_at", "closes_at", "title_en", "slug", "owner_account_id"]


def contract_routes():
    routes, current = [], None
    with open(CONTRACT, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if re.match(r"^  /\S*:$", line):
                current = "/api/v1" + line.strip()[:-1]
            elif current and re.match(r"^    (get|post|put|patch|delete):$", line):
                routes.append((line.strip()[:-1].upper(), current))
            elif line and not line.startswith(" "):
                current = None
    return routes


class Generator:
    def __init__(self, rng, admin, liaison, routes, visitor):
        self.rng, self.admin, self.liaison, self.routes = rng, admin, liaison, routes
        # A real visitor's form cookie and token, and a liaison's session: so hostile values also
        # get past the form guard to the domain and the database.
        self.nonce, self.csrf, self.session = visitor
        self.staff = None

    def text(self):
        r = self.rng.random()
        if r < 0.5:
            return self.rng.choice(HOSTILE_TEXT)
        if r < 0.8:
            return "".join(chr(self.rng.randrange(0x20, 0x7F)) for _ in range(self.rng.randrange(0, 40)))
        return bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(0, 40))).decode("latin1")

    def raw(self, text):
        return text.encode("utf-8", "surrogatepass") if self.rng.random() < 0.8 else text.encode("latin1", "replace")

    def path(self, template):
        path = re.sub(r"\{[^}]+\}", lambda _: self.rng.choice(IDS), template)
        r = self.rng.random()
        if r < 0.08:
            path += self.rng.choice(["/", "//", "/..", "/%2e%2e", "/x", ";jsessionid=1", "%", "%zz", "/\xff\xfe"])
        elif r < 0.10:
            path = "/" + "a/" * self.rng.randrange(100, 3000)
        elif r < 0.12:
            path = self.rng.choice(["*", "http://evil.example/", "", "//", "/\x00", "/%00", "/%ff"])
        if self.rng.random() < 0.6:
            pairs = []
            for _ in range(self.rng.randrange(1, 6)):
                name = self.rng.choice(QUERY_NAMES)
                value = self.rng.choice([self.text(), self.rng.choice(IDS), self.rng.choice(HOSTILE_TEXT[:30])])
                pairs.append(name + ("=" + value if self.rng.random() < 0.9 else ""))
            if self.rng.random() < 0.03:
                pairs = ["a=1"] * 3000
            path += "?" + "&".join(pairs)
        # Unencoded spaces and controls would end the request line: encode what HTTP cannot carry, keep the rest raw.
        return "".join(c if 0x21 <= ord(c) < 0x7F or ord(c) >= 0x80 else "%%%02X" % (ord(c) & 0xFF) for c in path)

    def form_body(self):
        fields = []
        for _ in range(self.rng.randrange(0, 12)):
            name = self.rng.choice(FORM_FIELDS) if self.rng.random() < 0.8 else self.text()
            fields.append(name + "=" + self.text())
        if self.csrf and self.rng.random() < 0.8:
            fields.insert(self.rng.randrange(len(fields) + 1), "csrf=" + self.csrf)
        body = "&".join(fields)
        return self.raw(body)

    def multipart_body(self, boundary="b"):
        parts = []
        for _ in range(self.rng.randrange(0, 5)):
            name = self.rng.choice(FORM_FIELDS + ["sheet_file"])
            disposition = self.rng.choice([
                f'form-data; name="{name}"', f'form-data; filename="a.csv"; name="{name}"', f"form-data; name={name}",
                'form-data; name="', "form-data", f'form-data; name="{name}"; filename="\\"', "",
            ])
            content = self.rng.choice(["group,count\r\nfamilies,3\r\n", self.text(), "--" + boundary, "\r\n\r\n", ""])
            parts.append(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n{content}\r\n")
        end = self.rng.choice([f"--{boundary}--\r\n", "", f"--{boundary}", "--", "\r\n"])
        return self.raw("".join(parts) + end)

    def json_body(self):
        def value(depth=0):
            r = self.rng.random()
            if depth > 3 or r < 0.4:
                return self.rng.choice(['1', '-1', '0', '1e400', '99999999999999999999', '1.5', 'true', 'null', '""',
                                        '"families"', '"2026-02-30T10:00:00Z"', '"' + self.text().replace("\\", "\\\\").replace('"', '\\"') + '"'])
            if r < 0.7:
                keys = self.rng.sample(JSON_FIELDS, self.rng.randrange(0, 6))
                return "{" + ",".join(f'"{k}":{value(depth + 1)}' for k in keys) + "}"
            return "[" + ",".join(value(depth + 1) for _ in range(self.rng.randrange(0, 4))) + "]"
        text = value()
        r = self.rng.random()
        if r < 0.05:
            text = "[" * 5000 + "]" * 5000
        elif r < 0.10:
            text = text[: self.rng.randrange(0, len(text) + 1)]
        return self.raw(text)

    def body(self, content_type):
        r = self.rng.random()
        if r < 0.1:
            return b""
        if r < 0.15:
            return bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(1, 2000)))
        if r < 0.17:
            return b"a" * self.rng.choice([65_537, 1 << 20])
        ct = (content_type or "").lower()
        if ct.startswith("multipart"):
            return self.multipart_body()
        if "json" in ct:
            return self.json_body()
        return self.form_body()

    def request(self):
        method, template = self.rng.choice(self.routes)
        if self.rng.random() < 0.25:
            method = self.rng.choice(METHODS)
        path = self.path(template)
        headers = [("Host", "127.0.0.1")]
        content_type = self.rng.choice(CONTENT_TYPES) if method not in ("GET", "HEAD") or self.rng.random() < 0.1 else None
        if method == "POST" and not template.startswith("/api") and self.rng.random() < 0.6:
            content_type = "application/x-www-form-urlencoded"  # what browsers send the pages
        elif method in ("POST", "PATCH", "PUT") and template.startswith("/api") and self.rng.random() < 0.5:
            content_type = "application/json"
        if content_type:
            headers.append(("Content-Type", content_type))
        auth = self.rng.random()
        if auth < 0.3:
            headers.append(("Authorization", "Bearer " + self.admin))
        elif auth < 0.5:
            headers.append(("Authorization", "Bearer " + self.liaison))
        elif auth < 0.6:
            headers.append(("Authorization", self.rng.choice(["Bearer", "Bearer ", "Basic YTpi", "Bearer " + "A" * 5000, "Bearer \xff"])))
        cookie = self.rng.random()
        web_post = method == "POST" and not template.startswith("/api")
        if (cookie < 0.35 or (web_post and cookie < 0.8)) and self.nonce:
            session = "; chorus_session=" + self.session if self.session and self.rng.random() < 0.5 else ""
            if self.staff and self.rng.random() < 0.5:
                session += "; chorus_staff=" + self.staff
            headers.append(("Cookie", "chorus_form=" + self.nonce + session))
        elif cookie < 0.25:
            headers.append(("Cookie", "chorus_form=" + "%032x" % self.rng.getrandbits(128)))
        elif cookie < 0.4:
            headers.append(("Cookie", self.rng.choice(["chorus_session=1.9999999999.abc", "chorus_session=" + self.text(),
                                                         "=;;;=", "a" * 9000, "chorus_form=\xff\xfe; chorus_form=x"])))
        for name, values in [("Accept-Language", ["es", "es-MX,en;q=0.5", "*;q=abc", ";;;", "x" * 2000, "es;q=1e999"]),
                             ("Origin", ["http://127.0.0.1", "http://evil.example", "null", "%%%", "http://[::1"]),
                             ("Idempotency-Key", ["k1", "", "k" * 300, "\xff"]), ("If-None-Match", ['"x"', "*", "e" * 300]),
                             ("X-Forwarded-For", ["1.2.3.4", "::1, 10.0.0.1", "garbage", "1.1.1.1," * 200]),
                             ("X-Forwarded-Proto", ["https", "gopher"]), ("Accept", ["text/html", "application/json", "*/*;q=x"])]:
            if self.rng.random() < 0.15:
                headers.append((name, self.rng.choice(values)))
        r = self.rng.random()
        if r < 0.02:
            headers += [("X-Many-%d" % i, "v") for i in range(self.rng.randrange(90, 200))]
        elif r < 0.04:
            headers.append(("X-Huge", "h" * self.rng.choice([20_000, 70_000])))
        elif r < 0.05:
            headers.append(("Bad Header", "x"))
        body = self.body(content_type) if method not in ("GET", "HEAD") or self.rng.random() < 0.05 else b""
        framing = self.rng.choices(["length", "chunked", "long-length", "short-length", "bad-length", "bad-chunk",
                                    "bare-lf", "slow", "none"], weights=[60, 8, 5, 4, 4, 5, 3, 3, 8])[0]
        return method, path, headers, body, framing


def encode(method, path, headers, body, framing):
    head = f"{method} {path} HTTP/1.1\r\n".encode("utf-8", "surrogatepass")
    lines = [f"{n}: {v}".encode("utf-8", "surrogatepass") for n, v in headers]
    payload = body
    if framing in ("length", "slow"):
        lines.append(b"Content-Length: %d" % len(body))
    elif framing == "long-length":
        lines.append(b"Content-Length: %d" % (len(body) + 1000))
    elif framing == "short-length":
        lines.append(b"Content-Length: %d" % max(0, len(body) // 2))
    elif framing == "bad-length":
        lines.append(random.choice([b"Content-Length: -5", b"Content-Length: abc", b"Content-Length: 99999999999999999999",
                                    b"Content-Length: 5\r\nContent-Length: 6", b"Content-Length: 1e3"]))
    elif framing == "chunked":
        lines.append(b"Transfer-Encoding: chunked")
        payload = (b"%x\r\n" % len(body) + body + b"\r\n" if body else b"") + b"0\r\n\r\n"
    elif framing == "bad-chunk":
        lines.append(b"Transfer-Encoding: chunked")
        payload = random.choice([b"zz\r\n", b"-1\r\n", b"fffffffffffffffffff\r\n", b"5\r\nab\r\n", b"3;\xff\r\nabc\r\n"]) + body[:100]
    separator = b"\n" if framing == "bare-lf" else b"\r\n"
    return head + separator.join(lines) + separator + separator + payload


def send(host, port, data, framing, timeout=10.0):
    """Returns (status or None, seconds). None: the server closed without an answer."""
    started = time.monotonic()
    with socket.create_connection((host, port), timeout=timeout) as s:
        try:
            if framing == "slow":
                for i in range(0, len(data), max(1, len(data) // 8)):
                    s.sendall(data[i:i + max(1, len(data) // 8)])
                    time.sleep(0.02)
            else:
                s.sendall(data)
            if framing in ("long-length", "bad-chunk"):
                s.shutdown(socket.SHUT_WR)  # the half-close: the body will never come
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused the rest (413, a bad head): read what it said
        reply = b""
        try:
            while b"\r\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
        except ConnectionResetError:
            pass
    elapsed = time.monotonic() - started
    match = re.match(rb"HTTP/1\.[01] (\d{3})", reply)
    return (int(match.group(1)) if match else None), elapsed


def alive(host, port):
    try:
        status, _ = send(host, port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n", "none", timeout=5)
        return status == 200
    except OSError:
        return False


def fetch(host, port, request):
    """One request on its own connection; the whole reply as text."""
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(request)
        reply = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    return reply.decode("utf-8", "replace")


def visit(host, port, liaison):
    """A visitor's form cookie and token (after the minimum fill time) and a liaison session."""
    exchange = lambda request: fetch(host, port, request)
    page = exchange(b"GET /feedback HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    nonce = re.search(r"chorus_form=([0-9a-f]{32})", page)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    if not (nonce and csrf):
        return None, None, None
    time.sleep(3.2)
    body = f"csrf={csrf.group(1)}&token={liaison}".encode()
    reply = exchange(b"POST /liaison/login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: chorus_form=" +
                     nonce.group(1).encode() + b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                     str(len(body)).encode() + b"\r\n\r\n" + body)
    session = re.search(r"chorus_session=([^;\s]+)", reply)
    return nonce.group(1), csrf.group(1), session.group(1) if session else None


def staff_session(host, port, link):
    """The first administrator's console session, from the one-time link: so the console's
    builders (not only their sign-in redirect) meet hostile input."""
    path = "/" + link.split("/", 3)[3]
    exchange = lambda request: fetch(host, port, request)
    page = exchange(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    nonce = re.search(r"chorus_form=([0-9a-f]{32})", page)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    if not (nonce and csrf):
        return None
    body = f"csrf={csrf.group(1)}&password=crash-guard-passphrase&confirm=crash-guard-passphrase".encode()
    reply = exchange(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: chorus_form={nonce.group(1)}\r\n"
                     f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
    session = re.search(r"chorus_staff=([^;\s]+)", reply)
    return session.group(1) if session else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--admin", required=True)
    parser.add_argument("--liaison", required=True)
    parser.add_argument("--staff-link", default="", help="the first administrator's one-time link")
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("CRASH_GUARD_SEED", "20261201")))
    parser.add_argument("--seconds", type=float, default=600, help="stop after this long, whatever the count")
    args = parser.parse_args()
    random.seed(args.seed)
    # Form posts count twice: their parsers and the domain behind them are the least exercised.
    routes = contract_routes() + WEB_ROUTES + [r for r in WEB_ROUTES if r[0] == "POST"]
    visitor = visit(args.host, args.port, args.liaison)
    if not all(visitor):
        print("FAIL: could not get a form token and a liaison session to start from", file=sys.stderr)
        return 1
    generator = Generator(random.Random(args.seed), args.admin, args.liaison, routes, visitor)
    if args.staff_link:
        generator.staff = staff_session(args.host, args.port, args.staff_link)
        if not generator.staff:
            print("FAIL: could not sign in to the console with the first administrator's link", file=sys.stderr)
            return 1
    statuses, closed = collections.Counter(), 0
    longest, longest_request = 0.0, ""
    started = time.monotonic()
    sent = 0
    for sent in range(1, args.requests + 1):
        method, path, headers, body, framing = generator.request()
        data = encode(method, path, headers, body, framing)
        try:
            status, elapsed = send(args.host, args.port, data, framing)
        except OSError as error:
            status, elapsed = None, 0.0
            if not alive(args.host, args.port):
                print(f"FAIL: the server is down after request {sent} ({error}):\n{data[:2000]!r}", file=sys.stderr)
                return 1
        statuses[status if status is not None else "closed"] += 1
        if status is None:
            closed += 1
        if elapsed > longest:
            longest, longest_request = elapsed, f"{method} {path[:80]} ({framing})"
        if status is not None and status >= 500:
            print(f"FAIL: {status} for request {sent}:\n{data[:2000]!r}", file=sys.stderr)
            return 1
        if status is None and framing in ("length", "chunked", "none") and not any(n == "Bad Header" for n, _ in headers) \
                and not alive(args.host, args.port):
            print(f"FAIL: the server is down after request {sent}:\n{data[:2000]!r}", file=sys.stderr)
            return 1
        if sent % 500 == 0 and not alive(args.host, args.port):
            print(f"FAIL: the server stopped answering by request {sent}", file=sys.stderr)
            return 1
        if time.monotonic() - started > args.seconds:
            break
    if not alive(args.host, args.port):
        print("FAIL: the server is down at the end", file=sys.stderr)
        return 1
    seconds = time.monotonic() - started
    print(f"crash guard: {sent} requests over {len(routes)} routes in {seconds:.1f} s, none answered 5xx, server up")
    print("  statuses: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))))
    print(f"  closed without an answer (unreadable framing): {closed}")
    print(f"  longest answer: {longest * 1000:.0f} ms ({longest_request})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
