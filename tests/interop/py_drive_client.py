"""Python `websockets` client running every case against an echo server.

    py_drive_client.py URL --label L [--ca PEM] [--case NAME]...
Prints one PASS/FAIL line per case, labelled "L NAME"; exit status 1 if any failed.
"""

import argparse
import asyncio
import ssl
import sys

from websockets.asyncio.client import connect

from cases import CASES, MAX_MESSAGE, NEEDS_PROTOCOLS, OFFERED_PROTOCOLS, report, run_case


async def one(url, name, tls, compression=None):
    protocols = OFFERED_PROTOCOLS if name in NEEDS_PROTOCOLS else None
    try:
        async with connect(url, ssl=tls, subprotocols=protocols, max_size=MAX_MESSAGE,
                           ping_interval=None, compression=compression, open_timeout=10,
                           close_timeout=10) as ws:
            return await run_case(name, ws)
    except Exception as e:
        return f"{type(e).__name__}: {e}"


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--label", required=True)
    ap.add_argument("--ca")
    ap.add_argument("--case", action="append")
    args = ap.parse_args()
    tls = ssl.create_default_context(cafile=args.ca) if args.url.startswith("wss:") else None
    failed = 0
    for name in args.case or CASES:
        failure = await one(args.url, name, tls)
        report(f"{args.label} {name}", failure)
        failed += failure is not None
    if not args.case:
        # RFC 6455 §9.1 / RFC 7692: a permessage-deflate offer the server does
        # not take up must still give a working, uncompressed connection.
        failure = await one(args.url, "text", tls, compression="deflate")
        report(f"{args.label} deflate-offer", failure)
        failed += failure is not None
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
