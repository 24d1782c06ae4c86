"""Autobahn section 6: UTF-8 handling of text messages, including fail-fast (6.4.x).

6.5-6.23 are the Markus Kuhn decoder test sequences, grouped as Autobahn groups them; each is
sent whole (one frame) and, as restws's addition, in 1-byte fragments (id suffix "f").
"""

from checks import close_normally, echo_of, expect_frames, fail_with, ping_barrier
from utf8util import first_invalid_index
from wsclient import CONT, TEXT, CaseFailed

KAPPA = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"  # "κόσμε"
HELLO_UTF8 = "Hello-µ@ßöäüàá-UTF-8!!".encode()
INVALID = KAPPA + b"\xed\xa0\x80" + b"edited"  # a surrogate: invalid at byte 12 (0xA0)
PART1, PART2, PART3 = KAPPA, b"\xf4\x90\x80\x80", b"edited"  # PART2 is beyond U+10FFFF
FAILFAST = PART1 + PART2 + PART3
QUIET_SECONDS = 0.3  # how long a valid first part must leave the connection untouched


def _fragments(payload, sizes):
    """Text frames of the given sizes (the last takes the rest)."""
    parts, pos = [], 0
    for size in sizes:
        parts.append(payload[pos : pos + size])
        pos += size
    parts.append(payload[pos:])
    return [(TEXT if i == 0 else CONT, p, i == len(parts) - 1) for i, p in enumerate(parts)]


def _bytewise(payload):
    return _fragments(payload, [1] * (len(payload) - 1)) if payload else [(TEXT, b"", True)]


def _text_case(frames):
    """Valid text in the given frames: echoed frame by frame."""

    def run(c):
        for opcode, p, fin in frames:
            c.send(opcode, p, fin=fin)
        expect_frames(c, [echo_of(*f) for f in frames])
        close_normally(c)

    return run


def _invalid_case(frames):
    """Invalid text: 1007, with no echo of the frame holding the first bad byte or later."""
    payload = b"".join(p for _, p, _ in frames)
    bad = first_invalid_index(payload)
    assert bad is not None, "test data error: payload is valid"
    echoes, pos = [], 0
    for frame in frames:
        pos += len(frame[1])
        if pos > bad or (pos == bad and frame[2]):  # holds the bad byte or ends the message early
            break
        echoes.append(echo_of(*frame))

    def run(c):
        for opcode, p, fin in frames:
            c.send(opcode, p, fin=fin)
        fail_with(c, 1007, echoes, min_echoes=0)

    return run


def _utf8_case(payload, bytewise=False):
    frames = _bytewise(payload) if bytewise else [(TEXT, payload, True)]
    return _text_case(frames) if first_invalid_index(payload) is None else _invalid_case(frames)


def _fail_fast_frames(first, second):
    """6.4.1/6.4.2: valid first fragment (proved accepted), bad second: 1007 before a third."""

    def run(c):
        c.send(TEXT, first, fin=False)
        barrier = ping_barrier(c)
        expect_frames(c, [echo_of(TEXT, first, False), barrier])
        c.send(CONT, second, fin=False)
        fail_with(c, 1007)  # the third fragment is never sent

    return run


def _fail_fast_chops(total, first, second=b""):
    """6.4.3/6.4.4 and beyond: one text frame of `total` payload bytes written in chops.

    When `second` is given, `first` is valid and must leave the connection untouched; the server
    must close with 1007 once the bad byte arrives, while the rest of the frame is unsent.
    """

    def run(c):
        wire = c.build(TEXT, total)  # masked by a client, not by a server (the roles)
        head = len(wire) - len(total)
        c.send_raw(wire[: head + len(first)])
        c.flush()
        if second:
            if not c.quiet_for(QUIET_SECONDS):
                raise CaseFailed("server reacted to a valid first chop")
            c.send_raw(wire[head + len(first) : head + len(first) + len(second)])
        fail_with(c, 1007)  # the rest of the frame is never sent

    return run


