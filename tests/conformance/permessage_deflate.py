"""The client's side of permessage-deflate (RFC 7692) for the conformance suite (stdlib only).

It writes offers, checks the server's answer as strictly as RFC 7692 §5 and §7.1 let a client
(anything the offer did not allow, a window over the one asked for, an unknown or repeated
parameter, a malformed field: the answer is refused and the case fails), and compresses and
inflates messages as agreed (§7.2): the 00 00 ff ff tail removed on send and appended on
receive, context kept or not per direction, the windows agreed. A message may also end with
a BFINAL block followed by one 00 byte (§7.2.3.4), as restws's libdeflate path sends.

zlib refuses a raw deflate window of 8 bits, so a client limited to 8 compresses with 9: zlib
never emits a distance over its window minus 262 bytes (250 for 9 bits), within what an 8-bit
peer can hold.

A server's window under 15 bits is checked exactly: zlib's inflate tests a distance against
its window only where the output of the current call cannot serve, so the first STRICT_BYTES a
connection inflates go one byte per call, and any distance over 2^bits then fails the message
("invalid distance too far back"). Past them (a byte per call costs about 2 us in Python) zlib
inflates whole messages and a too-far distance passes unnoticed.
"""

import zlib

NAME = "permessage-deflate"
TAIL = b"\x00\x00\xff\xff"
PARAMS = ("server_no_context_takeover", "client_no_context_takeover", "server_max_window_bits",
          "client_max_window_bits")
TCHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
INFLATE_LIMIT = 64 * 1024 * 1024  # no message of the suite inflates to more
STRICT_BYTES = 16 * 1024  # per connection, where the server's window is under 15 bits


class NegotiationError(Exception):
    """The server's Sec-WebSocket-Extensions answer is not acceptable to the client."""


class InflateError(Exception):
    """A compressed message from the server does not inflate as RFC 7692 §7.2.2 requires."""


class Offer:
    """One permessage-deflate offer (RFC 7692 §7.1).

    client_max_window_bits: None (absent), True (bare: the client takes a limit the server
    states) or 8-15 (the client's own limit). server_max_window_bits: 0 (absent) or 8-15.
    raw: the offer's text as written instead. Such an offer is one the server must decline and
    never what the answer accepts, unless valid=True: then it is written as `raw` and means what
    the other arguments say.
    """

    def __init__(self, server_no_context_takeover=False, client_no_context_takeover=False,
                 server_max_window_bits=0, client_max_window_bits=None, raw=None, valid=None):
        self.server_no_context_takeover = server_no_context_takeover
        self.client_no_context_takeover = client_no_context_takeover
        self.server_max_window_bits = server_max_window_bits
        self.client_max_window_bits = client_max_window_bits
        self.raw = raw
        self.valid = raw is None if valid is None else valid

    def text(self):
        if self.raw is not None:
            return self.raw
        parts = [NAME]
        if self.server_no_context_takeover:
            parts.append("server_no_context_takeover")
        if self.client_no_context_takeover:
            parts.append("client_no_context_takeover")
        if self.server_max_window_bits:
            parts.append("server_max_window_bits=%d" % self.server_max_window_bits)
        if self.client_max_window_bits is True:
            parts.append("client_max_window_bits")
        elif self.client_max_window_bits:
            parts.append("client_max_window_bits=%d" % self.client_max_window_bits)
        return "; ".join(parts)

    def refuses(self, answer):
        """Why `answer` (the parameters of a response) cannot accept this offer, or None."""
        if self.server_no_context_takeover and not answer.get("server_no_context_takeover"):
            return "server_no_context_takeover was offered but the answer drops it (§7.1.1.1)"
        server_bits = answer.get("server_max_window_bits")
        if self.server_max_window_bits:
            if server_bits is None:
                return ("server_max_window_bits=%d was offered but the answer states none "
                        "(§7.1.2.1)" % self.server_max_window_bits)
            if server_bits > self.server_max_window_bits:
                return ("server_max_window_bits=%d is over the %d offered (§7.1.2.1)"
                        % (server_bits, self.server_max_window_bits))
        client_bits = answer.get("client_max_window_bits")
        if client_bits is not None:
            if self.client_max_window_bits is None:
                return "client_max_window_bits is in the answer but not in the offer (§7.1.2.2)"
            limit = self.client_max_window_bits
            if limit is not True and client_bits > limit:
                return ("client_max_window_bits=%d is over the %d offered (§7.1.2.2)"
                        % (client_bits, limit))
        return None


