"""Python `websockets` server with permessage-deflate on (its defaults:
12-bit windows both ways, RFC 7692 §7.1.2), running the deflate case named
by the request path on each client that connects:

    py_deflate_server.py --label L
Listens on 127.0.0.1 (free port, printed as "LISTENING PORT"); one PASS/FAIL
line per connection, labelled "L NAME".
"""

import argparse
import asyncio

from websockets.asyncio.server import serve

from cases import MAX_MESSAGE, report
from deflate_cases import DEFLATE_CASES, run_deflate_case


async def handler(ws, label):
    name = ws.request.path.lstrip("/").split("?")[0]
    if name not in DEFLATE_CASES:
        report(f"{label} {name}", "unknown case")
        await ws.close(1008, "unknown case")
        return
    report(f"{label} {name}", await run_deflate_case(name, ws))


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    args = ap.parse_args()
    async with serve(lambda ws: handler(ws, args.label), "127.0.0.1", 0, max_size=MAX_MESSAGE,
                     ping_interval=None, compression="deflate", close_timeout=10) as server:
        print(f"LISTENING {server.sockets[0].getsockname()[1]}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
