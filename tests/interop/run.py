"""Interop runner: our echo peers against Python `websockets` and node `ws`.

    run.py --examples DIR      our echo_client / echo_server from DIR (cargo's
                               target/release/examples)
    run.py --standin           Python stand-ins instead (checks the harness)
    options: --skip-node, --skip-hostile, --group {server,client,hostile,deflate}

Their clients drive our echo_server over ws:// and wss://; their servers
drive our echo_client, one connection per case; hostile.py plays a broken
peer against both. The deflate group repeats the exchange with
permessage-deflate (RFC 7692) on at both ends. Every check prints PASS/FAIL; the last line is exactly
"N passed, N failed" and the exit status is 1 if anything failed.
"""

import argparse
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import certs  # noqa: E402
from cases import CASES, CLOSE_REASONS, NEEDS_PROTOCOLS, OFFERED_PROTOCOLS, PROTOCOL  # noqa: E402
from deflate_cases import DEFLATE_CASES  # noqa: E402

PY = sys.executable
#: Bound on one driver process (all its cases).
DRIVER_TIMEOUT = 900
#: Bound on one echo_client run (one case).
CLIENT_TIMEOUT = 120
#: How long a server may take to start listening.
START_TIMEOUT = 30


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, label, failure=None):
        if failure is None:
            self.passed += 1
            print(f"PASS {label}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {label}: {failure}", flush=True)

    def absorb(self, output, prefix=""):
        """Counts the PASS/FAIL lines a peer printed; returns the labels seen."""
        seen = set()
        for line in output.splitlines():
            if line.startswith("PASS "):
                self.check(prefix + line[5:])
                seen.add(line[5:])
            elif line.startswith("FAIL "):
                label, _, why = line[5:].partition(": ")
                self.check(prefix + label, why or "failed")
                seen.add(label)
        return seen


