"""The server's end of one connection, for testing a WebSocket *client* (stdlib only).

The conformance cases (cases_*.py) are written against wsclient.Client's methods: send, send_raw,
send_close, flush, recv, quiet_for, wait_tcp_close. ServerSide has the same methods with the
roles turned round, so the same cases run against a client that echoes frame by frame: it
answers the client's opening handshake, sends unmasked frames, requires every frame it gets to
be masked (RFC 6455 §5.1), and at the end of a close handshake closes TCP first, as a server
does (§7.1.1), then requires the client's end of TCP to follow.
"""

import base64
import collections
import hashlib
import socket
import struct
import time

from wsclient import (CLOSE, GUID, OPCODE_NAMES, CaseFailed, Client)


def build_server_frame(opcode, payload=b"", fin=True, rsv=0):
    payload = bytes(payload)
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", first, n)
    elif n < 65536:
        header = struct.pack("!BBH", first, 126, n)
    else:
        header = struct.pack("!BBQ", first, 127, n)
    return header + payload


class ServerSide(Client):
    """An accepted connection from the client under test, after the opening handshake."""

    def __init__(self, sock, timeout=2.0):  # pylint: disable=super-init-not-called
        self.timeout = timeout
        self.sock = sock
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.tls = False
        self.out = collections.deque()
        self.inbuf = bytearray()
        self.pos = 0
        self.eof = False
        self.reset = False
        self.ragged = False
        self.offers = []
        self.deflate = self.deflater = self.inflater = None
        self.extensions_answer = []
        self.request = b""
        self._accept_handshake()
        self.sock.setblocking(False)

    def _accept_handshake(self):
        self.sock.settimeout(self.timeout)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise CaseFailed("the client closed TCP before its upgrade request was whole")
            data += chunk
            if len(data) > 16384:
                raise CaseFailed("the client's upgrade request is over 16 KiB")
        head, rest = data.split(b"\r\n\r\n", 1)
        if rest:
            raise CaseFailed("the client sent %d bytes before the 101" % len(rest))
        self.request = head
        lines = head.split(b"\r\n")
        if not lines[0].startswith(b"GET ") or not lines[0].endswith(b" HTTP/1.1"):
            raise CaseFailed("bad request line: %r" % lines[0])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            fields.setdefault(name.strip().lower(), []).append(value.strip())
        def one(name):
            values = fields.get(name, [])
            if len(values) != 1:
                raise CaseFailed("the request has %d %s fields" % (len(values), name.decode()))
            return values[0]
        if b"websocket" not in one(b"upgrade").lower():
            raise CaseFailed("no Upgrade: websocket")
        if b"upgrade" not in one(b"connection").lower():
            raise CaseFailed("no Connection: Upgrade")
        if one(b"sec-websocket-version") != b"13":
            raise CaseFailed("Sec-WebSocket-Version is not 13")
        one(b"host")
        key = one(b"sec-websocket-key")
        if len(base64.b64decode(key, validate=True)) != 16:
            raise CaseFailed("Sec-WebSocket-Key is not 16 bytes of base64")
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
        self.sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")

    def build(self, opcode, payload=b"", fin=True, rsv=0):
        return build_server_frame(opcode, payload, fin, rsv)

    def header(self, opcode, length, fin=True):
        return struct.pack("!BBQ", (0x80 if fin else 0) | opcode, 127, length)

    def _check_server_frame(self, frame):
        """Checks a frame from the client (the name is the one Client.recv() calls)."""
        if not frame.masked:
            raise CaseFailed("client sent an unmasked frame: %r" % frame)
        if frame.rsv:
            raise CaseFailed("client sent a frame with RSV=%d: %r" % (frame.rsv, frame))
        if frame.opcode not in OPCODE_NAMES:
            raise CaseFailed("client sent reserved opcode %d" % frame.opcode)
        if frame.opcode >= CLOSE and (not frame.fin or len(frame.payload) > 125):
            raise CaseFailed("client sent a bad control frame: %r" % frame)

    def wait_tcp_close(self, timeout=None, clean=False):
        """The close handshake is over: the server (we) closes TCP first, then the client's
        end must close too, with nothing sent after its close frame (and, with clean, no reset)."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        deadline = time.monotonic() + (timeout or self.timeout)
        while not self.eof:
            if len(self.inbuf) > self.pos:
                raise CaseFailed("client sent data after its close frame: %r"
                                 % bytes(self.inbuf[self.pos : self.pos + 32]))
            if not self._pump(deadline) and time.monotonic() >= deadline:
                raise CaseFailed("client did not close TCP within %.1f s after the server did"
                                 % (timeout or self.timeout))
        if len(self.inbuf) > self.pos:
            raise CaseFailed("client sent data after its close frame: %r"
                             % bytes(self.inbuf[self.pos : self.pos + 32]))
        if clean and self.reset:
            raise CaseFailed("client reset TCP instead of closing it after a clean close handshake")
