"""A real, independent WebSocket peer for the C# end-to-end tests: Python `websockets` echo server.

Usage: echo_peer.py PORT [--protocol P ...] [--lifetime SECONDS]

Binds 127.0.0.1 only, prints `listening on 127.0.0.1:PORT` once ready, echoes every message
back with the same type, and exits by itself after --lifetime seconds (a bound in case the test
that started it dies without stopping it).
"""

import argparse
import asyncio
import sys

from websockets.asyncio.server import serve


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--protocol", action="append", default=[])
    parser.add_argument("--lifetime", type=float, default=300.0)
    args = parser.parse_args()

    async with serve(
        echo,
        "127.0.0.1",
        args.port,
        subprotocols=args.protocol or None,
        max_size=None,
        # The tests measure our client, not this peer's keep-alive.
        ping_interval=None,
    ):
        print(f"listening on 127.0.0.1:{args.port}", flush=True)
        await asyncio.sleep(args.lifetime)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