def kuhn_groups():
    """Markus Kuhn's UTF-8 decoder tests as Autobahn groups them (6.5 .. 6.23)."""
    groups = [("valid UTF-8", [b"hello\x24world", b"hello\xc2\xa2world",
                               b"hello\xe2\x82\xacworld", b"hello\xf0\xa4\xad\xa2world", KAPPA])]
    groups.append(("prefixes of a valid string", [KAPPA[:i] for i in range(1, len(KAPPA) + 1)]))
    groups.append(("first sequence of each length",
                   [b"\x00", b"\xc2\x80", b"\xe0\xa0\x80", b"\xf0\x90\x80\x80"]))
    groups.append(("first 5/6-byte sequences", [b"\xf8\x88\x80\x80\x80",
                                                b"\xfc\x84\x80\x80\x80\x80"]))
    groups.append(("last sequence of each length",
                   [b"\x7f", b"\xdf\xbf", b"\xef\xbf\xbf", b"\xf4\x8f\xbf\xbf"]))
    groups.append(("last 4/5/6-byte sequences", [b"\xf7\xbf\xbf\xbf", b"\xfb\xbf\xbf\xbf\xbf",
                                                 b"\xfd\xbf\xbf\xbf\xbf\xbf"]))
    groups.append(("other boundaries", [b"\xed\x9f\xbf", b"\xee\x80\x80", b"\xef\xbf\xbd",
                                        b"\xf4\x8f\xbf\xbf", b"\xf4\x90\x80\x80"]))
    cont = [b"\x80", b"\xbf", b"\x80\xbf", b"\x80\xbf\x80", b"\x80\xbf\x80\xbf",
            b"\x80\xbf\x80\xbf\x80", b"\x80\xbf\x80\xbf\x80\xbf", bytes(range(0x80, 0xBF))]
    groups.append(("unexpected continuation bytes", cont))
    lonely = [b"".join(bytes([i, 0x20]) for i in range(lo, hi))
              for lo, hi in ((0xC0, 0xDF), (0xE0, 0xEF), (0xF0, 0xF7), (0xF8, 0xFB), (0xFC, 0xFD))]
    groups.append(("lonely start bytes", lonely))
    missing = [b"\xc0", b"\xe0\x80", b"\xf0\x80\x80", b"\xf8\x80\x80\x80", b"\xfc\x80\x80\x80\x80",
               b"\xdf", b"\xef\xbf", b"\xf7\xbf\xbf", b"\xfb\xbf\xbf\xbf", b"\xfd\xbf\xbf\xbf\xbf"]
    groups.append(("last continuation byte missing", missing))
    groups.append(("concatenated incomplete sequences", [b"".join(missing)]))
    groups.append(("impossible bytes", [b"\xfe", b"\xff", b"\xfe\xfe\xff\xff"]))
    groups.append(("overlong ASCII", [b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf",
                                      b"\xf8\x80\x80\x80\xaf", b"\xfc\x80\x80\x80\x80\xaf"]))
    groups.append(("maximum overlong", [b"\xc1\xbf", b"\xe0\x9f\xbf", b"\xf0\x8f\xbf\xbf",
                                        b"\xf8\x87\xbf\xbf\xbf", b"\xfc\x83\xbf\xbf\xbf\xbf"]))
    groups.append(("overlong NUL", [b"\xc0\x80", b"\xe0\x80\x80", b"\xf0\x80\x80\x80",
                                    b"\xf8\x80\x80\x80\x80", b"\xfc\x80\x80\x80\x80\x80"]))
    single = [b"\xed\xa0\x80", b"\xed\xad\xbf", b"\xed\xae\x80", b"\xed\xaf\xbf", b"\xed\xb0\x80",
              b"\xed\xbe\x80", b"\xed\xbf\xbf"]
    groups.append(("single UTF-16 surrogates", single))
    highs, lows = single[:4], [b"\xed\xb0\x80", b"\xed\xbf\xbf"]
    groups.append(("paired UTF-16 surrogates", [h + lo for h in highs for lo in lows]))
    nonchars = [b"\xef\xbf\xbe", b"\xef\xbf\xbf"]
    for z1 in b"\xf0\xf1\xf2\xf3\xf4":
        for z2 in b"\x8f\x9f\xaf\xbf":
            if z1 == 0xF4 and z2 != 0x8F:
                continue
            for z3 in b"\xbe\xbf":
                seq = bytes([z1, z2, 0xBF, z3])
                if not seq.startswith(b"\xf0\x8f"):
                    nonchars.append(seq)
    groups.append(("non-characters (valid)", nonchars))
    groups.append(("specials (valid)", [b"\xef\xbf" + bytes([b]) for b in range(0xB9, 0xC0)]))
    return groups


