"""Autobahn section 7: the close handshake, close payloads and close codes."""

import struct

from checks import close_normally, echo_of, expect_close, expect_frames
from wsclient import CLOSE, CONT, PING, TEXT

HELLO = b"Hello World!"
VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]
VALID_CODES_RESTWS = [1012, 1013, 1014]  # valid per IANA; Autobahn predates them
INVALID_CODES = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999]
INVALID_CODES_RESTWS = [1015]


def _text_then_close(c):
    c.send(TEXT, HELLO)
    expect_frames(c, [echo_of(TEXT, HELLO)])
    close_normally(c)


def _close_then(frames, echoes=(), min_echoes=None, before=()):
    """Frames in `before`, our close 1000, then `frames` that the server must ignore."""

    def run(c):
        for opcode, payload, fin in before:
            c.send(opcode, payload, fin=fin)
        c.send_close(1000)
        for opcode, payload, fin in frames:
            c.send(opcode, payload, fin=fin)
        c.flush()
        expect_close(c, 1000, echoes, min_echoes)

    return run


def _close_payload(payload, expect, valid=True):
    """Our close frame with `payload`; the server answers with `expect`.

    A valid close must end in an orderly TCP close (FIN); after an invalid one the server may
    also reset TCP (Autobahn does not require a clean close there).
    """

    def run(c):
        c.send(CLOSE, payload)
        c.flush()
        expect_close(c, expect, clean=valid)

    return run


def _code(code, reason=b""):
    return struct.pack("!H", code) + reason


def section7():
    yield "7.1.1", "text echoed, then a clean close 1000", _text_then_close
    yield ("7.1.2", "a second close frame is ignored",
           _close_then([(CLOSE, b"", True)]))
    yield "7.1.3", "a ping after our close gets no pong", _close_then([(PING, b"", True)])
    yield "7.1.4", "text after our close is not echoed", _close_then([(TEXT, HELLO, True)])
    yield ("7.1.5", "close after a fragmented message start; the rest is ignored",
           _close_then([(CONT, b"fragment2", True)], [echo_of(TEXT, b"fragment1", False)], 0,
                       before=[(TEXT, b"fragment1", False)]))
    big = (b"BAsd7&jh23" * 26215)[: 256 * 1024]
    yield ("7.1.6", "256 KiB text, text, close, ping: echoes before close, no pong",
           _close_then([(PING, b"", True)], [echo_of(TEXT, big), echo_of(TEXT, HELLO)], 0,
                       before=[(TEXT, big, True), (TEXT, HELLO, True)]))
    yield "7.3.1", "empty close is answered with 1000", _close_payload(b"", 1000)
    yield ("7.3.2", "close with a 1-byte payload fails with 1002",
           _close_payload(b"a", 1002, valid=False))
    yield "7.3.3", "close 1000 is echoed", _close_payload(_code(1000), 1000)
    yield "7.3.4", "close 1000 with a reason is echoed", _close_payload(_code(1000, HELLO), 1000)
    yield ("7.3.5", "close 1000 with a 123-byte reason is echoed",
           _close_payload(_code(1000, b"*" * 123), 1000))
    yield ("7.3.6", "close with a 124-byte reason (payload 126) fails with 1002",
           _close_payload(_code(1000, b"*" * 124), 1002, valid=False))
    invalid_reason = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"
    yield ("7.5.1", "close reason that is not UTF-8 fails with 1007",
           _close_payload(_code(1000, invalid_reason), 1007, valid=False))
    for i, code in enumerate(VALID_CODES + VALID_CODES_RESTWS, 1):
        yield ("7.7.%d" % i, "valid close code %d is echoed" % code,
               _close_payload(_code(code), code))
    for i, code in enumerate(INVALID_CODES + INVALID_CODES_RESTWS, 1):
        yield ("7.9.%d" % i, "invalid close code %d fails with 1002" % code,
               _close_payload(_code(code), 1002, valid=False))
    for i, code in enumerate([5000, 65535], 1):
        yield ("7.13.%d" % i, "close code %d (out of range) fails with 1002" % code,
               _close_payload(_code(code), 1002, valid=False))


SECTIONS = {7: section7}