def offer_fields(offers, one_field=True):
    """The Sec-WebSocket-Extensions field values for `offers`: one list, or one field each."""
    texts = [o.text() for o in offers]
    return [", ".join(texts)] if one_field else texts


class Agreement:
    """What both ends use once the answer is accepted (in the client's terms)."""

    def __init__(self, offer, index, answer, text):
        self.offer, self.index, self.answer, self.text = offer, index, answer, text
        self.server_no_context_takeover = bool(answer.get("server_no_context_takeover"))
        # Offering client_no_context_takeover binds the client, as the server's stating it does.
        self.client_no_context_takeover = (bool(answer.get("client_no_context_takeover"))
                                           or offer.client_no_context_takeover)
        self.server_window = answer.get("server_max_window_bits") or 15
        own = offer.client_max_window_bits if offer.client_max_window_bits not in (None, True) \
            else 15
        self.client_window = min(answer.get("client_max_window_bits") or 15, own)

    def __repr__(self):
        return "%r (offer %d)" % (self.text, self.index + 1)


# ---- the extension syntax (RFC 6455 §9.1, lists as RFC 9110 §5.6.1) -------------------------
class _Cursor:
    def __init__(self, text):
        self.s, self.i = text, 0

    def done(self):
        return self.i >= len(self.s)

    def skip_ows(self):
        while self.i < len(self.s) and self.s[self.i] in " \t":
            self.i += 1

    def eat(self, ch):
        if self.i < len(self.s) and self.s[self.i] == ch:
            self.i += 1
            return True
        return False

    def token(self):
        start = self.i
        while self.i < len(self.s) and self.s[self.i] in TCHARS:
            self.i += 1
        return self.s[start : self.i]

    def quoted(self):
        """A quoted string's content (escapes undone); None if unterminated."""
        out = []
        self.i += 1  # the opening quote
        while self.i < len(self.s):
            ch = self.s[self.i]
            self.i += 1
            if ch == '"':
                return "".join(out)
            if ch == "\\":
                if self.i >= len(self.s):
                    return None
                ch = self.s[self.i]
                self.i += 1
            out.append(ch)
        return None


def parse_extensions(value):
    """One field value as [(name, [(param, value or None), ...]), ...]; NegotiationError if bad."""
    c, out = _Cursor(value), []
    while True:
        c.skip_ows()
        if c.done():
            return out
        if c.eat(","):
            continue  # empty list elements are allowed
        name = c.token()
        if not name:
            raise NegotiationError("malformed Sec-WebSocket-Extensions %r at %d" % (value, c.i))
        params = []
        while True:
            c.skip_ows()
            if not c.eat(";"):
                break
            c.skip_ows()
            pname = c.token()
            if not pname:
                raise NegotiationError("malformed parameter in %r at %d" % (value, c.i))
            c.skip_ows()
            pvalue = None
            if c.eat("="):
                c.skip_ows()
                if not c.done() and c.s[c.i] == '"':
                    pvalue = c.quoted()
                    if not pvalue or any(ch not in TCHARS for ch in pvalue):
                        raise NegotiationError("bad quoted value in %r" % value)  # §9.1: a token
                else:
                    pvalue = c.token()
                    if not pvalue:
                        raise NegotiationError("missing value in %r at %d" % (value, c.i))
            params.append((pname, pvalue))
        out.append((name, params))
        c.skip_ows()
        if not c.done() and not c.eat(","):
            raise NegotiationError("malformed Sec-WebSocket-Extensions %r at %d" % (value, c.i))


def _window_bits(name, value):
    if value is None:
        raise NegotiationError("%s without a value in the answer" % name)
    if not (value.isdigit() and value.isascii() and value[0] != "0" and 8 <= int(value) <= 15):
        raise NegotiationError("%s=%s is not a window size 8-15 (§7.1.2)" % (name, value))
    return int(value)


def read_answer_params(params):
    """The parameters of the server's permessage-deflate element, checked (§7.1)."""
    answer = {}
    for name, value in params:
        if name not in PARAMS:
            raise NegotiationError("unknown parameter %r in the answer (§7.1)" % name)
        if name in answer:
            raise NegotiationError("parameter %r repeated in the answer (§7.1)" % name)
        if name.endswith("_no_context_takeover"):
            if value is not None:
                raise NegotiationError("%s=%s: the parameter takes no value" % (name, value))
            answer[name] = True
        else:
            answer[name] = _window_bits(name, value)
    return answer


