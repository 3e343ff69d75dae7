#!/usr/bin/env python3
"""One fake service for blastmap drills (Python 3 standard library only).

    python3 svc.py --name NAME --port PORT [--hard URL]... [--soft URL]...
                   [--any URL]... [--ttl SECONDS] [--timeout SECONDS]

Binds 127.0.0.1 only. GET /healthz checks every dependency URL (in parallel,
each with --timeout, default 0.5 s) and answers:

    200 "up"        X-Health: up        every requirement met
    200 "degraded"  X-Health: degraded  no requirement unmet, one impaired
    503 "down"      X-Health: down      a requirement unmet

A dependency answering 2xx is "up" unless its body is "degraded" or it sends
"X-Health: degraded"; anything else (non-2xx, refused, timeout) is "down".
Requirement outcomes follow blastmap's docs/semantics.md:

    --hard URL   one requirement: down -> unmet, degraded -> impaired
    --soft URL   like --hard, lowered one step: down -> impaired, degraded -> met
    --any URL    all --any URLs form ONE group with k = 1:
                 no member alive -> unmet, none up -> impaired, else met

So degradation travels up through hard requirements (web -> api(degraded)
makes web degraded) and stops at soft ones. The header X-Health-Detail lists
what each dependency answered, e.g. "hard:db=up soft:recs=down".

The process exits by itself after --ttl seconds (default 120).
"""

import argparse
import os
import socket
import sys
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MET, IMPAIRED, UNMET = 0, 1, 2


def probe(url, timeout):
    """Return 'up', 'degraded' or 'down' for one dependency URL."""
    req = urllib.request.Request(url, headers={"User-Agent": "drill-lab-svc"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            code = resp.status
            body = resp.read(256).decode("utf-8", "replace").strip()
            health = (resp.headers.get("X-Health") or "").strip().lower()
    except (urllib.error.URLError, OSError, ValueError):
        # HTTPError (non-2xx/3xx answers), refused, reset, timeout
        return "down"
    if not 200 <= code < 300:
        return "down"
    if body == "degraded" or health == "degraded":
        return "degraded"
    return "up"


class Service:
    def __init__(self, args):
        self.name = args.name
        self.hard = list(args.hard)
        self.soft = list(args.soft)
        self.any = list(args.any)
        self.timeout = args.timeout
        self.pool = ThreadPoolExecutor(max_workers=8)

    def health(self):
        """Return (state, detail) by blastmap's rules."""
        checks = [("hard", u) for u in self.hard]
        checks += [("soft", u) for u in self.soft]
        checks += [("any", u) for u in self.any]
        states = list(self.pool.map(lambda c: probe(c[1], self.timeout), checks))
        outcomes = []
        detail = []
        group = []
        for (kind, url), st in zip(checks, states):
            detail.append(f"{kind}:{url}={st}")
            if kind == "any":
                group.append(st)
                continue
            o = {"up": MET, "degraded": IMPAIRED, "down": UNMET}[st]
            if kind == "soft":
                o = max(MET, o - 1)
            outcomes.append(o)
        if group:
            alive = sum(1 for s in group if s != "down")
            healthy = sum(1 for s in group if s == "up")
            if alive < 1:
                outcomes.append(UNMET)
            elif healthy < 1:
                outcomes.append(IMPAIRED)
            else:
                outcomes.append(MET)
        worst = max(outcomes, default=MET)
        state = {MET: "up", IMPAIRED: "degraded", UNMET: "down"}[worst]
        return state, " ".join(detail)


def make_handler(service):
    class Handler(BaseHTTPRequestHandler):
        server_version = "drill-lab-svc"
        sys_version = ""

        def version_string(self):
            return self.server_version

        def log_message(self, fmt, *args):  # quiet
            pass

        def _send(self, code, body, headers=()):
            data = body.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Service", service.name)
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                state, detail = service.health()
                code = 503 if state == "down" else 200
                self._send(code, state, [("X-Health", state),
                                         ("X-Health-Detail", detail)])
            elif path == "/":
                self._send(200, service.name)
            else:
                self._send(404, "not found")

        do_HEAD = do_GET

    return Handler


class Server(ThreadingHTTPServer):
    allow_reuse_address = True  # SO_REUSEADDR
    daemon_threads = True
    address_family = socket.AF_INET


def main(argv=None):
    p = argparse.ArgumentParser(description="fake service for drills")
    p.add_argument("--name", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--hard", action="append", default=[], metavar="URL")
    p.add_argument("--soft", action="append", default=[], metavar="URL")
    p.add_argument("--any", action="append", default=[], metavar="URL",
                   help="member of the one any_of group (k=1)")
    p.add_argument("--ttl", type=float, default=120.0,
                   help="exit after this many seconds (default 120)")
    p.add_argument("--timeout", type=float, default=0.5,
                   help="per-dependency check timeout (default 0.5 s)")
    args = p.parse_args(argv)

    service = Service(args)
    httpd = Server(("127.0.0.1", args.port), make_handler(service))

    def expire():
        # hard exit: nothing may outlive a test
        os._exit(0)

    t = threading.Timer(args.ttl, expire)
    t.daemon = True
    t.start()
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
