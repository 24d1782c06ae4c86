"""Autobahn sections 1-5: framing, ping/pong, reserved bits, reserved opcodes, fragmentation.

Each case is (id, description, function(client)); ids follow Autobahn's, and cases that restws
adds carry an id beyond Autobahn's last one in that group.
"""

from checks import close_normally, echo_of, expect_frames, fail_with, pong
from wsclient import BINARY, CLOSE, CONT, PING, PONG, TEXT

HELLO = b"Hello, world!"
BIG = 16 * 1024 * 1024
LARGE_TIMEOUT = 60.0


def _echo_case(opcode, payload, chop=None, timeout=None):
    def run(c):
        c.send(opcode, payload, chop=chop)
        c.flush(timeout)
        expect_frames(c, [echo_of(opcode, payload)], timeout)
        close_normally(c)

    return run


def section1():
    sizes = [0, 125, 126, 127, 128, 65535, 65536]
    for group, opcode, fill in ((1, TEXT, b"*"), (2, BINARY, b"\xfe")):
        kind = "text" if opcode == TEXT else "binary"
        for i, n in enumerate(sizes, 1):
            yield ("1.%d.%d" % (group, i), "%s message of %d bytes" % (kind, n),
                   _echo_case(opcode, fill * n))
        yield ("1.%d.8" % group, "%s message of 65536 bytes written in chops of 997" % kind,
               _echo_case(opcode, fill * 65536, chop=997))
        yield ("1.%d.9" % group, "%s message of 16 MiB in one frame, one write" % kind,
               _echo_case(opcode, fill * BIG, timeout=LARGE_TIMEOUT))
        yield ("1.%d.10" % group, "%s message of 16 MiB in one frame, chops of 4093" % kind,
               _echo_case(opcode, fill * BIG, chop=4093, timeout=LARGE_TIMEOUT))


def _ping_case(payload, chop=None):
    def run(c):
        c.send(PING, payload, chop=chop)
        expect_frames(c, [pong(payload)])
        close_normally(c)

    return run


def _pings_in_a_row(chop):
    def run(c):
        payloads = [b"payload-%d" % i for i in range(10)]
        for p in payloads:
            c.send(PING, p, chop=chop)
        expect_frames(c, [pong(p) for p in payloads])
        close_normally(c)

    return run


def _pings_of_every_length(c):
    payloads = [bytes((i * 7 + j) % 256 for j in range(i)) for i in range(126)]
    for p in payloads:
        c.send(PING, p)
    expect_frames(c, [pong(p) for p in payloads])
    close_normally(c)


def _unsolicited_pong(payload):
    def run(c):
        c.send(PONG, payload)
        close_normally(c)  # no frame may come back before the close

    return run


def _pong_then_ping(c):
    c.send(PONG, b"unsolicited pong payload")
    c.send(PING, b"ping payload")
    expect_frames(c, [pong(b"ping payload")])
    close_normally(c)


