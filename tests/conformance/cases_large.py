"""Autobahn sections 9 (limits and performance, reduced counts) and 10 (auto-fragmentation)."""


from checks import close_normally, echo_of, expect_frames, fail_with
from wsclient import BINARY, CONT, TEXT

KIB, MIB = 1024, 1024 * 1024
TIMEOUT = 60.0  # per frame, for the largest messages on a sanitizer build


def _payload(opcode, size):
    pattern = b"BAsd7&jh23" if opcode == TEXT else b"\x00\xfe\x23\xfa\xf0"
    return (pattern * (size // len(pattern) + 1))[:size]


def _split(opcode, payload, sizes):
    """Frames of the message: sizes cycle until the payload is used up."""
    frames, pos, i = [], 0, 0
    while True:
        size = sizes[i % len(sizes)]
        part = payload[pos : pos + size]
        pos += len(part)
        i += 1
        frames.append((opcode if len(frames) == 0 else CONT, part, pos >= len(payload)))
        if pos >= len(payload):
            return frames


def _frames_case(frames, chop=None):
    def run(c):
        for opcode, payload, fin in frames:
            c.send(opcode, payload, fin=fin, chop=chop)
        c.flush(TIMEOUT)
        expect_frames(c, [echo_of(*f) for f in frames], TIMEOUT)
        close_normally(c, timeout=TIMEOUT)

    return run


def _round_trips(opcode, size, count):
    """count messages, each sent after the echo of the previous one arrived."""

    def run(c):
        payload = _payload(opcode, size)
        for _ in range(count):
            c.send(opcode, payload)
            expect_frames(c, [echo_of(opcode, payload)])
        close_normally(c)

    return run


def section9():
    for group, opcode in ((1, TEXT), (2, BINARY)):
        kind = "text" if opcode == TEXT else "binary"
        for i, size in enumerate([64 * KIB, 256 * KIB, MIB, 4 * MIB, 8 * MIB, 16 * MIB], 1):
            yield ("9.%d.%d" % (group, i),
                   "%s message of %d KiB in one frame" % (kind, size // KIB),
                   _frames_case([(opcode, _payload(opcode, size), True)]))
    for group, opcode in ((3, TEXT), (4, BINARY)):
        kind = "text" if opcode == TEXT else "binary"
        for i, (size, frag) in enumerate([(MIB, 64), (MIB, 256), (MIB, KIB), (4 * MIB, 4 * KIB)],
                                         1):
            yield ("9.%d.%d" % (group, i),
                   "%s message of %d KiB in fragments of %d bytes" % (kind, size // KIB, frag),
                   _frames_case(_split(opcode, _payload(opcode, size), [frag])))
    for group, opcode in ((5, TEXT), (6, BINARY)):
        kind = "text" if opcode == TEXT else "binary"
        for i, chop in ((1, 64), (6, 2048)):
            yield ("9.%d.%d" % (group, i),
                   "%s message of 1 MiB written in chops of %d" % (kind, chop),
                   _frames_case([(opcode, _payload(opcode, MIB), True)], chop=chop))
    for group, opcode in ((7, TEXT), (8, BINARY)):
        kind = "text" if opcode == TEXT else "binary"
        for i, size in enumerate([0, 16, 64, 256, KIB, 4 * KIB], 1):
            yield ("9.%d.%d" % (group, i), "100 %s round trips of %d bytes" % (kind, size),
                   _round_trips(opcode, size, 100))
    yield ("9.10.1", "text frame header over the 16 MiB frame limit fails with 1009",
           _over_limit_header(TEXT))
    yield ("9.10.2", "binary frame header over the 16 MiB frame limit fails with 1009",
           _over_limit_header(BINARY))


def _over_limit_header(opcode):
    """Only the header of a frame one byte over 16 MiB: the limit holds before any payload."""

    def run(c):
        c.send_raw(c.header(opcode, 16 * MIB + 1))
        fail_with(c, 1009)

    return run


VARIED = [1, 7, 125, 126, 127, 128, 997, 1300, 4096, 65535 - 7, 3, 20000]


def section10():
    text = "κόσμε-Hello-µ@ßöäüàá-€-😀-".encode()
    text = (text * (64 * KIB // len(text) + 1))[: 64 * KIB]
    while True:  # cut on a code point boundary: the message must stay valid
        try:
            text.decode()
            break
        except UnicodeDecodeError:
            text = text[:-1]
    yield ("10.1.1", "64 KiB text in frames of 1300 bytes is echoed intact",
           _frames_case(_split(TEXT, b"*" * 64 * KIB, [1300])))
    yield ("10.1.2", "64 KiB multi-byte text in frames of varied sizes (split code points)",
           _frames_case(_split(TEXT, text, VARIED)))
    yield ("10.1.3", "64 KiB binary in frames of varied sizes",
           _frames_case(_split(BINARY, _payload(BINARY, 64 * KIB), VARIED)))


SECTIONS = {9: section9, 10: section10}
