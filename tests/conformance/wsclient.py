"""A deliberately low-level WebSocket client for conformance testing (stdlib only).

It writes any frame, well-formed or not, in chosen chops (one send() per chop), and reads the
server's frames while it writes (so large echoes never deadlock). Every wait is bounded.
With permessage-deflate offers (permessage_deflate.py) it checks the server's answer in the
handshake and, once agreed, sends and receives compressed messages (send_message,
recv_message); RSV1 is then accepted from the server on a message's first frame only.
Over TLS (an ssl.SSLContext) every chop still goes out in its own send(), so in its own TLS
record(s); reads drain what the TLS layer has already decrypted before waiting on the socket.
"""

import base64
import collections
import errno
import hashlib
import os
import select
import socket
import ssl
import struct
import time

import permessage_deflate
from permessage_deflate import InflateError, NegotiationError

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0, 1, 2, 8, 9, 10
OPCODE_NAMES = {CONT: "cont", TEXT: "text", BINARY: "binary", CLOSE: "close", PING: "ping",
                PONG: "pong"}


class CaseFailed(Exception):
    """The server did not behave as the case requires."""


def mask_payload(payload, mask):
    n = len(payload)
    if n == 0:
        return b""
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")).to_bytes(n, "little")


def build_frame(opcode, payload=b"", fin=True, rsv=0, mask=None):
    """A masked client frame (mask chosen at random unless given)."""
    payload = bytes(payload)
    mask = os.urandom(4) if mask is None else mask
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", first, 0x80 | n)
    elif n < 65536:
        header = struct.pack("!BBH", first, 0x80 | 126, n)
    else:
        header = struct.pack("!BBQ", first, 0x80 | 127, n)
    return header + mask + mask_payload(payload, mask)


def close_payload(code=None, reason=b""):
    return b"" if code is None else struct.pack("!H", code) + reason


RSV1 = 4  # Frame.rsv and build_frame's rsv hold RSV1-RSV3 as bits 2-0


class Frame:
    """A frame received from the server."""

    def __init__(self, fin, rsv, opcode, masked, payload):
        self.fin, self.rsv, self.opcode = fin, rsv, opcode
        self.masked, self.payload = masked, payload

    def close_code(self):
        return struct.unpack("!H", self.payload[:2])[0] if len(self.payload) >= 2 else None

    def __repr__(self):
        return ("rsv%d " % self.rsv if self.rsv else "") + describe(self.opcode, self.payload,
                                                                    self.fin)


class Message:
    """A whole data message received from the server (its frames reassembled, inflated)."""

    def __init__(self, opcode, payload, compressed, frames, wire_size, controls):
        self.opcode, self.payload, self.compressed = opcode, payload, compressed
        self.frames, self.wire_size, self.controls = frames, wire_size, controls

    def __repr__(self):
        return "%s%s in %d frame(s)" % ("compressed " if self.compressed else "",
                                        describe(self.opcode, self.payload), self.frames)


def describe(opcode, payload, fin=True):
    name = OPCODE_NAMES.get(opcode, "opcode%d" % opcode)
    shown = bytes(payload[:24])
    more = "...(%d bytes)" % len(payload) if len(payload) > 24 else ""
    return "%s%s %r%s" % (name, "" if fin else "(fin=0)", shown, more)


