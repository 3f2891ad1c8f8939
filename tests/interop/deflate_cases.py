"""permessage-deflate (RFC 7692) interop cases for the Python peers.

Run on a `websockets` connection opened with compression on, against our
echo_server / echo_client started with `--deflate`. Each case first checks
that deflate was negotiated, then expects every message echoed unchanged.
tests/interop/node/deflate_peer.js defines the same cases for node `ws`.
"""

import asyncio
import os

from cases import CASE_TIMEOUT, CaseFailed, echo_each, expect_echo

#: 1 MiB of repeated text: compresses to a few KB.
BIG_TEXT = ("The quick brown fox jumps over the lazy dog. " * 23_302)[: 1 << 20]


def negotiated(ws):
    """Fails the case unless permessage-deflate is in effect on `ws`."""
    names = [e.name for e in ws.protocol.extensions]
    if "permessage-deflate" not in names:
        raise CaseFailed(f"permessage-deflate not negotiated (extensions: {names})")


async def text(ws):
    # RFC 7692 §7.2.3.2: the repeated "Hello" refers back to the first.
    await echo_each(ws, ["Hello", "Hello", "", "h\u00e9llo w\u00f6rld \u2713 \U0001F30D"])


async def big_text(ws):
    await echo_each(ws, [BIG_TEXT])


async def random_binary(ws):
    # Incompressible: the sender may compress or not (RFC 7692 §6).
    await echo_each(ws, [os.urandom(1 << 20), os.urandom(100)])


async def many(ws):
    # Context takeover across messages that share most of their bytes.
    await echo_each(ws, [f'{{"seq": {i}, "type": "position", "x": {i * 3}, "y": {i * 7}}}'
                         for i in range(300)])


async def fragmented(ws):
    # RFC 7692 §6.1: RSV1 on the first fragment of a compressed message only.
    parts = ["frag", "mented ", "t\u00e9xt " * 1000]
    await ws.send(parts)
    await expect_echo(ws, "".join(parts))


#: name -> coroutine(ws). The runner uses these names for both directions.
DEFLATE_CASES = {
    "deflate-text": text,
    "deflate-1MiB-text": big_text,
    "deflate-random-1MiB": random_binary,
    "deflate-many": many,
    "deflate-fragmented": fragmented,
}


async def run_deflate_case(name, ws):
    """Runs one case and closes with 1000; returns None or the failure text."""
    try:
        negotiated(ws)
        await asyncio.wait_for(DEFLATE_CASES[name](ws), CASE_TIMEOUT)
        await ws.close(1000)
        return None
    except CaseFailed as e:
        return str(e)
    except asyncio.TimeoutError:
        return f"timed out after {CASE_TIMEOUT} s"
    except Exception as e:  # a peer-side error is a failed case, not a crash
        return f"{type(e).__name__}: {e}"
