#!/usr/bin/python3
"""Stand-in for examples/ws_echo: an RFC 6455 echo server written from scratch on asyncio streams.

Reference behaviour for the conformance and interop suites (and what they were developed
against before the C++ server existed). Not used by the registered CTest tests.

Behaviour (the seed's echo server, with the checks restws makes in the library):
- GET /chat with a valid WebSocket upgrade gets 101; anything else gets 400 (426 for a wrong
  Sec-WebSocket-Version). No extension is negotiated.
- Text, binary and continuation frames are echoed as received, frame by frame (same opcode, same
  FIN flag); ping is answered with a pong carrying the same payload; pong is ignored.
- A close frame is answered with a close echoing its code (1000 for an empty one) and reason, then
  TCP is closed.
- A bad frame fails the connection with close 1002 (framing, reserved bits/opcodes, control frame
  rules, continuation state, close payloads and codes), 1007 (invalid UTF-8 in text or close
  reason, detected as soon as the offending byte arrives, even inside a partly received frame) or
  1009 (frame or message over 16 MiB).

Over TLS with --tls-cert FILE --tls-key FILE (PEM chain and key, ws_echo's flags): wss:// and
ALPN http/1.1, TLS 1.2 and 1.3; Python's ssl module does the TLS.

Usage: standin_echo.py [--host localhost] [--port 8080] [--tls-cert FILE --tls-key FILE]
"""

import argparse
import asyncio
import base64
import hashlib
import os
import signal
import ssl
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import utf8util  # noqa: E402

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_FRAME = 16 * 1024 * 1024
MAX_MESSAGE = 16 * 1024 * 1024
MAX_HEADER = 16 * 1024
CHUNK = 64 * 1024
DRAIN_SECONDS = 2.0

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0, 1, 2, 8, 9, 10
VALID_OPCODES = {CONT, TEXT, BINARY, CLOSE, PING, PONG}


class Fail(Exception):
    """Fails the WebSocket connection with a close code."""

    def __init__(self, code, why):
        super().__init__(why)
        self.code = code