class Client:
    """One WebSocket connection to the server under test, after a successful handshake."""

    def __init__(self, host, port, path="/chat", timeout=2.0, offers=None, one_field=True,
                 tls=None):
        """offers: permessage_deflate.Offer list to send in Sec-WebSocket-Extensions (one field,
        or one field per offer); the answer is checked (CaseFailed if unacceptable) and the
        agreement is then in self.deflate (None: declined).
        tls: an ssl.SSLContext to speak wss:// with (host is then the server name sent and
        checked, if the context checks host names); the TLS handshake is bounded by timeout.
        A TCP close without close_notify is told apart only if the context lacks
        ssl.OP_IGNORE_UNEXPECTED_EOF (conformance.tls_context clears it)."""
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.tls = tls is not None
        if self.tls:
            try:
                # Ragged EOFs raise, so that a TCP close without close_notify is seen as such.
                self.sock = tls.wrap_socket(self.sock, server_hostname=host,
                                            suppress_ragged_eofs=False)
            except ssl.SSLCertVerificationError as err:
                self.sock.close()
                raise CaseFailed("TLS: the server's certificate: %s" % err.verify_message)
            except (ssl.SSLError, socket.timeout) as err:
                self.sock.close()
                raise CaseFailed("TLS handshake failed: %s" % err)
        self.out = collections.deque()
        self.inbuf = bytearray()
        self.pos = 0
        self.eof = False
        self.reset = False
        self.ragged = False  # TLS: the stream ended without the server's close_notify
        self.offers = list(offers or [])
        self.deflate = self.deflater = self.inflater = None
        self.extensions_answer = []  # the 101's Sec-WebSocket-Extensions field values
        self._handshake(host, port, path, one_field)
        self.sock.setblocking(False)

    def _handshake(self, host, port, path, one_field):
        key = base64.b64encode(os.urandom(16))
        extensions = "".join("Sec-WebSocket-Extensions: %s\r\n" % v for v in
                             permessage_deflate.offer_fields(self.offers, one_field)) \
            if self.offers else ""
        request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                   "Sec-WebSocket-Version: 13\r\n%s\r\n"
                   % (path, host, port, key.decode(), extensions))
        self.sock.sendall(request.encode())
        deadline = time.monotonic() + self.timeout
        data = b""
        while b"\r\n\r\n" not in data:
            if time.monotonic() > deadline or len(data) > 16384:
                raise CaseFailed("no complete handshake response")
            chunk = self.sock.recv(4096)
            if not chunk:
                raise CaseFailed("connection closed during the handshake: %r" % data)
            data += chunk
        head, rest = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("HTTP/1.1 101"):
            raise CaseFailed("handshake answered %r" % lines[0])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            fields[name] = value
            if name == "sec-websocket-extensions":
                self.extensions_answer.append(value)
        expected = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        if fields.get("sec-websocket-accept") != expected:
            raise CaseFailed("bad Sec-WebSocket-Accept %r" % fields.get("sec-websocket-accept"))
        try:
            self.deflate = permessage_deflate.read_answer(self.extensions_answer, self.offers)
        except NegotiationError as err:
            raise CaseFailed("unacceptable permessage-deflate answer to %r: %s"
                             % (permessage_deflate.offer_fields(self.offers, one_field),
                                err)) from None
        if self.deflate is not None:
            d = self.deflate
            self.deflater = permessage_deflate.MessageDeflater(d.client_window,
                                                               not d.client_no_context_takeover)
            self.inflater = permessage_deflate.MessageInflater(d.server_window,
                                                               not d.server_no_context_takeover)
        self.inbuf += rest

    # ---- writing -------------------------------------------------------------------------------
    def send_raw(self, data, chop=None):
        """Queues bytes, each chop of `chop` bytes to go out in its own send() call."""
        data = bytes(data)
        if chop:
            for i in range(0, len(data), chop):
                self.out.append(data[i : i + chop])
        elif data:
            self.out.append(data)

    def build(self, opcode, payload=b"", fin=True, rsv=0):
        """One frame as this end sends it (a client's: masked), for cases that write it in parts."""
        return build_frame(opcode, payload, fin, rsv)

    def header(self, opcode, length, fin=True):
        """Only the header of a frame of `length` payload bytes, as this end sends it."""
        first = (0x80 if fin else 0) | opcode
        return struct.pack("!BBQ", first, 0x80 | 127, length) + os.urandom(4)

    def send(self, opcode, payload=b"", fin=True, rsv=0, chop=None):
        """Queues one frame."""
        self.send_raw(self.build(opcode, payload, fin, rsv), chop)

    def send_message(self, opcode, payload, compress=True, frag=None, chop=None):
        """Queues one data message: compressed when deflate was agreed and `compress` (RSV1 on
        its first frame only), cut into frames of `frag` bytes of what goes on the wire."""
        compressed = compress and self.deflate is not None
        data = self.deflater.compress(payload) if compressed else bytes(payload)
        step = frag or max(1, len(data))
        starts = range(0, len(data), step) if data else [0]
        for i, start in enumerate(starts):
            self.send(opcode if i == 0 else CONT, data[start : start + step],
                      fin=start + step >= len(data), rsv=RSV1 if compressed and i == 0 else 0,
                      chop=chop)
        return len(data)

    def send_close(self, code=None, reason=b""):
        self.send(CLOSE, close_payload(code, reason))

    def flush(self, timeout=None):
        """Writes everything queued (reading meanwhile); False if the peer stopped taking it."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while self.out:
            if not self._pump(deadline):
                return False
        return True

    # ---- reading -------------------------------------------------------------------------------
    def _pump(self, deadline):
        """One select round: reads what arrived, writes one chop. False on timeout or dead peer."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        if self.eof and self.out:
            self.out.clear()  # the peer is gone: nothing more can be delivered
            return False
        wlist = [self.sock] if self.out else []
        rlist = [] if self.eof else [self.sock]
        if not rlist and not wlist:
            return False
        # Bytes TLS has decrypted already are not readable on the socket: no waiting for them.
        buffered = bool(rlist) and self.tls and self.sock.pending() > 0
        readable, writable, _ = select.select(rlist, wlist, [], 0 if buffered else remaining)
        readable = readable or buffered
        if readable:
            self._read_available()
        if writable and self.out:
            head = self.out[0]
            try:
                sent = self.sock.send(head)
                if sent == len(head):
                    self.out.popleft()
                else:
                    self.out[0] = head[sent:]
            except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
                pass  # TLS: the same bytes are sent again when the socket takes more
            except ssl.SSLError:  # e.g. the server's close_notify came first: it takes no more
                self.out.clear()
            except OSError as err:
                if err.errno not in (errno.EPIPE, errno.ECONNRESET):
                    raise
                self.out.clear()
        return bool(readable or writable)

    def _read_available(self):
        """Reads what the socket has (and, over TLS, all that is decrypted) into inbuf."""
        while True:
            try:
                chunk = self.sock.recv(1 << 20)
            except ConnectionResetError:
                self.eof = self.reset = True
                return
            except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
                return  # nothing yet, or only TLS records without application data
            except ssl.SSLError as err:
                # TCP closed without close_notify: SSLEOFError, or (Python 3.11 with OpenSSL 3)
                # an SSLError of reason UNEXPECTED_EOF_WHILE_READING.
                if not (isinstance(err, ssl.SSLEOFError)
                        or getattr(err, "reason", None) == "UNEXPECTED_EOF_WHILE_READING"):
                    raise
                self.eof = self.ragged = True
                return
            if not chunk:  # TCP closed (over TLS: close_notify received)
                self.eof = True
                return
            self.inbuf += chunk
            if not (self.tls and self.sock.pending() > 0):
                return

    def _parse(self):
        buf, pos = self.inbuf, self.pos
        avail = len(buf) - pos
        if avail < 2:
            return None
        b0, b1 = buf[pos], buf[pos + 1]
        length, offset = b1 & 0x7F, 2
        if length == 126:
            if avail < 4:
                return None
            (length,) = struct.unpack_from("!H", buf, pos + 2)
            offset = 4
        elif length == 127:
            if avail < 10:
                return None
            (length,) = struct.unpack_from("!Q", buf, pos + 2)
            offset = 10
        masked = bool(b1 & 0x80)
        mask = b""
        if masked:
            if avail < offset + 4:
                return None
            mask = bytes(buf[pos + offset : pos + offset + 4])
            offset += 4
        if avail < offset + length:
            return None
        payload = bytes(buf[pos + offset : pos + offset + length])
        if masked:
            payload = mask_payload(payload, mask)
        self.pos = pos + offset + length
        if self.pos > (1 << 20):
            del self.inbuf[: self.pos]
            self.pos = 0
        return Frame(bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0x0F, masked, payload)

    def recv(self, timeout=None):
        """The next frame, or None if TCP closed first; CaseFailed on timeout or a bad frame."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            frame = self._parse()
            if frame is not None:
                self._check_server_frame(frame)
                return frame
            if self.eof:
                return None
            if not self._pump(deadline) and time.monotonic() >= deadline:
                raise CaseFailed("timed out waiting for a frame (%.1f s)"
                                 % (timeout or self.timeout))

    def recv_message(self, timeout=None):
        """The next whole data message, its frames reassembled and inflated if compressed.

        Control frames other than close that arrive between its frames are kept in
        Message.controls. CaseFailed on a close, TCP closing, a frame out of sequence or
        compressed data that does not inflate (RFC 7692 §7.2.2).
        """
        controls, parts, first = [], [], None
        while True:
            frame = self.recv(timeout)
            what = "the first frame of a message" if first is None else \
                "the rest of %r" % first
            if frame is None:
                raise CaseFailed("TCP closed while waiting for %s" % what)
            if frame.opcode == CLOSE:
                raise CaseFailed("server closed with %s (%r) while waiting for %s"
                                 % (frame.close_code(), frame.payload[2:], what))
            if frame.opcode in (PING, PONG):
                controls.append(frame)
                continue
            if (first is None) != (frame.opcode != CONT):
                raise CaseFailed("%r arrived while waiting for %s" % (frame, what))
            first = first or frame
            parts.append(frame.payload)
            if frame.fin:
                break
        data = b"".join(parts)
        compressed = bool(first.rsv & RSV1)
        if compressed:
            try:
                payload = self.inflater.inflate(data)
            except InflateError as err:
                raise CaseFailed("the server's compressed %s message of %d bytes (%d frames) %s"
                                 % (OPCODE_NAMES[first.opcode], len(data), len(parts),
                                    err)) from None
        else:
            payload = data
        return Message(first.opcode, payload, compressed, len(parts), len(data), controls)

    def _check_server_frame(self, frame):
        if frame.masked:
            raise CaseFailed("server sent a masked frame: %r" % frame)
        allowed = RSV1 if self.deflate is not None and frame.opcode in (TEXT, BINARY) else 0
        if frame.rsv & ~allowed:
            raise CaseFailed("server sent a frame with RSV=%d%s: %r"
                             % (frame.rsv, "" if self.deflate is None else
                                " (permessage-deflate allows RSV1 on a message's first frame "
                                "only)", frame))
        if frame.opcode not in OPCODE_NAMES:
            raise CaseFailed("server sent reserved opcode %d" % frame.opcode)
        if frame.opcode >= CLOSE and (not frame.fin or len(frame.payload) > 125):
            raise CaseFailed("server sent a bad control frame: %r" % frame)

    def quiet_for(self, seconds):
        """True when nothing at all arrives (and TCP stays open) for `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(self.inbuf) > self.pos or self.eof:
                return False
            self._pump(deadline)
        return len(self.inbuf) == self.pos and not self.eof

    def wait_tcp_close(self, timeout=None, clean=False):
        """Waits for the server to close TCP; CaseFailed if a frame or nothing arrives instead.

        With clean=True the close must be orderly (FIN): a reset means the server aborted the
        connection, which may lose data it had sent. Over TLS the server's close_notify ends the
        stream (what follows it is not read), and with clean=True it must come before TCP's
        close: without it a client cannot tell the close from a truncation (RFC 8446 §6.1).
        """
        deadline = time.monotonic() + (timeout or self.timeout)
        while not self.eof:
            if len(self.inbuf) > self.pos:
                raise CaseFailed("server sent data after its close frame: %r"
                                 % bytes(self.inbuf[self.pos : self.pos + 32]))
            if not self._pump(deadline) and time.monotonic() >= deadline:
                raise CaseFailed("server did not close TCP within %.1f s after the close "
                                 "handshake" % (timeout or self.timeout))
        if len(self.inbuf) > self.pos:
            raise CaseFailed("server sent data after its close frame: %r"
                             % bytes(self.inbuf[self.pos : self.pos + 32]))
        if clean and self.reset:
            raise CaseFailed("server reset TCP instead of closing it after a clean close handshake")
        if clean and self.ragged:
            raise CaseFailed("server closed TCP without a TLS close_notify after a clean close "
                             "handshake")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
