"""Echo peer for the engine's interop test (python-websockets, a real third-party server).

Prints its port, then serves until stdin closes. Path /whoami answers with the
request as the server saw it (path, Authorization header, chosen sub-protocol).
"""
import asyncio
import json
import sys

import websockets


async def handler(ws):
    if ws.request.path.startswith("/whoami"):
        await ws.send(json.dumps({
            "path": ws.request.path,
            "authorization": ws.request.headers.get("Authorization"),
            "subprotocol": ws.subprotocol,
        }))
    async for message in ws:
        await ws.send(message)


def select_subprotocol(connection, offered):
    # Choose a known token if offered; accept clients that offer none.
    return next((p for p in offered if p in ("chat", "tok123")), None)


async def main():
    async with websockets.serve(
        handler, "127.0.0.1", 0, max_size=None, ping_interval=None,
        select_subprotocol=select_subprotocol,
    ) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


asyncio.run(main())
