"""Python `websockets` server running one case on each client that connects.

    py_drive_server.py --label L [--tls-cert PEM --tls-key PEM]
Listens on 127.0.0.1 (free port, printed as "LISTENING PORT"). The request
path names the case (/text, /binary-0, ...); one PASS/FAIL line is printed
per connection, labelled "L NAME". It picks sub-protocol chat.v1 when offered.
"""

import argparse
import asyncio
import ssl

from websockets.asyncio.server import serve

from cases import CASES, MAX_MESSAGE, PROTOCOL, report, run_case


async def handler(ws, label):
    name = ws.request.path.lstrip("/").split("?")[0]
    if name not in CASES:
        report(f"{label} {name}", "unknown case")
        await ws.close(1008, "unknown case")
        return
    report(f"{label} {name}", await run_case(name, ws))


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    args = ap.parse_args()
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)

    def select(_conn, offered):
        return PROTOCOL if PROTOCOL in offered else None

    async with serve(lambda ws: handler(ws, args.label), "127.0.0.1", 0, ssl=tls,
                     max_size=MAX_MESSAGE, ping_interval=None, compression=None,
                     select_subprotocol=select, close_timeout=10) as server:
        print(f"LISTENING {server.sockets[0].getsockname()[1]}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