def section6():
    yield "6.1.1", "empty text message", _text_case([(TEXT, b"", True)])
    yield ("6.1.2", "text in 3 empty fragments",
           _text_case([(TEXT, b"", False), (CONT, b"", False), (CONT, b"", True)]))
    yield ("6.1.3", "text in 3 fragments, first and last empty",
           _text_case([(TEXT, b"", False), (CONT, b"middle frame payload", False),
                       (CONT, b"", True)]))
    yield "6.2.1", "valid UTF-8 in one frame", _text_case([(TEXT, HELLO_UTF8, True)])
    yield ("6.2.2", "valid UTF-8 fragmented on a code point boundary",
           _text_case(_fragments(HELLO_UTF8, [len("Hello-µ@ßöä".encode())])))
    yield "6.2.3", "valid UTF-8 in 1-byte fragments", _text_case(_bytewise(HELLO_UTF8))
    yield "6.2.4", "valid UTF-8 (κόσμε) in 1-byte fragments", _text_case(_bytewise(KAPPA))
    yield "6.3.1", "invalid UTF-8 in one frame fails with 1007", _utf8_case(INVALID)
    yield ("6.3.2", "invalid UTF-8 in 1-byte fragments fails with 1007",
           _utf8_case(INVALID, bytewise=True))
    yield ("6.4.1", "fail fast: bad 2nd fragment closes 1007 before the 3rd is sent",
           _fail_fast_frames(PART1, PART2))
    yield ("6.4.2", "fail fast: 2nd fragment is only the byte that makes it invalid",
           _fail_fast_frames(FAILFAST[:12], FAILFAST[12:13]))
    yield ("6.4.3", "fail fast inside one frame: bad 2nd chop closes 1007 before the 3rd",
           _fail_fast_chops(FAILFAST, PART1, PART2))
    yield ("6.4.4", "fail fast inside one frame: 2nd chop is only the bad byte",
           _fail_fast_chops(FAILFAST, FAILFAST[:12], FAILFAST[12:13]))
    long_text = bytearray(b"a" * (1 << 20))
    long_text[100] = 0xFF
    yield ("6.4.5", "fail fast: 0xFF in the first 4 KiB of a 1 MiB text frame",
           _fail_fast_chops(bytes(long_text), bytes(long_text[:4096])))
    split = bytearray(b"a" * (1 << 20))
    split[4095:4097] = b"\xed\xa0"
    yield ("6.4.6", "fail fast: surrogate split across chops of a 1 MiB text frame",
           _fail_fast_chops(bytes(split), bytes(split[:4096]), bytes(split[4096:4097])))
    for g, (name, payloads) in enumerate(kuhn_groups(), 5):
        for i, payload in enumerate(payloads, 1):
            verdict = "valid" if first_invalid_index(payload) is None else "invalid"
            yield ("6.%d.%d" % (g, i), "%s, %s: %s" % (name, verdict, payload.hex()),
                   _utf8_case(payload))
            yield ("6.%d.%df" % (g, i), "%s, %s, 1-byte fragments" % (name, verdict),
                   _utf8_case(payload, bytewise=True))


SECTIONS = {6: section6}