def read_answer(values, offers):
    """Checks the 101's Sec-WebSocket-Extensions field values against the client's `offers`.

    Returns the Agreement (the first valid offer the answer accepts), or None when the server
    declined (no extension in the answer). NegotiationError when the client must fail the
    connection: a malformed field, an extension not offered, more than one, a parameter the
    offers did not allow.
    """
    elements = []
    for value in values:
        elements += parse_extensions(value)
    if not elements:
        return None
    text = ", ".join(values)
    if not offers:
        raise NegotiationError("the 101 states extensions %r, none was offered (RFC 6455 §9.1)"
                               % text)
    if len(elements) != 1:
        raise NegotiationError("the 101 states %d extensions %r, one can be accepted"
                               % (len(elements), text))
    name, params = elements[0]
    if name != NAME:
        raise NegotiationError("the 101 states extension %r, which was not offered" % name)
    answer = read_answer_params(params)
    reasons = []
    for i, offer in enumerate(offers):
        if not offer.valid:
            continue
        why = offer.refuses(answer)
        if why is None:
            return Agreement(offer, i, answer, text)
        reasons.append("offer %d: %s" % (i + 1, why))
    raise NegotiationError("the answer %r accepts none of the offers (%s)"
                           % (text, "; ".join(reasons)))


# ---- compressing and inflating (§7.2) -----------------------------------------------------------
class MessageDeflater:
    """Compresses whole messages: one zlib stream kept across them, or a fresh one each."""

    def __init__(self, window_bits, keep_context, level=zlib.Z_DEFAULT_COMPRESSION):
        self.window = max(9, window_bits)  # see the module's note on 8 bits
        self.keep_context = keep_context
        self.level = level
        self._z = None

    def compress(self, data):
        if self._z is None or not self.keep_context:
            self._z = zlib.compressobj(self.level, zlib.DEFLATED, -self.window, 8)
        out = self._z.compress(bytes(data)) + self._z.flush(zlib.Z_SYNC_FLUSH)
        if not out.endswith(TAIL):
            raise AssertionError("zlib's sync flush did not end in 00 00 ff ff: %r" % out[-8:])
        return out[: -len(TAIL)]


class MessageInflater:
    """Inflates the server's compressed messages with the server's window.

    The stream is kept across messages unless the server agreed server_no_context_takeover.
    """

    def __init__(self, window_bits, keep_context, limit=INFLATE_LIMIT):
        self.window = window_bits
        self.keep_context = keep_context
        self.limit = limit
        self.strict_left = STRICT_BYTES if window_bits < 15 else 0  # see the module's note
        self._z = None
        self._history = b""  # the window's bytes, for a stream that a final block ended

    def inflate(self, payload):
        if self._z is None or not self.keep_context:
            if self.keep_context and self._history:
                self._z = zlib.decompressobj(-self.window, zdict=self._history)
            else:
                self._z = zlib.decompressobj(-self.window)
        z = self._z
        data, out = bytes(payload) + TAIL, bytearray()
        try:
            # At the stream's end (a BFINAL block) the rest of the input is in unused_data
            # (and, when the output limit was reached too, still in unconsumed_tail).
            while self.strict_left > 0 and data and not z.eof and len(out) <= self.limit:
                piece = z.decompress(data, 1)
                data = z.unconsumed_tail
                if not piece:
                    break
                out += piece
                self.strict_left -= 1
            if data and not z.eof and len(out) <= self.limit:  # (max_length 0: no limit)
                out += z.decompress(data, self.limit + 1 - len(out))
        except zlib.error as err:
            self._z = None
            raise InflateError("does not inflate with a %d-bit window: %s"
                               % (self.window, err)) from None
        if len(out) > self.limit or (z.unconsumed_tail and not z.eof):
            raise InflateError("inflates to more than %d bytes" % self.limit)
        if z.eof:
            # A block with BFINAL set ended the stream (§7.2.1 allows it). What follows can only
            # be the appended tail, alone or completing the empty stored block whose header
            # byte 00 the sender wrote after its final block (the form of §7.2.3.4's example).
            # The next message starts a new stream (on the same window, when context is kept).
            if z.unused_data not in (TAIL, b"\x00" + TAIL):
                raise InflateError("ends its final deflate block with %r after it (only 00 "
                                   "may follow it, §7.2.3.4)" % z.unused_data[: -len(TAIL)][:16])
            self._z = None
        if self.keep_context:
            self._history = (self._history + out)[-(1 << self.window) :]
        return bytes(out)
