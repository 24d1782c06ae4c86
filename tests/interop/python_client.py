#!/usr/bin/python3
"""Interop: the Python `websockets` client (Debian's python3-websockets) against the echo server.

Each case opens its own connection to ws://localhost:8080/chat and asserts what a user of that
client sees: the echo byte for byte, the pong, the close code.
Usage: python_client.py [--url URL] [--cafile FILE] CASE...
       (CASE: text binary large fragmented ping close; keepalive, against a server started with
       --idle-timeout-ms 600, subprotocol, against one started with --subprotocols
       graphql-transport-ws,mqtt, and deflate, against one started with --deflate, only when
       named)
Over TLS: --url wss://localhost:8080/chat --cafile CA.pem; the server's certificate must chain
to the CAs in FILE (only those: without --cafile, the system's) and name the URL's host.
Run it with /usr/bin/python3: the `websockets` package is Debian's, not a virtualenv's.
"""

import argparse
import asyncio
import logging
import os
import ssl
import sys

import websockets
from websockets.frames import Opcode

TIMEOUT = 5.0
# Keep-alive: pings the client must see (answered by websockets itself) before its idle connection
# is judged healthy; at one ping per half idle timeout, that spans three idle timeouts.
KEEPALIVE_PINGS = 6
KEEPALIVE_PAYLOAD = b"restws-keepalive"
CASES = {}
# Cases that need a server flag, run only when named.
NAMED_ONLY = {"keepalive", "subprotocol", "deflate"}
# Subprotocols: what the server speaks (ws_echo --subprotocols), in its order of preference, and
# what the client offers, in another order: the server's preference decides.
SERVER_SUBPROTOCOLS = ["graphql-transport-ws", "mqtt"]
CLIENT_OFFER = ["mqtt", "graphql-transport-ws"]
# Extra arguments to websockets.connect per case.
CONNECT_OPTIONS = {"subprotocol": {"subprotocols": CLIENT_OFFER}}


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


class PingWatcher(logging.Handler):
    """Counts the pings the client receives: websockets logs each frame it reads at debug level
    ("< %s", frame), and answers pings itself without telling the application."""

    def __init__(self, want):
        super().__init__(logging.DEBUG)
        self.want = want
        self.payloads = []
        self.enough = None  # an asyncio.Event, made in the case's own event loop

    def emit(self, record):
        frame = record.args[0] if record.msg == "< %s" and record.args else None
        if getattr(frame, "opcode", None) is Opcode.PING:
            self.payloads.append(bytes(frame.data))
            if len(self.payloads) >= self.want and self.enough is not None:
                self.enough.set()


# websockets decides at connect time whether to log frames, so the watcher's logger is given to
# every connection (it prints nothing; it only counts).
PINGS = PingWatcher(KEEPALIVE_PINGS)
PING_LOGGER = logging.getLogger("restws.interop.frames")
PING_LOGGER.setLevel(logging.DEBUG)
PING_LOGGER.propagate = False
PING_LOGGER.addHandler(PINGS)


@case
async def keepalive(ws):
    """Against a server with a short idle timeout (ws_echo --idle-timeout-ms 600): the client sends
    nothing and is still open and echoed after several idle timeouts."""
    PINGS.payloads.clear()
    PINGS.enough = asyncio.Event()
    closed = asyncio.ensure_future(ws.wait_closed())
    enough = asyncio.ensure_future(PINGS.enough.wait())
    done, _ = await asyncio.wait({closed, enough}, timeout=20.0,
                                 return_when=asyncio.FIRST_COMPLETED)
    closed.cancel()
    enough.cancel()
    check(enough in done, "%d keep-alive pings before %s" % (
        len(PINGS.payloads), "the close (%r)" % ws.close_code if closed in done
        else "the timeout"))
    check(all(p == KEEPALIVE_PAYLOAD for p in PINGS.payloads),
          "ping payloads: %r" % PINGS.payloads)
    got = await echo(ws, "still here")
    check(got == "still here", "echo after the pings: %r" % got)


