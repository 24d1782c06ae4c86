"""Autobahn sections 12 and 13: permessage-deflate (RFC 7692), against ws_echo --deflate.

Each case offers permessage-deflate in its handshake, checks the server's answer (an answer the
offer does not allow fails the case, permessage_deflate.read_answer), then makes count round
trips: a compressed message (the next slice of its corpus), its echo awaited and compared whole
(the frames reassembled, inflated if the server compressed them) before the next one goes; then
a clean close. A server that declines permessage-deflate fails every case (Autobahn reports
UNIMPLEMENTED; a server run with --deflate must agree).

12.1-12.5: the default offer (client_no_context_takeover; client_max_window_bits), one corpus
each, Autobahn's 18 message sizes and auto-fragment sizes (12.x.19, 256 KiB in one frame, is
restws's). 12.6: restws's additions (uncompressed messages in a deflate session, min_size, the
empty message, fragments, control frames, failures). 13.1-13.7: Autobahn's offers, JSON data,
the same sizes; 13.8-13.13: restws's (client windows, declined first offers, offers over two
fields, a quoted value).

Autobahn sends 1000 messages of every size; count_for() scales that down to about 1 MiB of
payload per case (never more than 1000 nor fewer than 8 messages) to keep each section well
within a minute on a loaded 2-core machine.
"""

import random
import zlib

from checks import close_normally, echo_of, expect_message, fail_with, pong
from deflate_corpus import bitmap, german_text, html_text, json_text, messages, pdf
from permessage_deflate import Offer
from wsclient import BINARY, CONT, PING, RSV1, TEXT, CaseFailed

KIB = 1024
BUDGET = 1024 * KIB  # payload bytes per case
# (message size, auto-fragment size: 0 = one frame), as Autobahn's MSG_SIZES; then restws's.
SIZES = [(16, 0), (64, 0), (256, 0), (1024, 0), (4096, 0), (8192, 0), (16384, 0), (32768, 0),
         (65536, 0), (131072, 0),
         (8192, 256), (16384, 256), (32768, 256), (65536, 256), (131072, 256), (131072, 1024),
         (131072, 4096), (131072, 32768),
         (262144, 0)]
MIN_SIZE = 64  # ws_settings_t::deflate.min_size: shorter messages are sent uncompressed
TIMEOUT = 10.0  # per frame