def section2():
    yield "2.1", "ping without payload", _ping_case(b"")
    yield "2.2", "ping with text payload", _ping_case(HELLO)
    yield "2.3", "ping with binary payload", _ping_case(b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff")
    yield "2.4", "ping with 125-byte payload", _ping_case(b"\xfe" * 125)

    def ping_126(c):
        c.send(PING, b"\xfe" * 126)
        fail_with(c, 1002)

    yield "2.5", "ping with 126-byte payload fails with 1002", ping_126
    yield "2.6", "ping with 125-byte payload written byte by byte", _ping_case(b"\xfe" * 125, 1)
    yield "2.7", "unsolicited pong without payload is ignored", _unsolicited_pong(b"")
    yield "2.8", "unsolicited pong with payload is ignored", _unsolicited_pong(b"unsolicited")
    yield "2.9", "unsolicited pong, then ping: only the ping is answered", _pong_then_ping
    yield "2.10", "10 pings in a row are answered in order", _pings_in_a_row(None)
    yield "2.11", "10 pings in a row, written byte by byte", _pings_in_a_row(1)
    yield "2.12", "pings with payloads of every length 0..125", _pings_of_every_length


def _bad_after_echo(opcode, payload, rsv=0, chop=None, sync=False):
    """A valid text message, then the bad frame, then a ping that must not be answered."""

    def run(c):
        c.send(TEXT, HELLO, chop=chop)
        if sync:
            c.flush()
        c.send(opcode, payload, rsv=rsv, chop=chop)
        if sync:
            c.flush()
        c.send(PING, b"", chop=chop)
        fail_with(c, 1002, [echo_of(TEXT, HELLO)])

    return run


def _bad_alone(opcode, payload, rsv=0):
    def run(c):
        c.send(opcode, payload, rsv=rsv)
        fail_with(c, 1002)

    return run


def _bad_after_seen_echo(c):
    c.send(TEXT, HELLO)
    expect_frames(c, [echo_of(TEXT, HELLO)])
    c.send(TEXT, HELLO, rsv=1)
    fail_with(c, 1002)


def section3():
    yield "3.1", "text with RSV=1 fails with 1002", _bad_alone(TEXT, HELLO, rsv=1)
    yield "3.2", "text, text with RSV=2, ping: echo, then 1002", _bad_after_echo(TEXT, HELLO, 2)
    yield ("3.3", "as 3.2 with RSV=3, frames written one by one",
           _bad_after_echo(TEXT, HELLO, 3, sync=True))
    yield ("3.4", "as 3.2 with RSV=4, written byte by byte",
           _bad_after_echo(TEXT, HELLO, 4, chop=1, sync=True))
    yield ("3.5", "binary with RSV=5 fails with 1002",
           _bad_alone(BINARY, b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff", rsv=5))
    yield "3.6", "ping with RSV=6 fails with 1002", _bad_alone(PING, HELLO, rsv=6)
    yield "3.7", "close with RSV=7 fails with 1002", _bad_alone(CLOSE, b"", rsv=7)
    yield "3.8", "RSV=1 right after a received echo fails with 1002", _bad_after_seen_echo


def section4():
    payload = b"reserved opcode payload"
    for group, opcodes in ((1, (3, 4, 5, 6, 7)), (2, (11, 12, 13, 14, 15))):
        kind = "non-control" if group == 1 else "control"
        a, b, c3, d, e = opcodes
        yield ("4.%d.1" % group, "reserved %s opcode %d fails with 1002" % (kind, a),
               _bad_alone(a, b""))
        yield ("4.%d.2" % group, "reserved %s opcode %d with payload fails with 1002" % (kind, b),
               _bad_alone(b, payload))
        yield ("4.%d.3" % group, "text, opcode %d, ping: echo, then 1002" % c3,
               _bad_after_echo(c3, b""))
        yield ("4.%d.4" % group, "text, opcode %d with payload, ping: echo, then 1002" % d,
               _bad_after_echo(d, payload))
        yield ("4.%d.5" % group, "as .4 with opcode %d, written byte by byte" % e,
               _bad_after_echo(e, payload, chop=1))


def _fragmented_control(opcode):
    def run(c):
        c.send(opcode, b"fragment1", fin=False)
        c.send(CONT, b"fragment2")
        fail_with(c, 1002)

    return run


def _fragmented(sync=False, chop=None, ping=None):
    def run(c):
        frames = [(TEXT, b"fragment1", False)]
        if ping is not None:
            frames.append((PING, ping, True))
        frames.append((CONT, b"fragment2", True))
        for opcode, payload, fin in frames:
            c.send(opcode, payload, fin=fin, chop=chop)
            if sync:
                c.flush()
        expected = [pong(p) if op == PING else echo_of(op, p, fin) for op, p, fin in frames]
        expect_frames(c, expected)
        close_normally(c)

    return run


def _bad_sequence(frames, echoes=(), min_echoes=None, sync=False, chop=None):
    def run(c):
        for opcode, payload, fin in frames:
            c.send(opcode, payload, fin=fin, chop=chop)
            if sync:
                c.flush()
        fail_with(c, 1002, echoes, min_echoes)

    return run


def _pings_between_fragments(sync):
    def run(c):
        f = [b"fragment%d" % i for i in range(1, 6)]
        first = [(TEXT, f[0], False), (CONT, f[1], False), (PING, b"pongme 1!", True)]
        second = [(CONT, f[2], False), (CONT, f[3], False), (PING, b"pongme 2!", True),
                  (CONT, f[4], True)]
        for part in (first, second):
            for opcode, payload, fin in part:
                c.send(opcode, payload, fin=fin)
                if sync:
                    c.flush()
            # The pong must come before the message ends: we wait for it before sending on.
            expect_frames(c, [pong(p) if op == PING else echo_of(op, p, fin)
                              for op, p, fin in part])
        close_normally(c)

    return run


def section5():
    yield "5.1", "ping fragmented into 2 frames fails with 1002", _fragmented_control(PING)
    yield "5.2", "pong fragmented into 2 frames fails with 1002", _fragmented_control(PONG)
    yield "5.3", "text in 2 fragments is echoed as 2 fragments", _fragmented()
    yield "5.4", "as 5.3, frames written one by one", _fragmented(sync=True)
    yield "5.5", "as 5.3, written byte by byte", _fragmented(sync=True, chop=1)
    yield "5.6", "text in 2 fragments with a ping between", _fragmented(ping=b"ping payload")
    yield ("5.7", "as 5.6, frames written one by one",
           _fragmented(sync=True, ping=b"ping payload"))
    yield ("5.8", "as 5.6, written byte by byte",
           _fragmented(sync=True, chop=1, ping=b"ping payload"))
    orphan_fin = [(CONT, b"non-continuation payload", True), (TEXT, HELLO, True)]
    orphan_nofin = [(CONT, b"non-continuation payload", False), (TEXT, HELLO, True)]
    yield "5.9", "continuation (FIN=1) without a message fails with 1002", _bad_sequence(orphan_fin)
    yield "5.10", "as 5.9, frames written one by one", _bad_sequence(orphan_fin, sync=True)
    yield "5.11", "as 5.9, written byte by byte", _bad_sequence(orphan_fin, sync=True, chop=1)
    yield ("5.12", "continuation (FIN=0) without a message fails with 1002",
           _bad_sequence(orphan_nofin))
    yield "5.13", "as 5.12, frames written one by one", _bad_sequence(orphan_nofin, sync=True)
    yield ("5.14", "as 5.12, written byte by byte",
           _bad_sequence(orphan_nofin, sync=True, chop=1))
    f = [b"fragment%d" % i for i in range(1, 5)]
    yield ("5.15", "a complete fragmented message, then an orphan continuation: 1002",
           _bad_sequence([(TEXT, f[0], False), (CONT, f[1], True), (CONT, f[2], False),
                          (TEXT, f[3], True)],
                         [echo_of(TEXT, f[0], False), echo_of(CONT, f[1], True)]))
    yield ("5.16", "orphan continuation (FIN=0) before a fragmented text: 1002",
           _bad_sequence([(CONT, f[0], False), (TEXT, f[1], False), (CONT, f[2], True)] * 2))
    yield ("5.17", "orphan continuation (FIN=1) before a fragmented text: 1002",
           _bad_sequence([(CONT, f[0], True), (TEXT, f[1], False), (CONT, f[2], True)] * 2))
    yield ("5.18", "a new text message inside a fragmented one (nested start): 1002",
           _bad_sequence([(TEXT, f[0], False), (TEXT, f[1], True)],
                         [echo_of(TEXT, f[0], False)], min_echoes=0))
    yield ("5.19", "pings between fragments are answered before the message ends",
           _pings_between_fragments(False))
    yield "5.20", "as 5.19, frames written one by one", _pings_between_fragments(True)
    yield ("5.21", "binary in 3 fragments is echoed as 3 fragments",
           _fragments_case(BINARY, [b"\x00\x01", b"\xff" * 200, b"\xfe"]))


def _fragments_case(opcode, parts):
    def run(c):
        frames = [(opcode if i == 0 else CONT, p, i == len(parts) - 1) for i, p in enumerate(parts)]
        for op, p, fin in frames:
            c.send(op, p, fin=fin)
        expect_frames(c, [echo_of(*fr) for fr in frames])
        close_normally(c)

    return run


SECTIONS = {1: section1, 2: section2, 3: section3, 4: section4, 5: section5}