@case
async def subprotocol(ws):
    """Against ws_echo --subprotocols graphql-transport-ws,mqtt: of the client's offer (mqtt,
    graphql-transport-ws) the server picks its own first choice; an offer it speaks none of gets
    a WebSocket without a subprotocol (RFC 6455 §4.2.2)."""
    check(ws.subprotocol == SERVER_SUBPROTOCOLS[0], "agreed subprotocol: %r" % ws.subprotocol)
    got = await echo(ws, "over graphql-transport-ws")
    check(got == "over graphql-transport-ws", "echo: %r" % got)
    async with websockets.connect(URL["url"], open_timeout=TIMEOUT, close_timeout=TIMEOUT,
                                  subprotocols=["xmpp"], **URL["tls"]) as other:
        check(other.subprotocol is None, "no common subprotocol, agreed: %r" % other.subprotocol)
        got = await echo(other, "no subprotocol")
        check(got == "no subprotocol", "echo without a subprotocol: %r" % got)


@case
async def deflate(ws):
    """Against ws_echo --deflate: permessage-deflate is agreed (websockets offers it by default)
    and text and binary messages of 20 B, 1 KiB, 64 KiB and 1 MiB echo back intact."""
    names = [e.name for e in ws.extensions]
    check(names == ["permessage-deflate"], "extensions agreed: %r" % names)
    for size in (20, 1024, 64 * 1024, 1 << 20):
        text = ("restws deflate %d " % size * (size // 10 + 1))[:size]
        got = await echo(ws, text)
        check(got == text, "compressed text echo of %d bytes: got %d" % (size, len(got)))
        data = bytes((i * 7) % 251 for i in range(size))
        got = await echo(ws, data)
        check(got == data, "compressed binary echo of %d bytes: got %d" % (size, len(got)))


# The server's URL (--url) and the TLS options for connect() (none for ws://), for cases that
# open a second connection.
URL = {"tls": {}}


def tls_options(url, cafile):
    """websockets.connect's ssl option for a wss:// URL: a client context that verifies the
    server's chain against `cafile` (the system's CAs when None) and checks the host name (the
    URL's host, also as server_name in the TLS handshake)."""
    if not url.startswith("wss://"):
        return {}
    return {"ssl": ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)}


async def run(url, name):
    """Runs one case on its own connection; returns the TLS version agreed (None over ws://)."""
    # ping_interval=None: the client's own keep-alive pings stay off, so that only the server's
    # keep the connection alive in the keepalive case.
    async with websockets.connect(url, max_size=4 << 20, open_timeout=TIMEOUT,
                                  close_timeout=TIMEOUT, ping_interval=None,
                                  logger=PING_LOGGER, **URL["tls"],
                                  **CONNECT_OPTIONS.get(name, {})) as ws:
        tls = ws.transport.get_extra_info("ssl_object")
        await CASES[name](ws)
        if name != "close":
            await asyncio.wait_for(ws.close(), TIMEOUT)
            check(ws.close_code == 1000, "normal close answered with %r" % ws.close_code)
        return tls.version() if tls is not None else None


def main():
    parser = argparse.ArgumentParser(description="websockets interop cases")
    parser.add_argument("--url", default="ws://localhost:8080/chat")
    parser.add_argument("--cafile", help="PEM file of the CAs a wss:// server must chain to")
    parser.add_argument("cases", nargs="*",
                        help="cases to run (default: all): %s" % " ".join(CASES))
    args = parser.parse_args()
    names = args.cases or [n for n in CASES if n not in NAMED_ONLY]
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error("unknown case(s): %s" % " ".join(unknown))
    if args.cafile and not args.url.startswith("wss://"):
        parser.error("--cafile needs a wss:// URL")
    URL["url"] = args.url
    URL["tls"] = tls_options(args.url, args.cafile)
    failed = 0
    for name in names:
        try:
            tls = asyncio.run(run(args.url, name))
            print("python websockets %s: %s OK%s" % (websockets.__version__, name,
                                                     " (%s)" % tls if tls else ""), flush=True)
        except Exception as err:  # any exception is a failed case, reported with its type
            failed += 1
            print("python websockets %s: %s FAILED: %s: %s"
                  % (websockets.__version__, name, type(err).__name__, err), flush=True)
    print("interop.python: %d passed, %d failed" % (len(names) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
