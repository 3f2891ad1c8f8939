"""A real, independent WebSocket peer for the C# end-to-end tests: Python `websockets` echo server.

Usage: echo_peer.py PORT [--protocol P ...] [--report] [--lifetime SECONDS]

Binds 127.0.0.1 only, prints `listening on 127.0.0.1:PORT` once ready, echoes every message
back with the same type, and exits by itself after --lifetime seconds (a bound in case the test
that started it dies without stopping it).

With --report, the peer first sends the client what it saw of the opening handshake (path,
headers, chosen sub-protocol) as a FrameV1 binary message with opcode REPORT_OPCODE and a JSON
payload, and echoes text messages back as FrameV1 binary with opcode TEXT_OPCODE, so a test
can check request details (authentication, headers, Origin) through INetRuntime.
"""

import argparse
import asyncio
import json
import struct
import sys

from websockets.asyncio.server import serve


REPORT_OPCODE = -1000
TEXT_OPCODE = -1001


def frame_v1(opcode: int, payload: bytes) -> bytes:
    return struct.pack("<i", opcode) + payload


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def report_then_echo(ws):
    report = {
        "path": ws.request.path,
        "headers": [[name.lower(), value] for name, value in ws.request.headers.raw_items()],
        "subprotocol": ws.subprotocol,
        "extensions": [extension.name for extension in ws.protocol.extensions],
    }
    await ws.send(frame_v1(REPORT_OPCODE, json.dumps(report).encode()))
    async for message in ws:
        if isinstance(message, str):
            await ws.send(frame_v1(TEXT_OPCODE, message.encode()))
        else:
            await ws.send(message)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--protocol", action="append", default=[])
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--lifetime", type=float, default=300.0)
    args = parser.parse_args()

    async with serve(
        report_then_echo if args.report else echo,
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
