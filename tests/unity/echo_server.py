#!/usr/bin/env python3
"""Binary/text echo server on 127.0.0.1 for the Unity play-mode tests (Python `websockets`).

Prints "ws://127.0.0.1:PORT/" once listening, then echoes every message unchanged until stdin
closes or --max-seconds elapse (bounded, so a forgotten server always ends).
"""
import argparse
import asyncio
import sys

import websockets


async def echo(ws):
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-seconds", type=float, default=600.0)
    args = ap.parse_args()
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=16 * 1024 * 1024) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"ws://127.0.0.1:{port}/", flush=True)
        loop = asyncio.get_running_loop()
        stdin_closed = loop.run_in_executor(None, sys.stdin.read)
        await asyncio.wait([asyncio.ensure_future(stdin_closed)], timeout=args.max_seconds)


if __name__ == "__main__":
    asyncio.run(main())