def count_for(size):
    return max(8, min(1000, BUDGET // size))


def _require_deflate(c):
    if c.deflate is None:
        raise CaseFailed("permessage-deflate was not agreed: the 101 answers %r with %s"
                         % ([o.text() for o in c.offers],
                            "Sec-WebSocket-Extensions: %r" % c.extensions_answer
                            if c.extensions_answer else "no Sec-WebSocket-Extensions"))
    return c.deflate


def _with_offers(run, offers, one_field=True):
    """The runner opens the case's connection with these offers (wsclient.Client)."""
    run.offers = offers
    run.one_field = one_field
    return run


def _round_trips(offers, data, opcode, size, count, frag, one_field=True, agreed=None):
    """count messages of `size` bytes of `data`, each sent (compressed, in frames of `frag`
    bytes of compressed data) after the echo of the previous one arrived intact.
    agreed(agreement): further checks of what was agreed (CaseFailed)."""

    def run(c):
        agreement = _require_deflate(c)
        if agreed:
            agreed(agreement)
        source = messages(data, size)
        for _ in range(count):
            payload = next(source)
            c.send_message(opcode, payload, frag=frag or None)
            expect_message(c, opcode, payload, timeout=TIMEOUT)
        close_normally(c, timeout=TIMEOUT)

    return _with_offers(run, offers, one_field)


def _sized_cases(prefix, offers, data, opcode, one_field=True, agreed=None):
    for i, (size, frag) in enumerate(SIZES, 1):
        count = count_for(size)
        how = "in frames of %d bytes" % frag if frag else "in one frame"
        yield ("%s.%d" % (prefix, i),
               "%d compressed messages of %d bytes, %s" % (count, size, how),
               _round_trips(offers, data, opcode, size, count, frag, one_field, agreed))


# ---- section 12 ------------------------------------------------------------------------------
def default_offer():
    """Autobahn's default offer: permessage-deflate; client_no_context_takeover;
    client_max_window_bits."""
    return [Offer(client_no_context_takeover=True, client_max_window_bits=True)]


CORPORA = [
    ("12.1", "German text of a play, as binary", german_text, BINARY),
    ("12.2", "512x512 grayscale bitmap", bitmap, BINARY),
    ("12.3", "PDF-like, its streams incompressible", pdf, BINARY),
    ("12.4", "JSON document, as text", json_text, TEXT),
    ("12.5", "HTML document, as text", html_text, TEXT),
]


def _json(size, start=0):
    data = json_text()
    return data[start : start + size]


def _uncompressed_echo(c):
    """Messages with RSV1 clear in a deflate session, whole and fragmented, are echoed."""
    _require_deflate(c)
    big, small = _json(1024), _json(20, 1024)
    c.send_message(TEXT, big, compress=False)
    expect_message(c, TEXT, big)
    c.send_message(TEXT, small, compress=False)
    expect_message(c, TEXT, small)
    parts = [_json(100, 2000), _json(5, 2100), _json(300, 2105)]
    c.send(TEXT, parts[0], fin=False)
    c.send(CONT, parts[1], fin=False)
    c.send(CONT, parts[2])
    expect_message(c, TEXT, b"".join(parts))
    close_normally(c)


def _alternating(c):
    """Compressed and uncompressed messages alternate; every echo is intact."""
    _require_deflate(c)
    source = messages(json_text(), 300)
    for i in range(20):
        payload = next(source)
        c.send_message(TEXT, payload, compress=i % 2 == 0)
        expect_message(c, TEXT, payload)
    close_normally(c)


def _repetitive(size):
    return (b'{"key":"value"},' * (size // 16 + 1))[:size]


def _min_size(size, compressed):
    """The echo of a message of `size` bytes arrives compressed or not (restws's min_size:
    whole messages of MIN_SIZE bytes or more are compressed, shorter ones are not). The data
    shrinks well, so that restws's rule for messages that would not shrink stays out of it."""

    def run(c):
        _require_deflate(c)
        for opcode, payload in ((TEXT, _repetitive(size)), (BINARY, _repetitive(size))):
            for compress in (True, False):
                c.send_message(opcode, payload, compress=compress)
                expect_message(c, opcode, payload, compressed=compressed)
        close_normally(c)

    return _with_offers(run, default_offer())


def _incompressible(c):
    """restws without context sends a message that would not shrink uncompressed (RSV1 clear);
    a compressible one of the same size still goes compressed."""
    _require_deflate(c)
    noise = random.Random(12006).randbytes(4096)
    for compress in (True, False):
        c.send_message(BINARY, noise, compress=compress)
        expect_message(c, BINARY, noise, compressed=False)
    c.send_message(BINARY, _repetitive(4096))
    expect_message(c, BINARY, _repetitive(4096), compressed=True)
    close_normally(c)


def _empty_message(c):
    """An empty message compressed as RFC 7692 §7.2.3.6 shows (payload 00) is echoed empty,
    and the session goes on."""
    _require_deflate(c)
    for opcode in (TEXT, BINARY):
        c.send(opcode, b"\x00", rsv=RSV1)
        expect_message(c, opcode, b"")
    c.send_message(TEXT, _json(200))
    expect_message(c, TEXT, _json(200))
    close_normally(c)


def _one_byte_frames(c):
    """A 4 KiB compressed message in frames of one byte of compressed data."""
    _require_deflate(c)
    payload = _json(4096)
    n = c.send_message(TEXT, payload, frag=1)
    c.flush()
    expect_message(c, TEXT, payload, timeout=TIMEOUT)
    if n < 100:
        raise CaseFailed("test data error: only %d compressed bytes" % n)
    close_normally(c)


def _ping_between_fragments(c):
    """A ping between the frames of a compressed message is answered; the message is intact."""
    _require_deflate(c)
    payload = _json(8192)
    data = c.deflater.compress(payload)
    half = len(data) // 2
    c.send(TEXT, data[:half], fin=False, rsv=RSV1)
    c.send(PING, b"between")
    c.send(CONT, data[half:])
    message = expect_message(c, TEXT, payload)  # the pong comes before its last frame
    got = [(f.opcode, f.payload, f.fin) for f in message.controls]
    if got != [pong(b"between")]:
        raise CaseFailed("expected one pong 'between' before the echo's last frame, got %r"
                         % message.controls)
    close_normally(c)


def _rsv1_on(frames, code, echoes=()):
    """Frames where RFC 7692 §6 forbids RSV1 (or corrupt data): the server fails with `code`,
    after none or all of `echoes`."""

    def run(c):
        _require_deflate(c)
        hello = _json(100)
        c.send_message(TEXT, hello)
        expect_message(c, TEXT, hello)
        for opcode, payload, fin, rsv in frames(c):
            c.send(opcode, payload, fin=fin, rsv=rsv)
        fail_with(c, code, echoes, min_echoes=0)

    return _with_offers(run, default_offer())


def _declined(c):
    """Only offers the server must decline (a window of 16, a value where none is allowed): the
    101 states no extension, messages go uncompressed, and RSV1 is then a protocol error."""
    if c.deflate is not None or c.extensions_answer:
        raise CaseFailed("the server accepted %r from invalid offers" % c.extensions_answer)
    hello = _json(200)
    c.send(TEXT, hello)
    expect_message(c, TEXT, hello, compressed=False)
    c.send(TEXT, zlib_raw(hello), rsv=RSV1)
    fail_with(c, 1002)


def zlib_raw(data):
    z = zlib.compressobj(6, zlib.DEFLATED, -15)
    return (z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH))[:-4]


def _rsv1_continuation(c):
    # One byte of deflate data cannot hold a literal yet: the first frame's echo, if the server
    # sends one before failing, is an empty fragment.
    data = c.deflater.compress(_json(1000))
    return [(TEXT, data[:1], False, RSV1), (CONT, data[1:], True, RSV1)]


def _rsv1_ping(c):
    return [(PING, b"compressed?", True, RSV1)]


def _corrupt(c):
    return [(TEXT, b"\xff\xff\xff\xff\x00\x01", True, RSV1)]


def _invalid_utf8(c):
    return [(TEXT, c.deflater.compress(b"valid, then \xed\xa0\x80 a surrogate"), True, RSV1)]


def section12():
    for prefix, what, corpus, opcode in CORPORA:
        for case_id, description, run in _sized_cases(prefix, default_offer(), corpus(), opcode):
            yield case_id, "%s: %s" % (what, description), run
    extra = [
        ("uncompressed messages (RSV1 clear), whole and fragmented, are echoed",
         _with_offers(_uncompressed_echo, default_offer())),
        ("20 messages, compressed and uncompressed in turn, are echoed",
         _with_offers(_alternating, default_offer())),
        ("echo of a %d-byte message arrives uncompressed (min_size)" % (MIN_SIZE - 1),
         _min_size(MIN_SIZE - 1, False)),
        ("echo of a %d-byte message arrives compressed (min_size)" % MIN_SIZE,
         _min_size(MIN_SIZE, True)),
        ("echo of an incompressible 4 KiB message arrives uncompressed (no context)",
         _with_offers(_incompressible, default_offer())),
        ("empty compressed message (payload 00) is echoed empty",
         _with_offers(_empty_message, default_offer())),
        ("4 KiB compressed message in frames of one byte",
         _with_offers(_one_byte_frames, default_offer())),
        ("ping between the frames of a compressed message",
         _with_offers(_ping_between_fragments, default_offer())),
        ("only invalid offers: declined, messages uncompressed, RSV1 fails with 1002",
         _with_offers(_declined, [Offer(raw="permessage-deflate; server_max_window_bits=16"),
                                  Offer(raw="permessage-deflate; client_no_context_takeover=1")])),
        ("RSV1 on a continuation frame fails with 1002", _rsv1_on(_rsv1_continuation, 1002,
                                                                     [echo_of(TEXT, b"", False)])),
        ("RSV1 on a ping fails with 1002", _rsv1_on(_rsv1_ping, 1002)),
        ("corrupt deflate data fails with 1007", _rsv1_on(_corrupt, 1007)),
        ("compressed text that inflates to invalid UTF-8 fails with 1007",
         _rsv1_on(_invalid_utf8, 1007)),
    ]
    for i, (description, run) in enumerate(extra, 1):
        yield "12.6.%d" % i, description, run


# ---- section 13 ------------------------------------------------------------------------------
def _autobahn_offer(server_no_context_takeover=False, server_max_window_bits=0):
    """Autobahn's client offers: client_no_context_takeover and client_max_window_bits
    always, server_no_context_takeover and server_max_window_bits as the case asks."""
    return Offer(server_no_context_takeover=server_no_context_takeover,
                 client_no_context_takeover=True, server_max_window_bits=server_max_window_bits,
                 client_max_window_bits=True)


def _chose(index):
    def check(agreement):
        if agreement.index != index:
            raise CaseFailed("the answer %r accepts offer %d; only offer %d is valid"
                             % (agreement.text, agreement.index + 1, index + 1))

    return check


OFFERS = [
    ("13.1", "default offer", [_autobahn_offer()], True, None),
    ("13.2", "server_no_context_takeover", [_autobahn_offer(True)], True, None),
    ("13.3", "server_max_window_bits=8", [_autobahn_offer(False, 8)], True, None),
    ("13.4", "server_max_window_bits=15", [_autobahn_offer(False, 15)], True, None),
    ("13.5", "server_no_context_takeover, server_max_window_bits=8",
     [_autobahn_offer(True, 8)], True, None),
    ("13.6", "server_no_context_takeover, server_max_window_bits=15",
     [_autobahn_offer(True, 15)], True, None),
    ("13.7", "three offers: (server_no_context_takeover, server_max_window_bits=8), "
     "(server_no_context_takeover), ()",
     [_autobahn_offer(True, 8), _autobahn_offer(True), _autobahn_offer()], True, None),
    # restws's
    ("13.8", "client_max_window_bits=9 (the client's own limit)",
     [Offer(client_max_window_bits=9)], True, None),
    ("13.9", "client_max_window_bits=8, server_max_window_bits=8",
     [Offer(server_max_window_bits=8, client_max_window_bits=8)], True, None),
    ("13.10", "first offer invalid (server_max_window_bits=7), then server_max_window_bits=10",
     [Offer(raw="permessage-deflate; server_max_window_bits=7"),
      Offer(server_max_window_bits=10, client_max_window_bits=True)], True, _chose(1)),
    ("13.11", "first offer with an unknown parameter, then server_no_context_takeover",
     [Offer(raw="permessage-deflate; x_unknown_parameter"),
      Offer(server_no_context_takeover=True, client_max_window_bits=True)], True, _chose(1)),
    ("13.12", "unknown extension, invalid offer, then server_max_window_bits=12 and "
     "client_max_window_bits=11, one header field each",
     [Offer(raw="x-webkit-deflate-frame"),
      Offer(raw="permessage-deflate; client_max_window_bits=16"),
      Offer(server_max_window_bits=12, client_max_window_bits=11)], False, _chose(2)),
    ("13.13", "server_max_window_bits=\"10\" (a quoted value, RFC 6455 §9.1)",
     [Offer(server_max_window_bits=10, client_max_window_bits=True, valid=True,
            raw='permessage-deflate; server_max_window_bits="10"; client_max_window_bits')],
     True, None),
]


def section13():
    for prefix, what, offers, one_field, agreed in OFFERS:
        for case_id, description, run in _sized_cases(prefix, offers, json_text(), TEXT,
                                                       one_field, agreed):
            yield case_id, "JSON, %s: %s" % (what, description), run


SECTIONS = {12: section12, 13: section13}
# conformance.py starts the server with these arguments for these sections.
SERVER_ARGS = {12: ["--deflate"], 13: ["--deflate"]}
