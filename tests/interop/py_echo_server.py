"""Reference echo server on Python `websockets`, with echo_server's command line.

Used to check the driving clients themselves (and as a stand-in for our
echo_server while it does not exist):
    py_echo_server.py 127.0.0.1:PORT [--protocol P]... [--tls-cert PEM --tls-key PEM] [--deflate]
"""

import argparse
import asyncio
import ssl

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from cases import MAX_MESSAGE


async def echo(ws):
    try:
        async for message in ws:
            await ws.send(message)
    except ConnectionClosed:
        pass  # a close code other than 1000/1001 is a normal end for an echo peer


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("addr")
    ap.add_argument("--protocol", action="append", default=[])
    ap.add_argument("--max-message", type=int, default=MAX_MESSAGE)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--deflate", action="store_true")
    args = ap.parse_args()
    host, port = args.addr.rsplit(":", 1)
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)

    def select(_conn, offered):
        return next((p for p in args.protocol if p in offered), None)

    async with serve(echo, host, int(port), ssl=tls, max_size=args.max_message, ping_interval=None,
                     compression="deflate" if args.deflate else None, select_subprotocol=select) as server:
        print(f"LISTENING {server.sockets[0].getsockname()[1]}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
