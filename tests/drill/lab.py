#!/usr/bin/env python3
"""Start and stop a small system of svc.py processes on 127.0.0.1.

    python3 lab.py start   DIR --base-port N [--wrong] [--ttl S] [--timeout S]
    python3 lab.py stop    DIR NAME      # drill injection: kill one service
    python3 lab.py restore DIR NAME      # restart it with the same args
    python3 lab.py status  DIR           # one line per service
    python3 lab.py down    DIR           # kill all, remove pid files

The inventory a test declares for it (tests/it/drill.rs):

    web      -> api                     (hard)
    api      -> db                      (hard)
             -> recs                    (soft)
             -> any_of[cache-a, cache-b]
    db, recs, cache-a, cache-b          (leaves)

--wrong starts a system that differs from that inventory in one edge:
api needs recs HARD. Failing recs then takes api and web down, where the
inventory predicts api and web degraded.

Ports: web N, api N+1, db N+2, recs N+3, cache-a N+4, cache-b N+5.
DIR gets lab.json (ports, urls, argv of each service), NAME.pid, NAME.log.
Every command prints what it did and exits 0 on success, 1 on failure.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SVC = os.path.join(HERE, "svc.py")

# name -> (port offset, [(kind, dependency name)])
TOPOLOGY = {
    "web": (0, [("hard", "api")]),
    "api": (1, [("hard", "db"), ("soft", "recs"),
                ("any", "cache-a"), ("any", "cache-b")]),
    "db": (2, []),
    "recs": (3, []),
    "cache-a": (4, []),
    "cache-b": (5, []),
}
# the one edge where reality differs from the declared inventory
WRONG = {"api": [("hard", "db"), ("hard", "recs"),
                 ("any", "cache-a"), ("any", "cache-b")]}
ORDER = ["db", "recs", "cache-a", "cache-b", "api", "web"]  # leaves first


def url_of(port):
    return f"http://127.0.0.1:{port}/healthz"


def health(url, timeout=1.0):
    """(code, body) of GET url, or (None, error) when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read(64).decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read(64).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as e:
        return None, str(getattr(e, "reason", e))


def port_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # like the services: TIME_WAIT leftovers must not count, a listener must
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def pid_path(d, name):
    return os.path.join(d, f"{name}.pid")


def read_pid(d, name):
    try:
        with open(pid_path(d, name)) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def is_our_process(pid, name):
    """True if pid is alive (not a zombie) and is svc.py --name NAME."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        if state in ("Z", "X"):
            return False
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return False
    argv = [a.decode("utf-8", "replace") for a in argv]
    if not any(a.endswith("svc.py") for a in argv):
        return False
    return any(argv[i] == "--name" and argv[i + 1] == name
               for i in range(len(argv) - 1))


def load_lab(d):
    try:
        with open(os.path.join(d, "lab.json")) as f:
            return json.load(f)
    except OSError:
        sys.exit(f"lab.py: no lab.json in {d} (run `lab.py start` first)")


def spawn(d, name, argv):
    log = open(os.path.join(d, f"{name}.log"), "ab")
    # stdin/stdout/stderr must not be inherited pipes: `chaos run` waits for
    # the pipes of a process action to close, so a child holding them would
    # block the action until the child's --ttl expires.
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                         stderr=log, cwd=d, start_new_session=True,
                         close_fds=True)
    log.close()
    with open(pid_path(d, name), "w") as f:
        f.write(f"{p.pid}\n")
    return p.pid


def wait_answer(url, until, want_body=None, deadline=10.0):
    """Wait until url answers HTTP at all (or with body want_body)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        code, body = health(url, timeout=1.0)
        if code is not None and (want_body is None or body == want_body):
            return code, body
        time.sleep(0.05)
    return None, f"no answer from {url} within {deadline}s ({until})"


def kill(d, name, port):
    pid = read_pid(d, name)
    msg = f"{name}: not running"
    if pid is not None and is_our_process(pid, name):
        os.kill(pid, signal.SIGTERM)
        end = time.monotonic() + 3.0
        while is_our_process(pid, name) and time.monotonic() < end:
            time.sleep(0.02)
        if is_our_process(pid, name):
            os.kill(pid, signal.SIGKILL)
            while is_our_process(pid, name):
                time.sleep(0.02)
        msg = f"{name}: stopped pid {pid}"
    try:
        os.remove(pid_path(d, name))
    except OSError:
        pass
    # make sure nothing answers on its port any more
    end = time.monotonic() + 3.0
    while time.monotonic() < end and health(url_of(port), 0.3)[0] is not None:
        time.sleep(0.02)
    return msg


