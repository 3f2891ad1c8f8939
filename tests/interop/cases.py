"""The interop cases, run by the Python peers on an open `websockets` connection.

The same coroutine serves both directions: a driving client runs it against
our echo server, a driving server runs it against our echo client. Every
case sends something, expects it echoed back unchanged (or the matching
control-frame answer), and raises CaseFailed with a reason otherwise.
tests/interop/node/cases.js defines the same cases for the node peers.
"""

import asyncio

#: Seconds one case may take, 16 MiB included.
CASE_TIMEOUT = 60
#: Largest message any peer must accept (16 MiB plus headroom).
MAX_MESSAGE = 32 * 1024 * 1024
#: The sub-protocol our peers are asked to pick, and what clients offer.
PROTOCOL = "chat.v1"
OFFERED_PROTOCOLS = ["chat.v2", PROTOCOL]


class CaseFailed(Exception):
    """A case saw something other than the expected answer."""


def pattern(n):
    """n deterministic bytes with no short period (251 is prime)."""
    base = bytes(range(251))
    return (base * (n // 251 + 1))[:n]


def describe(value):
    kind = "text" if isinstance(value, str) else "binary"
    return f"{kind} of {len(value.encode() if isinstance(value, str) else value)} B"


async def expect_echo(ws, sent):
    got = await asyncio.wait_for(ws.recv(), CASE_TIMEOUT)
    if type(got) is not type(sent):
        raise CaseFailed(f"sent {describe(sent)}, got {describe(got)}")
    if got != sent:
        first = next((i for i, (a, b) in enumerate(zip(got, sent)) if a != b), min(len(got), len(sent)))
        raise CaseFailed(f"echo of {describe(sent)} differs (got {describe(got)}, first difference at {first})")


async def echo_each(ws, messages):
    for m in messages:
        await ws.send(m)
        await expect_echo(ws, m)


async def expect_close_echo(ws, code, reason):
    await ws.close(code, reason)
    if ws.close_code != code:
        raise CaseFailed(f"closed with {code}, peer answered {ws.close_code} {ws.close_reason!r}")


def binary_case(n):
    async def run(ws):
        await echo_each(ws, [pattern(n)])
    return run


async def text(ws):
    await echo_each(ws, ["hello", "", "h\u00e9llo w\u00f6rld \u2713 \U0001F30D", "x" * 70_000])


async def fragmented_text(ws):
    # RFC 6455 §5.4: a message split over a Text frame and continuations.
    await ws.send(["frag", "mented ", "t\u00e9xt"])
    await expect_echo(ws, "fragmented t\u00e9xt")


async def fragmented_binary(ws):
    parts = [pattern(70_000), pattern(1), pattern(65_536)]
    await ws.send(parts)
    await expect_echo(ws, b"".join(parts))


async def ping_pong(ws):
    # RFC 6455 §5.5.2/§5.5.3: a Pong carries the Ping's payload back.
    for payload in (b"ping-payload", b"", pattern(125)):
        waiter = await ws.ping(payload)
        await asyncio.wait_for(waiter, CASE_TIMEOUT)
    await echo_each(ws, ["still open"])


#: Close cases: the code and reason sent. The runner also checks that our
#: echo_client reports exactly these as received.
CLOSE_REASONS = {
    "close-4001": (4001, "done"),
    # RFC 6455 §5.5: 125-byte control payload = 2-byte code + 123-byte reason.
    "close-1000-long-reason": (1000, "\u00e9" * 61 + "x"),
}


async def close_4001(ws):
    # RFC 6455 §5.5.1: the peer answers Close, typically echoing the code.
    await echo_each(ws, ["before close"])
    await expect_close_echo(ws, *CLOSE_REASONS["close-4001"])


async def close_1000_long_reason(ws):
    await expect_close_echo(ws, *CLOSE_REASONS["close-1000-long-reason"])


async def subprotocol(ws):
    if ws.subprotocol != PROTOCOL:
        raise CaseFailed(f"negotiated sub-protocol {ws.subprotocol!r}, expected {PROTOCOL!r}")
    await echo_each(ws, ["with protocol"])


#: name -> coroutine(ws). Order is the order the runner uses.
CASES = {
    "text": text,
    "binary-0": binary_case(0),
    "binary-125": binary_case(125),
    "binary-126": binary_case(126),
    "binary-65535": binary_case(65_535),
    "binary-65536": binary_case(65_536),
    "binary-16MiB": binary_case(16 * 1024 * 1024),
    "fragmented-text": fragmented_text,
    "fragmented-binary": fragmented_binary,
    "ping-pong": ping_pong,
    "close-4001": close_4001,
    "close-1000-long-reason": close_1000_long_reason,
    "subprotocol": subprotocol,
}

#: Cases that need the client to offer OFFERED_PROTOCOLS.
NEEDS_PROTOCOLS = {"subprotocol"}
#: Cases whose own close handshake is the check; the others close with 1000.
CLOSES_ITSELF = {"close-4001", "close-1000-long-reason"}


async def run_case(name, ws):
    """Runs one case; returns None on success or the failure text."""
    try:
        await asyncio.wait_for(CASES[name](ws), CASE_TIMEOUT)
        if name not in CLOSES_ITSELF:
            await ws.close(1000)
        return None
    except CaseFailed as e:
        return str(e)
    except asyncio.TimeoutError:
        return f"timed out after {CASE_TIMEOUT} s"
    except Exception as e:  # a peer-side error is a failed case, not a crash
        return f"{type(e).__name__}: {e}"


def report(label, failure):
    """Prints the one PASS/FAIL line of a check and flushes it."""
    if failure is None:
        print(f"PASS {label}", flush=True)
    else:
        print(f"FAIL {label}: {failure}", flush=True)
