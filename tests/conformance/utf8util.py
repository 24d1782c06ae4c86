"""Incremental, fail-fast UTF-8 validation (RFC 3629) for the conformance tools.

CPython's incremental UTF-8 decoder rejects most invalid bytes as soon as it sees them, but it
buffers some prefixes that can never complete (e.g. ED A0, the start of a UTF-16 surrogate).
Validator closes that gap by checking the buffered tail after every chunk, so a sequence is
rejected at the first byte that makes it invalid, wherever the chunk boundaries fall.
"""

import codecs

# For each lead byte of a multi-byte sequence: (continuation bytes needed, range of the 2nd byte).
_LEADS = {}
for _b in range(0xC2, 0xE0):
    _LEADS[_b] = (1, 0x80, 0xBF)
_LEADS[0xE0] = (2, 0xA0, 0xBF)
for _b in list(range(0xE1, 0xED)) + [0xEE, 0xEF]:
    _LEADS[_b] = (2, 0x80, 0xBF)
_LEADS[0xED] = (2, 0x80, 0x9F)
_LEADS[0xF0] = (3, 0x90, 0xBF)
for _b in range(0xF1, 0xF4):
    _LEADS[_b] = (3, 0x80, 0xBF)
_LEADS[0xF4] = (3, 0x80, 0x8F)


def is_valid_prefix(tail):
    """True when `tail` (an incomplete sequence, < 4 bytes) can still become valid UTF-8."""
    if not tail:
        return True
    lead = _LEADS.get(tail[0])
    if lead is None:
        return False
    need, lo, hi = lead
    if len(tail) > need:
        return False
    if len(tail) >= 2 and not lo <= tail[1] <= hi:
        return False
    return all(0x80 <= b <= 0xBF for b in tail[2:])


class Validator:
    """Validates a byte stream chunk by chunk; feed() returns False at the first invalid byte."""

    def __init__(self):
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.failed = False

    def feed(self, chunk):
        """Validates the next chunk; False once the stream so far cannot be valid UTF-8."""
        if self.failed:
            return False
        try:
            self._decoder.decode(bytes(chunk), False)
        except UnicodeDecodeError:
            self.failed = True
            return False
        if not is_valid_prefix(self._decoder.getstate()[0]):
            self.failed = True
        return not self.failed

    def finish(self):
        """True when the stream is valid and does not end inside a sequence."""
        if self.failed:
            return False
        try:
            self._decoder.decode(b"", True)
        except UnicodeDecodeError:
            self.failed = True
        return not self.failed


def first_invalid_index(data):
    """Index of the byte at which `data` stops being valid UTF-8 (fed byte by byte), or None.

    len(data) is returned when every byte is acceptable but the data ends inside a sequence.
    """
    validator = Validator()
    for i in range(len(data)):
        if not validator.feed(data[i : i + 1]):
            return i
    return None if validator.finish() else len(data)
