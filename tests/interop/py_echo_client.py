"""Reference echo client on Python `websockets`, with echo_client's command line.

Stand-in for our echo_client while checking the driving servers:
    py_echo_client.py URL [--protocol P]... [--ca PEM] [--deflate]
Echoes every message, exits 0 when the peer closed the connection cleanly.
"""

import argparse
import json
import asyncio
import ssl
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from cases import MAX_MESSAGE


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--protocol", action="append", default=[])
    ap.add_argument("--max-message", type=int, default=MAX_MESSAGE)
    ap.add_argument("--ca")
    ap.add_argument("--deflate", action="store_true")
    args = ap.parse_args()
    tls = None
    if args.url.lower().startswith("wss:"):
        tls = ssl.create_default_context(cafile=args.ca)
    async with connect(args.url, ssl=tls, subprotocols=args.protocol or None, max_size=args.max_message,
                       ping_interval=None, compression="deflate" if args.deflate else None,
                       open_timeout=10) as ws:
        if ws.protocol.extensions:
            # Same report as our echo_client, which the runner checks.
            print(f"permessage-deflate: {ws.protocol.extensions}", file=sys.stderr)
        try:
            async for message in ws:
                await ws.send(message)
        except ConnectionClosed:
            pass
    # Same report as our echo_client, which the runner checks for close cases.
    print(f"closed by peer: {ws.close_code} {json.dumps(ws.close_reason, ensure_ascii=False)}", file=sys.stderr)
    return 0 if ws.close_code is not None and ws.close_code != 1006 else 1


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except Exception as e:
        print(f"py_echo_client: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
