#!/usr/bin/env python3
"""A peer WebSocket server for the client interop tests: the Python `websockets` library
(Debian's python3-websockets, run by /usr/bin/python3). Prints its port on the first line of
stdout, then serves until killed. Each connection first gets one text message describing what
was agreed ("peer=python ext=... proto=..."), then every message is echoed.

Usage: peer_server.py [--cert FILE --key FILE] (wss when given)
"""
import argparse
import asyncio
import ssl
import sys

import websockets


async def handler(ws):
    ext = ws.response_headers.get("Sec-WebSocket-Extensions", "") if hasattr(ws, "response_headers") else ""
    await ws.send(f"peer=python ext={ext or '-'} proto={ws.subprotocol or '-'}")
    async for m in ws:
        await ws.send(m)


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cert")
    p.add_argument("--key")
    args = p.parse_args()
    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
    async with websockets.serve(handler, "127.0.0.1", 0, ssl=context, subprotocols=["chat"],
                                max_size=16 * 1024 * 1024) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
