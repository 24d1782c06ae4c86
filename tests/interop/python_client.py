#!/usr/bin/python3
"""Interop: the Python `websockets` client (Debian's python3-websockets) against the echo server.

Each case opens its own connection to ws://localhost:8080/chat and asserts what a user of that
client sees: the echo byte for byte, the pong, the close code.
Usage: python_client.py [--url URL] CASE...   (CASE: text binary large fragmented ping close)
Run it with /usr/bin/python3: the `websockets` package is Debian's, not a virtualenv's.
"""

import argparse
import asyncio
import os
import sys

import websockets

TIMEOUT = 5.0
CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


async def echo(ws, message):
    await ws.send(message)
    return await asyncio.wait_for(ws.recv(), TIMEOUT)


def check(condition, what):
    if not condition:
        raise AssertionError(what)


@case
async def text(ws):
    message = "Hello, κόσμε! 😀"
    got = await echo(ws, message)
    check(got == message, "text echo: sent %r, got %r" % (message, got))


@case
async def binary(ws):
    message = bytes(range(256)) * 4
    got = await echo(ws, message)
    check(isinstance(got, bytes) and got == message, "binary echo differs")


@case
async def large(ws):
    message = os.urandom(1 << 20)
    got = await echo(ws, message)
    check(isinstance(got, bytes) and got == message,
          "1 MiB echo differs (got %d bytes)" % len(got))


@case
async def fragmented(ws):
    parts = ["frag-1 ", "κόσμε ", "", "frag-4"]
    await ws.send(iter(parts))  # an iterable is sent as one fragmented message
    got = await asyncio.wait_for(ws.recv(), TIMEOUT)
    check(got == "".join(parts), "fragmented echo: got %r" % got)


@case
async def ping(ws):
    waiter = await ws.ping(b"ping-payload")
    await asyncio.wait_for(waiter, TIMEOUT)  # resolves only on a pong with the same payload


@case
async def close(ws):
    await asyncio.wait_for(ws.close(4000, "bye"), TIMEOUT)
    check(ws.close_code == 4000, "close code seen by the client: %r" % ws.close_code)


async def run(url, name):
    async with websockets.connect(url, max_size=4 << 20, open_timeout=TIMEOUT,
                                  close_timeout=TIMEOUT) as ws:
        await CASES[name](ws)
        if name != "close":
            await asyncio.wait_for(ws.close(), TIMEOUT)
            check(ws.close_code == 1000, "normal close answered with %r" % ws.close_code)


def main():
    parser = argparse.ArgumentParser(description="websockets interop cases")
    parser.add_argument("--url", default="ws://localhost:8080/chat")
    parser.add_argument("cases", nargs="*",
                        help="cases to run (default: all): %s" % " ".join(CASES))
    args = parser.parse_args()
    names = args.cases or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error("unknown case(s): %s" % " ".join(unknown))
    failed = 0
    for name in names:
        try:
            asyncio.run(run(args.url, name))
            print("python websockets %s: %s OK" % (websockets.__version__, name), flush=True)
        except Exception as err:  # any exception is a failed case, reported with its type
            failed += 1
            print("python websockets %s: %s FAILED: %s: %s"
                  % (websockets.__version__, name, type(err).__name__, err), flush=True)
    print("interop.python: %d passed, %d failed" % (len(names) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
