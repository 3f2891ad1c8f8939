"""Hostile-peer conformance: raw-socket peers that break RFC 6455 on purpose.

    hostile.py --client CMD... --server CMD... [--max-message-flag FLAG]

A bad server plays against our echo_client (one connection per case: the
client is started with ws://127.0.0.1:PORT/), a bad client against one
running echo_server. For every case the exact close code our side must send
is asserted (RFC 6455 §7.4.1: 1002 protocol error, 1007 invalid payload,
1009 too big), that its Close frame is masked as its role demands, and that
it then closes the TCP connection. A few "valid but unusual" cases check the
opposite: that our side does not fail what the RFC allows. Handshake cases
check that broken upgrades are refused. Prints PASS/FAIL per case.
"""

import argparse
import base64
import hashlib
import os
import socket
import subprocess
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
IO_TIMEOUT = 10
EOF_TIMEOUT = 5
#: Message limit set through --max-message-flag for the "limits" cases.
SMALL_LIMIT = 1024

TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()


def frame(opcode, payload=b"", fin=True, rsv=0, masked=False):
    """Encodes one frame (§5.2); masked frames get a random key (§5.3)."""
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload)
    m = 0x80 if masked else 0
    if n < 126:
        head = bytes([b0, m | n])
    elif n < 65536:
        head = bytes([b0, m | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([b0, m | 127]) + n.to_bytes(8, "big")
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def close_payload(code, reason=b""):
    return code.to_bytes(2, "big") + reason


class Peer:
    """A raw socket with a read buffer and deadline-bounded reads."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        self.sock.settimeout(left)
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def read_exact(self, n, deadline):
        while len(self.buf) < n:
            self._fill(deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_head(self, deadline, limit=65536):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > limit:
                raise ValueError("head too long")
            self._fill(deadline)
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), value.strip())
        return lines[0], headers

    def read_frame(self, deadline):
        b0, b1 = self.read_exact(2, deadline)
        n = b1 & 0x7F
        if n == 126:
            n = int.from_bytes(self.read_exact(2, deadline), "big")
        elif n == 127:
            n = int.from_bytes(self.read_exact(8, deadline), "big")
        key = self.read_exact(4, deadline) if b1 & 0x80 else None
        if n > 64 * 1024 * 1024:
            raise ValueError(f"peer announced a {n}-byte frame")
        data = self.read_exact(n, deadline)
        if key:
            data = bytes(b ^ key[i % 4] for i, b in enumerate(data))
        return {"fin": bool(b0 & 0x80), "rsv": (b0 >> 4) & 7, "op": b0 & 0xF, "data": data, "masked": key is not None}

    def wait_eof(self, timeout):
        """True once the peer closed TCP; False on timeout; bytes if it sent more data."""
        deadline = time.monotonic() + timeout
        extra = self.buf
        self.buf = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return extra or False
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                return extra or True
            except (TimeoutError, socket.timeout):
                return extra or False
            if not data:
                return extra or True
            extra += data

    def send(self, data):
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the peer may already have failed the connection: that is checked next


# --- cases ------------------------------------------------------------------
# Each case: (category, name, frames, expect). frames is a list of
# (opcode, payload, fin, rsv) or raw bytes; "flip" in a tuple's 5th slot sends
# it with the wrong masking for the sender's role. expect is ("close", code),
# ("echo", [(opcode, payload)...]) or ("close-echo", code) for valid closes.

def build_cases(limits):
    c = []
    # framing
    c.append(("framing", "wrong-masking (§5.1)", [(TEXT, b"hi", True, 0, "flip")], ("close", 1002)))
    c.append(("framing", "64-bit length with top bit set (§5.2)", ["len-msb"], ("close", 1002)))
    # pings
    c.append(("pings", "ping 126 B (§5.5)", [(PING, b"p" * 126, True, 0)], ("close", 1002)))
    c.append(("pings", "fragmented ping (§5.5)", [(PING, b"p", False, 0)], ("close", 1002)))
    c.append(("pings", "ping 125 B gets pong (§5.5.2)", [(PING, bytes(range(125)), True, 0)],
              ("echo", [(PONG, bytes(range(125)))])))
    # reserved bits
    for bit in (4, 2, 1):
        c.append(("reserved-bits", f"RSV{ {4: 1, 2: 2, 1: 3}[bit] } without extension (§5.2)",
                  [(TEXT, b"hi", True, bit)], ("close", 1002)))
    # reserved opcodes
    for op in (0x3, 0x7, 0xB, 0xF):
        c.append(("reserved-opcodes", f"opcode {op:#x} (§5.2)", [(op, b"x", True, 0)], ("close", 1002)))
    # fragmentation
    c.append(("fragmentation", "continuation without start (§5.4)", [(CONT, b"x", True, 0)], ("close", 1002)))
    c.append(("fragmentation", "new text inside fragmented message (§5.4)",
              [(TEXT, b"a", False, 0), (TEXT, b"b", True, 0)], ("close", 1002)))
    c.append(("fragmentation", "ping between fragments is allowed (§5.4)",
              [(TEXT, b"frag", False, 0), (PING, b"p", True, 0), (CONT, b"ment", True, 0)],
              ("echo", [(PONG, b"p"), (TEXT, b"fragment")])))
    # invalid UTF-8
    for what, data in (("0xFF", b"\xff"), ("overlong", b"\xc0\xaf"), ("surrogate", b"\xed\xa0\x80"),
                       ("truncated at end", b"ok\xe2\x82")):
        c.append(("utf8", f"invalid UTF-8 text: {what} (§8.1)", [(TEXT, data, True, 0)], ("close", 1007)))
    c.append(("utf8", "code point split across fragments is valid (§5.6)",
              [(TEXT, b"\xe2\x82", False, 0), (CONT, b"\xac!", True, 0)], ("echo", [(TEXT, "\u20ac!".encode())])))
    c.append(("utf8", "split code point completed wrongly (§8.1)",
              [(TEXT, b"\xe2\x82", False, 0), (CONT, b"A", True, 0)], ("close", 1007)))
    # §8.1 with fail-fast: the rest of the message never comes, so waiting
    # for the final fragment would hang; the invalid byte is enough.
    c.append(("utf8", "invalid UTF-8 in first fragment fails at once (§8.1)",
              [(TEXT, b"ok\xff", False, 0)], ("close", 1007)))
    c.append(("utf8", "close reason not UTF-8 (§5.5.1)", [(CLOSE, close_payload(1000, b"\xff"), True, 0)],
              ("close", 1007)))
    # close payloads and codes
    c.append(("close", "1-byte close payload (§5.5.1)", [(CLOSE, b"\x03", True, 0)], ("close", 1002)))
    for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535):
        c.append(("close", f"close code {code} not allowed (§7.4)", [(CLOSE, close_payload(code), True, 0)],
                  ("close", 1002)))
    for code in (1000, 1001, 1003, 1011, 3000, 4999):
        c.append(("close", f"close code {code} is answered (§5.5.1)", [(CLOSE, close_payload(code, b"ok"), True, 0)],
                  ("close-echo", code)))
    c.append(("close", "empty close is answered (§5.5.1)", [(CLOSE, b"", True, 0)], ("close-echo", None)))
    # §10.4: a header announcing 1 TiB must be refused before any payload.
    c.append(("limits", "frame announcing 1 TiB (§10.4 1009)", ["len-1tib"], ("close", 1009)))
    if limits:
        c.append(("limits", f"message over {SMALL_LIMIT} B (§7.4.1 1009)", [(BINARY, b"x" * (2 * SMALL_LIMIT), True, 0)],
                  ("close", 1009)))
        third = b"y" * (SMALL_LIMIT // 2)
        c.append(("limits", f"fragments adding up to over {SMALL_LIMIT} B (§7.4.1 1009)",
                  [(BINARY, third, False, 0), (CONT, third, False, 0), (CONT, third, True, 0)], ("close", 1009)))
    return c


def encode(item, masked):
    if item == "len-msb":
        # §5.2: "the most significant bit MUST be 0".
        return bytes([0x82, (0x80 if masked else 0) | 127]) + ((1 << 63) | 5).to_bytes(8, "big") + \
            (b"\0\0\0\0" if masked else b"") + b"hello"
    if item == "len-1tib":
        return bytes([0x82, (0x80 if masked else 0) | 127]) + (1 << 40).to_bytes(8, "big") + \
            (b"\0\0\0\0" if masked else b"") + b"start"
    op, payload, fin, rsv = item[:4]
    flip = len(item) > 4
    return frame(op, payload, fin, rsv, masked != flip)


def judge(peer, expect, our_role):
    """Reads our side's answer; returns None (pass) or why it failed."""
    deadline = time.monotonic() + IO_TIMEOUT
    must_mask = our_role == "client"
    kind, want = expect
    seen = []
    want_echo = list(want) if kind == "echo" else []
    try:
        while True:
            f = peer.read_frame(deadline)
            if f["masked"] != must_mask:
                return f"our {our_role} sent a {'masked' if f['masked'] else 'unmasked'} frame (§5.1)"
            if f["op"] != CLOSE:
                seen.append((f["op"], f["data"]))
                if kind == "echo" and seen == want_echo:
                    break
                continue
            code = int.from_bytes(f["data"][:2], "big") if len(f["data"]) >= 2 else None
            if kind == "close":
                if code != want:
                    return f"closed with {code}, expected {want} (frames before: {summarize(seen)})"
                return expect_tcp_close(peer, our_role, reply=want)
            if kind == "close-echo":
                if code != want:
                    return f"answered close with {code}, expected {want}"
                return expect_tcp_close(peer, our_role, reply=None)
            return f"closed with {code} instead of answering; frames before: {summarize(seen)}"
    except EOFError:
        return f"TCP closed without a Close frame; frames before: {summarize(seen)}"
    except TimeoutError:
        return f"no answer within {IO_TIMEOUT} s; frames: {summarize(seen)}"
    if kind == "echo":
        # Finish politely: §5.5.1 close handshake.
        peer.send(frame(CLOSE, close_payload(1000), masked=our_role == "server"))
        try:
            f = peer.read_frame(time.monotonic() + IO_TIMEOUT)
            if f["op"] != CLOSE:
                return f"after the echo, expected Close, got opcode {f['op']:#x}"
        except (EOFError, TimeoutError):
            return "no Close answer after the echo"
    return None


def expect_tcp_close(peer, our_role, reply):
    """After our side's Close frame: checks that it closes the TCP connection.

    §7.1.1: the server closes TCP first; a client waits for that (and may
    close itself after a while). So our server gets a grace second to close
    on its own before the hostile client answers the Close (`reply`, when our
    side initiated it) and waits again; our client gets the answer and a
    half-close, as from a well-behaved server, and must then close its end.
    """
    gone = peer.wait_eof(1)
    if gone is False:
        if reply is not None:
            peer.send(frame(CLOSE, close_payload(reply), masked=our_role == "server"))
        if our_role == "client":
            try:
                peer.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # already gone: wait_eof reports it
        gone = peer.wait_eof(EOF_TIMEOUT)
    if gone is True:
        return None
    return "did not close TCP" if gone is False else f"sent {len(gone)} bytes after its Close"


def summarize(frames):
    return ", ".join(f"{op:#x}/{len(d)}B" for op, d in frames) or "none"


# --- bad server against our echo_client --------------------------------------

def serve_once(client_cmd, client_args, respond, timeout=IO_TIMEOUT):
    """Starts echo_client against a one-shot listener; respond(peer, headers) plays the server.
    Returns (result of respond, echo_client exit status or None if it hung)."""
    with socket.socket() as ls:
        ls.bind(("127.0.0.1", 0))
        ls.listen(1)
        ls.settimeout(timeout)
        port = ls.getsockname()[1]
        proc = subprocess.Popen(client_cmd + [f"ws://127.0.0.1:{port}/"] + client_args, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            try:
                sock, _ = ls.accept()
            except (TimeoutError, socket.timeout):
                return "echo_client never connected", stop(proc)
            with sock:
                peer = Peer(sock)
                try:
                    _, headers = peer.read_head(time.monotonic() + IO_TIMEOUT)
                except (EOFError, TimeoutError, ValueError) as e:
                    return f"no upgrade request: {e}", stop(proc)
                result = respond(peer, headers)
            return result, stop(proc)
        finally:
            stop(proc)


def stop(proc):
    try:
        return proc.wait(timeout=IO_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def upgrade_response(headers, extra=""):
    return (f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept_for(headers.get('sec-websocket-key', ''))}\r\n{extra}\r\n").encode()


def against_client(client_cmd, client_args, cases, report):
    for category, name, frames, expect in cases:
        def play(peer, headers, frames=frames, expect=expect):
            peer.send(upgrade_response(headers))
            for item in frames:
                peer.send(encode(item, masked=False))
            return judge(peer, expect, "client")
        failure, status = serve_once(client_cmd, client_args, play)
        if failure is None and status is None:
            failure = "echo_client did not exit"
        report(f"hostile-server→our-client {category}: {name}", failure)

    # §4.1: the client MUST fail the connection on these answers, before any frame.
    bad_answers = {
        "wrong Sec-WebSocket-Accept (§4.1)": lambda h: (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").encode(),
        "missing Upgrade header (§4.1)": lambda h: upgrade_response(h).replace(b"Upgrade: websocket\r\n", b""),
        "sub-protocol not offered (§4.1)": lambda h: upgrade_response(h, "Sec-WebSocket-Protocol: evil\r\n"),
        "extension not offered (§4.1)": lambda h: upgrade_response(h, "Sec-WebSocket-Extensions: x-devian-unknown\r\n"),
        "status 200 instead of 101 (§4.1)": lambda h: b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno",
    }
    for name, answer in bad_answers.items():
        def play(peer, headers, answer=answer):
            peer.send(answer(headers))
            # A frame that would be echoed if the client wrongly went on.
            peer.send(frame(TEXT, b"should not be echoed"))
            gone = peer.wait_eof(EOF_TIMEOUT)
            if gone is True:
                return None
            return "kept the connection open" if gone is False else f"sent {len(gone)} bytes after a bad handshake"
        failure, status = serve_once(client_cmd, client_args, play)
        if failure is None and status == 0:
            failure = "echo_client exited 0 after a refused handshake"
        elif failure is None and status is None:
            failure = "echo_client did not exit"
        report(f"hostile-server→our-client handshake: {name}", failure)


# --- bad client against our echo_server ---------------------------------------

def connect_upgraded(port, extra_headers="", key=None):
    sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
    key = key or base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extra_headers}\r\n").encode())
    peer = Peer(sock)
    status_line, headers = peer.read_head(time.monotonic() + IO_TIMEOUT)
    return peer, status_line, headers, key


def against_server(port, cases, report):
    for category, name, frames, expect in cases:
        label = f"hostile-client→our-server {category}: {name}"
        try:
            peer, status_line, headers, key = connect_upgraded(port)
        except (OSError, EOFError, TimeoutError, ValueError) as e:
            report(label, f"upgrade failed: {e}")
            continue
        with peer.sock:
            if " 101 " not in status_line + " " or headers.get("sec-websocket-accept") != accept_for(key):
                report(label, f"bad upgrade answer: {status_line}")
                continue
            for item in frames:
                peer.send(encode(item, masked=True))
            report(label, judge(peer, expect, "server"))

    # §4.2.1 / §4.4: broken upgrade requests are answered with an HTTP error.
    # Each request: a valid upgrade with some fields replaced (None: left
    # out), and the status prefix we require ("4": any client error, or a
    # plain close, which is also a refusal).
    filler = {f"X-Filler-{i}": "v" * 300 for i in range(100)}
    bad_requests = [
        ("version 8 gets 426 + Sec-WebSocket-Version: 13 (§4.4)", "GET", {"Sec-WebSocket-Version": "8"}, "426"),
        ("missing Sec-WebSocket-Key (§4.2.1)", "GET", {"Sec-WebSocket-Key": None}, "400"),
        ("15-byte Sec-WebSocket-Key (§4.2.1)", "GET", {"Sec-WebSocket-Key": "AAAAAAAAAAAAAAAAAAAA"}, "400"),
        ("POST instead of GET (§4.2.1)", "POST", {}, "4"),
        ("30 KB of headers (§4.2.1, bounded head)", "GET", filler, "4"),
    ]
    for name, method, changes, want in bad_requests:
        label = f"hostile-client→our-server handshake: {name}"
        fields = {"Host": f"127.0.0.1:{port}", "Upgrade": "websocket", "Connection": "Upgrade",
                  "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(), "Sec-WebSocket-Version": "13"}
        fields.update(changes)
        request = f"{method} / HTTP/1.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in fields.items() if v is not None) + "\r\n"
        failure = None
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT) as sock:
                peer = Peer(sock)
                peer.send(request.encode())
                try:
                    status_line, headers = peer.read_head(time.monotonic() + IO_TIMEOUT)
                except (EOFError, ConnectionResetError):
                    # Closing (even with a reset, when our unread request
                    # bytes are dropped) is a refusal too.
                    status_line, headers = None, {}
                status = status_line.split(" ")[1] if status_line and " " in status_line else None
                if status is None:
                    if want != "4":
                        failure = f"closed without an HTTP answer, expected {want}"
                elif not status.startswith(want):
                    failure = f"answered {status_line!r}, expected {want}{'xx' if want == '4' else ''}"
                elif want == "426" and "13" not in headers.get("sec-websocket-version", ""):
                    failure = "426 without Sec-WebSocket-Version: 13"
        except (OSError, TimeoutError, ValueError) as e:
            failure = f"{type(e).__name__}: {e}"
        report(label, failure)

    # After all of that the server must still work.
    label = "hostile-client→our-server still serves after hostile clients"
    try:
        peer, status_line, _, _ = connect_upgraded(port)
        with peer.sock:
            peer.send(frame(TEXT, b"alive", masked=True))
            f = peer.read_frame(time.monotonic() + IO_TIMEOUT)
            ok = (f["op"], f["data"]) == (TEXT, b"alive")
            report(label, None if ok else f"got opcode {f['op']:#x} {f['data'][:20]!r}")
    except (OSError, EOFError, TimeoutError, ValueError) as e:
        report(label, f"{type(e).__name__}: {e}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--client", nargs="+", required=True, help="echo_client command")
    ap.add_argument("--server", nargs="+", required=True, help="echo_server command")
    ap.add_argument("--max-message-flag", help=f"flag both examples take to set the message limit ({SMALL_LIMIT} B)")
    args = ap.parse_args()
    failed = 0

    def report(label, failure):
        nonlocal failed
        if failure is None:
            print(f"PASS {label}", flush=True)
        else:
            failed += 1
            print(f"FAIL {label}: {failure}", flush=True)

    limit_args = [args.max_message_flag, str(SMALL_LIMIT)] if args.max_message_flag else []
    cases = build_cases(bool(limit_args))
    against_client(args.client, limit_args, cases, report)

    port = free_port()
    server = subprocess.Popen(args.server + [f"127.0.0.1:{port}"] + limit_args, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and server.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        against_server(port, cases, report)
        report("hostile-client→our-server survived", None if server.poll() is None else
               f"echo_server exited with {server.returncode}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