def cmd_start(a):
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    for name in TOPOLOGY:
        pid = read_pid(d, name)
        if pid is not None and is_our_process(pid, name):
            sys.exit(f"lab.py: {name} already running (pid {pid}) in {d}; "
                     f"run `lab.py down {a.dir}` first")
    ports = {n: a.base_port + off for n, (off, _) in TOPOLOGY.items()}
    busy = [f"{n}:{p}" for n, p in ports.items() if not port_free(p)]
    if busy:
        sys.exit(f"lab.py: ports in use: {', '.join(busy)}")
    services = {}
    for name, (off, deps) in TOPOLOGY.items():
        if a.wrong and name in WRONG:
            deps = WRONG[name]
        argv = [sys.executable, SVC, "--name", name, "--port", str(ports[name]),
                "--ttl", str(a.ttl), "--timeout", str(a.timeout)]
        for kind, dep in deps:
            argv += [f"--{kind}", url_of(ports[dep])]
        services[name] = {"port": ports[name], "url": url_of(ports[name]),
                          "deps": [[k, n] for k, n in deps], "argv": argv}
    lab = {"variant": "wrong" if a.wrong else "ok", "base_port": a.base_port,
           "ttl": a.ttl, "started": time.time(), "services": services}
    with open(os.path.join(d, "lab.json"), "w") as f:
        json.dump(lab, f, indent=2)
    for name in ORDER:
        spawn(d, name, services[name]["argv"])
    # every service answers, then the entrypoint says "up"
    for name in ORDER:
        code, body = wait_answer(services[name]["url"], "start")
        if code is None:
            print(body, file=sys.stderr)
            cmd_down(a)
            return 1
    code, body = wait_answer(services["web"]["url"], "start", want_body="up")
    if code is None:
        print(body, file=sys.stderr)
        cmd_down(a)
        return 1
    print(f"lab {lab['variant']} started in {d}, ttl {a.ttl}s")
    return cmd_status(a)


def cmd_stop(a):
    d = os.path.abspath(a.dir)
    lab = load_lab(d)
    if a.name not in lab["services"]:
        sys.exit(f"lab.py: unknown service {a.name}")
    print(kill(d, a.name, lab["services"][a.name]["port"]))
    return 0


def cmd_restore(a):
    d = os.path.abspath(a.dir)
    lab = load_lab(d)
    svc = lab["services"].get(a.name)
    if svc is None:
        sys.exit(f"lab.py: unknown service {a.name}")
    pid = read_pid(d, a.name)
    if pid is not None and is_our_process(pid, a.name):
        print(f"{a.name}: already running pid {pid}")
        return 0
    if not port_free(svc["port"]):
        # e.g. a listener still closing; wait a little
        end = time.monotonic() + 3.0
        while not port_free(svc["port"]) and time.monotonic() < end:
            time.sleep(0.05)
    pid = spawn(d, a.name, svc["argv"])
    code, body = wait_answer(svc["url"], "restore")
    if code is None:
        print(body, file=sys.stderr)
        return 1
    print(f"{a.name}: restored pid {pid}, answers {code} {body}")
    return 0


def cmd_status(a):
    d = os.path.abspath(a.dir)
    lab = load_lab(d)
    for name in TOPOLOGY:
        svc = lab["services"][name]
        pid = read_pid(d, name)
        alive = pid is not None and is_our_process(pid, name)
        code, body = health(svc["url"])
        print(f"{name:8} port {svc['port']}  pid {pid if alive else '-':>7}  "
              f"{code if code is not None else '---'} {body}")
    return 0


def cmd_down(a):
    d = os.path.abspath(a.dir)
    lab = load_lab(d)
    for name in TOPOLOGY:
        print(kill(d, name, lab["services"][name]["port"]))
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("start")
    s.add_argument("dir")
    s.add_argument("--base-port", type=int, required=True)
    s.add_argument("--wrong", action="store_true",
                   help="api needs recs hard (inventory says soft)")
    s.add_argument("--ttl", type=float, default=120.0,
                   help="each service exits after this many seconds")
    s.add_argument("--timeout", type=float, default=0.5,
                   help="per-dependency health check timeout")
    for c in ("stop", "restore"):
        s = sub.add_parser(c)
        s.add_argument("dir")
        s.add_argument("name")
    for c in ("status", "down"):
        s = sub.add_parser(c)
        s.add_argument("dir")
    a = p.parse_args(argv)
    return {"start": cmd_start, "stop": cmd_stop, "restore": cmd_restore,
            "status": cmd_status, "down": cmd_down}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
