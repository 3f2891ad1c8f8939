"""Python `websockets` client with permessage-deflate on, running every
deflate case against our echo_server --deflate:

    py_deflate_client.py URL --label L [--no-context-takeover]
Prints one PASS/FAIL line per case, labelled "L NAME"; exit status 1 if any
failed. --no-context-takeover offers client_ and server_no_context_takeover
(RFC 7692 §7.1.1) instead of websockets' default offer.
"""

import argparse
import asyncio
import sys

from websockets.asyncio.client import connect
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

from cases import MAX_MESSAGE, report
from deflate_cases import DEFLATE_CASES, run_deflate_case


async def one(url, name, no_takeover):
    options = {"compression": "deflate"}
    if no_takeover:
        options = {"compression": None, "extensions": [ClientPerMessageDeflateFactory(
            client_no_context_takeover=True, server_no_context_takeover=True)]}
    try:
        async with connect(url, max_size=MAX_MESSAGE, ping_interval=None, open_timeout=10,
                           close_timeout=10, **options) as ws:
            return await run_deflate_case(name, ws)
    except Exception as e:
        return f"{type(e).__name__}: {e}"


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--label", required=True)
    ap.add_argument("--no-context-takeover", action="store_true")
    args = ap.parse_args()
    failed = 0
    for name in DEFLATE_CASES:
        failure = await one(args.url, name, args.no_context_takeover)
        report(f"{args.label} {name}", failure)
        failed += failure is not None
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