class Proc:
    """A started process: stdout lines in a queue, stderr in a log file, killed by stop()."""

    def __init__(self, cmd, log_path, env=None):
        self.cmd = cmd
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL,
                                  start_new_session=True, env=env, cwd=HERE)
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for raw in self.p.stdout:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))

    def wait_line(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                if self.p.poll() is not None and self.lines.empty():
                    return None
                continue
            if predicate(line):
                return line
        return None

    def stderr_tail(self, n=5):
        self.log.flush()
        lines = Path(self.log_path).read_text(errors="replace").strip().splitlines()
        return " | ".join(lines[-n:])

    def stop(self):
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGTERM)
                self.p.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.p.wait(timeout=5)
        self.log.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_connectable(port, proc, timeout=START_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.p.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class Peers:
    """Command lines for our echo peers (or their stand-ins) and the drivers."""

    def __init__(self, args, node_env):
        self.node_env = node_env
        if args.standin:
            self.echo_client = [PY, str(HERE / "py_echo_client.py")]
            self.echo_server = [PY, str(HERE / "py_echo_server.py")]
        else:
            ex = Path(args.examples)
            self.echo_client = [str(ex / "echo_client")]
            self.echo_server = [str(ex / "echo_server")]


def start_listening(cmd, log, env=None):
    """Starts a driver that prints "LISTENING PORT"; returns (proc, port) or (proc, None)."""
    proc = Proc(cmd, log, env)
    line = proc.wait_line(lambda l: l.startswith("LISTENING "), START_TIMEOUT)
    return proc, (int(line.split()[1]) if line else None)


def group_server(t, peers, pki, work, use_node):
    """Their clients against our echo_server, ws:// and wss://."""
    procs = []
    try:
        port, tls_port = free_port(), free_port()
        plain = Proc(peers.echo_server + [f"127.0.0.1:{port}", "--protocol", PROTOCOL],
                     work / "echo_server.log")
        procs.append(plain)
        tls = Proc(peers.echo_server + [f"127.0.0.1:{tls_port}", "--protocol", PROTOCOL,
                                        "--tls-cert", str(pki / "good.pem"), "--tls-key", str(pki / "good.key")],
                   work / "echo_server_tls.log")
        procs.append(tls)
        for proc, p, what in ((plain, port, "ws"), (tls, tls_port, "wss")):
            # echo_server prints "listening on ADDR" once bound (the stand-ins
            # print "LISTENING PORT"); probing the port is the fallback.
            ready = proc.wait_line(lambda l: "listening" in l.lower(), START_TIMEOUT)
            if ready is None and not wait_connectable(p, proc):
                t.check(f"our-server {what} starts", f"not listening on {p}: {proc.stderr_tail()}")
                return
        targets = [("ws", f"ws://127.0.0.1:{port}/", []),
                   ("wss", f"wss://localhost:{tls_port}/", ["--ca", str(pki / "ca.pem")])]
        drivers = [("python", [PY, str(HERE / "py_drive_client.py")], None)]
        if use_node:
            drivers.append(("node", ["node", str(HERE / "node" / "drive_client.js")], peers.node_env))
        for who, cmd, env in drivers:
            for scheme, url, extra in targets:
                label = f"{who}-client→our-server {scheme}"
                run_driver(t, cmd + [url, "--label", label] + extra, label, env)
        # The certificate also names 127.0.0.1 (an IP SAN); check that path once.
        label = "python-client→our-server wss-ip"
        run_driver(t, [PY, str(HERE / "py_drive_client.py"), f"wss://127.0.0.1:{tls_port}/", "--label", label,
                       "--ca", str(pki / "ca.pem"), "--case", "text"], label, None)
        for proc, what in ((plain, "ws"), (tls, "wss")):
            alive = proc.p.poll() is None
            t.check(f"our-server {what} still running after all clients",
                    None if alive else f"exited with {proc.p.returncode}: {proc.stderr_tail()}")
    finally:
        for p in procs:
            p.stop()


def run_driver(t, cmd, label, env):
    """Runs a driving client; counts its lines and any case it never reported."""
    expected = {f"{label} {n}" for n in CASES} if "--case" not in cmd else set()
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=DRIVER_TIMEOUT, env=env, cwd=HERE,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        t.absorb((e.stdout or b"").decode("utf-8", "replace"))
        t.check(label, f"driver timed out after {DRIVER_TIMEOUT} s")
        return
    out = r.stdout.decode("utf-8", "replace")
    seen = t.absorb(out)
    for missing in sorted(expected - seen):
        t.check(missing, f"no result (driver exit {r.returncode}): "
                         f"{r.stderr.decode('utf-8', 'replace').strip()[-300:]}")
    if not seen:
        t.check(label, f"driver printed nothing, exit {r.returncode}: "
                       f"{r.stderr.decode('utf-8', 'replace').strip()[-300:]}")


def close_line(code, reason):
    return f"closed by peer: {code} {json.dumps(reason, ensure_ascii=False)}"


def run_client(peers, url, extra, log):
    """Runs echo_client once (stderr appended to `log`); returns (exit status or
    None on timeout, this run's stderr)."""
    with open(log, "ab") as err:
        err.write(f"--- {url} {' '.join(extra)}\n".encode())
        err.flush()
        start = err.tell()
        try:
            r = subprocess.run(peers.echo_client + [url] + extra, stdout=subprocess.DEVNULL, stderr=err,
                               stdin=subprocess.DEVNULL, timeout=CLIENT_TIMEOUT)
            status = r.returncode
        except subprocess.TimeoutExpired:
            status = None
    with open(log, "rb") as f:
        f.seek(start)
        return status, f.read().decode("utf-8", "replace").strip()


def group_client(t, peers, pki, work, use_node):
    """Our echo_client against their servers, one connection per case."""
    servers = [("python", [PY, str(HERE / "py_drive_server.py")], None)]
    if use_node:
        servers.append(("node", ["node", str(HERE / "node" / "drive_server.js")], peers.node_env))
    tls_args = ["--tls-cert", str(pki / "good.pem"), "--tls-key", str(pki / "good.key")]
    for who, cmd, env in servers:
        for scheme, extra_server in (("ws", []), ("wss", tls_args)):
            label = f"our-client→{who}-server {scheme}"
            proc, port = start_listening(cmd + ["--label", label] + extra_server,
                                         work / f"drive_server_{who}_{scheme}.log", env)
            try:
                if port is None:
                    t.check(label, f"driver server did not start: {proc.stderr_tail()}")
                    continue
                host = "127.0.0.1" if scheme == "ws" else "localhost"
                client_log = work / f"echo_client_{who}_{scheme}.log"
                for name in CASES:
                    extra = ["--ca", str(pki / "ca.pem")] if scheme == "wss" else []
                    if name in NEEDS_PROTOCOLS:
                        for p in OFFERED_PROTOCOLS:
                            extra += ["--protocol", p]
                    status, out = run_client(peers, f"{scheme}://{host}:{port}/{name}", extra, client_log)
                    tail = " | ".join(out.splitlines()[-3:])
                    line = proc.wait_line(lambda l, n=name: l.startswith(("PASS ", "FAIL "))
                                          and l[5:].split(": ")[0] == f"{label} {n}", 15)
                    if line is None:
                        t.check(f"{label} {name}", f"server saw no result; echo_client exit {status}: {tail}")
                    elif line.startswith("FAIL"):
                        t.absorb(line)
                    elif status != 0:
                        t.check(f"{label} {name}",
                                "server side passed but echo_client " +
                                ("timed out" if status is None else f"exited {status}") + f": {tail}")
                    elif name in CLOSE_REASONS and close_line(*CLOSE_REASONS[name]) not in tail:
                        # The code and reason as our client decoded them (it
                        # prints `closed by peer: CODE "REASON"` on stderr).
                        t.check(f"{label} {name}",
                                f"expected {close_line(*CLOSE_REASONS[name])!r} from echo_client, got {tail!r}")
                    else:
                        t.absorb(line)
            finally:
                proc.stop()
    group_client_tls_negative(t, peers, pki, work)


def group_client_tls_negative(t, peers, pki, work):
    """Our client must refuse certificates it cannot verify."""
    cases = (
        ("unknown CA (no --ca)", "good", "localhost", []),
        ("certificate for another host", "wrong", "localhost", ["--ca", str(pki / "ca.pem")]),
    )
    for what, leaf, host, extra in cases:
        label = f"our-client wss refuses {what}"
        proc, port = start_listening([PY, str(HERE / "py_drive_server.py"), "--label", label,
                                      "--tls-cert", str(pki / f"{leaf}.pem"), "--tls-key", str(pki / f"{leaf}.key")],
                                     work / f"tls_negative_{leaf}.log")
        try:
            if port is None:
                t.check(label, f"driver server did not start: {proc.stderr_tail()}")
                continue
            status, _ = run_client(peers, f"wss://{host}:{port}/text", extra, work / "echo_client_tls_negative.log")
            served = proc.wait_line(lambda l: l.startswith(("PASS ", "FAIL ")), 2)
            if status == 0 or served is not None:
                t.check(label, f"connected anyway (exit {status}, server: {served})")
            elif status is None:
                t.check(label, "echo_client hung instead of failing")
            else:
                t.check(label)
        finally:
            proc.stop()


def group_deflate(t, peers, work, use_node):
    """permessage-deflate (RFC 7692): their compressing clients against our
    echo_server --deflate, and our echo_client --deflate against their
    compressing servers (python websockets' default 12-bit windows included)."""
    port = free_port()
    server = Proc(peers.echo_server + [f"127.0.0.1:{port}", "--deflate"], work / "echo_server_deflate.log")
    try:
        if not server.wait_line(lambda l: "listening" in l.lower(), START_TIMEOUT) \
                and not wait_connectable(port, server):
            t.check("our-server --deflate starts", f"not listening on {port}: {server.stderr_tail()}")
        else:
            url = f"ws://127.0.0.1:{port}/"
            drivers = [("python-client", [PY, str(HERE / "py_deflate_client.py"), url], None),
                       ("python-client no-context-takeover",
                        [PY, str(HERE / "py_deflate_client.py"), url, "--no-context-takeover"], None)]
            if use_node:
                drivers.append(("node-client", ["node", str(HERE / "node" / "deflate_peer.js"), "client", url],
                                peers.node_env))
            for who, cmd, env in drivers:
                run_deflate_driver(t, cmd + ["--label", f"{who}→our-server deflate"], f"{who}→our-server deflate",
                                   env)
    finally:
        server.stop()

    servers = [("python", [PY, str(HERE / "py_deflate_server.py")], None)]
    if use_node:
        servers.append(("node", ["node", str(HERE / "node" / "deflate_peer.js"), "server"], peers.node_env))
    for who, cmd, env in servers:
        label = f"our-client→{who}-server deflate"
        proc, port = start_listening(cmd + ["--label", label], work / f"deflate_server_{who}.log", env)
        try:
            if port is None:
                t.check(label, f"driver server did not start: {proc.stderr_tail()}")
                continue
            client_log = work / f"echo_client_deflate_{who}.log"
            for name in DEFLATE_CASES:
                status, out = run_client(peers, f"ws://127.0.0.1:{port}/{name}", ["--deflate"], client_log)
                tail = " | ".join(out.splitlines()[-3:])
                line = proc.wait_line(lambda l, n=name: l.startswith(("PASS ", "FAIL "))
                                      and l[5:].split(": ")[0] == f"{label} {n}", 15)
                if line is None:
                    t.check(f"{label} {name}", f"server saw no result; echo_client exit {status}: {tail}")
                elif line.startswith("FAIL"):
                    t.absorb(line)
                elif status != 0:
                    t.check(f"{label} {name}", "server side passed but echo_client " +
                            ("timed out" if status is None else f"exited {status}") + f": {tail}")
                elif "permessage-deflate:" not in out:
                    # echo_client prints the agreed parameters when deflate is on.
                    t.check(f"{label} {name}", f"echo_client did not report permessage-deflate: {tail}")
                else:
                    t.absorb(line)
        finally:
            proc.stop()


def run_deflate_driver(t, cmd, label, env):
    """Runs a deflate driving client; counts its lines and any case it never reported."""
    expected = {f"{label} {n}" for n in DEFLATE_CASES}
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=DRIVER_TIMEOUT, env=env, cwd=HERE,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        t.absorb((e.stdout or b"").decode("utf-8", "replace"))
        t.check(label, f"driver timed out after {DRIVER_TIMEOUT} s")
        return
    seen = t.absorb(r.stdout.decode("utf-8", "replace"))
    for missing in sorted(expected - seen):
        t.check(missing, f"no result (driver exit {r.returncode}): "
                         f"{r.stderr.decode('utf-8', 'replace').strip()[-300:]}")


def group_hostile(t, peers, work, args):
    cmd = [PY, str(HERE / "hostile.py"), "--client"] + peers.echo_client + ["--server"] + peers.echo_server
    if args.max_message_flag:
        cmd += [f"--max-message-flag={args.max_message_flag}"]
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=DRIVER_TIMEOUT, cwd=HERE, stdin=subprocess.DEVNULL)
        out, err, code = r.stdout, r.stderr, r.returncode
    except subprocess.TimeoutExpired as e:
        out, err, code = e.stdout or b"", e.stderr or b"", None
    seen = t.absorb(out.decode("utf-8", "replace"))
    if not seen or code not in (0, 1):
        t.check("hostile peers", f"exit {code}: {err.decode('utf-8', 'replace').strip()[-500:]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--examples", help="directory with our echo_client and echo_server")
    src.add_argument("--standin", action="store_true", help="use the Python stand-ins")
    ap.add_argument("--skip-node", action="store_true")
    ap.add_argument("--skip-hostile", action="store_true")
    ap.add_argument("--group", action="append", choices=["server", "client", "hostile", "deflate"])
    ap.add_argument("--max-message-flag", help="echo_server/echo_client flag that sets the message limit")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (logs, certificates)")
    args = ap.parse_args()
    groups = args.group or ["server", "client", "hostile", "deflate"]
    if args.skip_hostile and "hostile" in groups:
        groups.remove("hostile")

    node_env = dict(os.environ)
    # scripts/lib/common.sh's need_node installs ws there and exports NODE_PATH.
    node_env.setdefault("NODE_PATH", str(HERE.parents[1] / ".tools" / "node" / "node_modules"))
    peers = Peers(args, node_env)
    t = Tally()
    work = Path(tempfile.mkdtemp(prefix="devian-interop-"))
    pki = certs.write_all(work / "pki")
    missing = [c[0] for c in (peers.echo_client, peers.echo_server) if not os.access(c[0], os.X_OK)]
    if missing:
        t.check("our echo examples exist", f"not executable: {', '.join(missing)}")
        groups = []
    runs = {"server": lambda: group_server(t, peers, pki, work, not args.skip_node),
            "client": lambda: group_client(t, peers, pki, work, not args.skip_node),
            "hostile": lambda: group_hostile(t, peers, work, args),
            "deflate": lambda: group_deflate(t, peers, work, not args.skip_node)}
    for g in groups:
        try:
            runs[g]()
        except Exception as e:  # a harness bug must still end in a counted failure
            t.check(f"{g} group", f"runner error {type(e).__name__}: {e}")
    if args.keep or t.failed:
        print(f"logs and certificates kept in {work}", flush=True)
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{t.passed} passed, {t.failed} failed", flush=True)
    return 1 if t.failed or t.passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