def unmask(data, mask, offset):
    """XORs data with the 4-byte mask, starting at mask position `offset` % 4."""
    n = len(data)
    if n == 0:
        return b""
    shift = offset % 4
    rotated = mask[shift:] + mask[:shift]
    key = (rotated * (n // 4 + 1))[:n]
    value = int.from_bytes(data, "little") ^ int.from_bytes(key, "little")
    return value.to_bytes(n, "little")


def frame(opcode, payload, fin=True):
    """An unmasked server frame."""
    first = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", first, n)
    elif n < 65536:
        header = struct.pack("!BBH", first, 126, n)
    else:
        header = struct.pack("!BBQ", first, 127, n)
    return header + payload


def valid_close_code(code):
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999


async def read_handshake(reader, writer):
    """Reads the upgrade request and answers it; False when the connection must end."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return False
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    fields = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            fields[name.strip().lower()] = value.strip()
    key = fields.get("sec-websocket-key", "")
    try:
        key_ok = len(base64.b64decode(key, validate=True)) == 16
    except ValueError:
        key_ok = False
    ok = (
        len(parts) == 3
        and parts[0] == "GET"
        and parts[1] == "/chat"
        and parts[2] == "HTTP/1.1"
        and fields.get("upgrade", "").lower() == "websocket"
        and "upgrade" in [t.strip().lower() for t in fields.get("connection", "").split(",")]
        and key_ok
    )
    if ok and fields.get("sec-websocket-version") != "13":
        writer.write(b"HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"
                     b"Content-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        return False
    if not ok:
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        return False
    accept = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
    writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n" % accept).encode())
    await writer.drain()
    return True


class Session:
    """One WebSocket connection: reads frames, validates them, echoes."""

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.message_opcode = None  # opcode of the fragmented message in progress
        self.text = None  # utf8util.Validator of the text message in progress
        self.message_size = 0  # bytes of the data message in progress

    async def read_exactly(self, n):
        return await self.reader.readexactly(n)

    async def read_frame(self):
        """Reads one frame, validating as bytes arrive; returns (fin, opcode, payload)."""
        b0, b1 = await self.read_exactly(2)
        fin, rsv, opcode = bool(b0 & 0x80), b0 & 0x70, b0 & 0x0F
        masked, length = bool(b1 & 0x80), b1 & 0x7F
        if rsv:
            raise Fail(1002, "reserved bits set")
        if opcode not in VALID_OPCODES:
            raise Fail(1002, "reserved opcode %d" % opcode)
        if not masked:
            raise Fail(1002, "client frame not masked")
        control = opcode >= CLOSE
        if control and (not fin or length > 125):
            raise Fail(1002, "bad control frame")
        if length == 126:
            (length,) = struct.unpack("!H", await self.read_exactly(2))
            if length < 126:
                raise Fail(1002, "non-minimal length")
        elif length == 127:
            (length,) = struct.unpack("!Q", await self.read_exactly(8))
            if length >> 63:
                raise Fail(1002, "length with high bit set")
            if length < 65536:
                raise Fail(1002, "non-minimal length")
        if not control:
            if opcode == CONT and self.message_opcode is None:
                raise Fail(1002, "continuation without a message")
            if opcode != CONT and self.message_opcode is not None:
                raise Fail(1002, "new message inside a fragmented one")
            if opcode == TEXT:
                self.text = utf8util.Validator()
        if length > MAX_FRAME:
            raise Fail(1009, "frame too big")
        if not control:
            self.message_size = (self.message_size if opcode == CONT else 0) + length
            if self.message_size > MAX_MESSAGE:
                raise Fail(1009, "message too big")
        mask = await self.read_exactly(4)
        validator = self.text if (not control and self.text is not None) else None
        parts, got = [], 0
        while got < length:
            chunk = await self.reader.read(min(CHUNK, length - got))
            if not chunk:
                raise asyncio.IncompleteReadError(b"", length - got)
            chunk = unmask(chunk, mask, got)
            got += len(chunk)
            if validator is not None and not validator.feed(chunk):
                raise Fail(1007, "invalid UTF-8 in text")
            parts.append(chunk)
        payload = b"".join(parts)
        if not control:
            if fin:
                if validator is not None and not validator.finish():
                    raise Fail(1007, "text ends inside a UTF-8 sequence")
                self.message_opcode, self.text = None, None
            elif opcode != CONT:
                self.message_opcode = opcode
        return fin, opcode, payload

    async def send(self, data):
        self.writer.write(data)
        await self.writer.drain()

    async def finish_tcp(self):
        """Closes our side, then discards what the peer still sends (bounded) before closing.

        TLS has no half-close (asyncio's TLS transport cannot write EOF): there the close is
        at once, close_notify then TCP's.
        """
        try:
            if not self.writer.can_write_eof():
                self.writer.close()
                return
            self.writer.write_eof()
            loop = asyncio.get_running_loop()
            deadline = loop.time() + DRAIN_SECONDS
            while loop.time() < deadline:
                data = await asyncio.wait_for(self.reader.read(CHUNK), deadline - loop.time())
                if not data:
                    break
        except (asyncio.TimeoutError, ConnectionError, OSError):
            pass
        self.writer.close()

    async def run(self):
        try:
            while True:
                fin, opcode, payload = await self.read_frame()
                if opcode in (TEXT, BINARY, CONT):
                    await self.send(frame(opcode, payload, fin))
                elif opcode == PING:
                    await self.send(frame(PONG, payload))
                elif opcode == CLOSE:
                    await self.send(frame(CLOSE, self.close_reply(payload)))
                    break
        except Fail as fail:
            try:
                await self.send(frame(CLOSE, struct.pack("!H", fail.code)))
            except (ConnectionError, OSError):
                pass
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        await self.finish_tcp()

    @staticmethod
    def close_reply(payload):
        if not payload:
            return struct.pack("!H", 1000)
        if len(payload) == 1:
            raise Fail(1002, "close payload of 1 byte")
        (code,) = struct.unpack("!H", payload[:2])
        if not valid_close_code(code):
            raise Fail(1002, "invalid close code %d" % code)
        validator = utf8util.Validator()
        if not (validator.feed(payload[2:]) and validator.finish()):
            raise Fail(1007, "invalid UTF-8 in close reason")
        return payload


async def handle(reader, writer):
    try:
        if await read_handshake(reader, writer):
            await Session(reader, writer).run()
            return
    except (ConnectionError, OSError):
        pass
    writer.close()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--tls-cert", help="PEM certificate chain: serve wss:// (with --tls-key)")
    parser.add_argument("--tls-key", help="PEM private key of --tls-cert")
    args = parser.parse_args()
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        tls.load_cert_chain(args.tls_cert, args.tls_key)
        tls.set_alpn_protocols(["http/1.1"])
    server = await asyncio.start_server(handle, args.host, args.port, limit=MAX_HEADER,
                                        reuse_address=True, ssl=tls)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print("standin_echo: listening on %s:%d%s" % (args.host, args.port, " (TLS)" if tls else ""),
          flush=True)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
