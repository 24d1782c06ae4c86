"""Verdict helpers shared by the conformance cases: each raises CaseFailed on a deviation.

The verdicts are those the Autobahn|Testsuite requires for OK (never NON-STRICT), applied to
an echo server that echoes frame by frame: fragments come back as the same fragments.
"""

from wsclient import CLOSE, CaseFailed, PING, PONG, describe

VALID_CLOSE_CODES = set(range(1000, 1004)) | set(range(1007, 1015)) | set(range(3000, 5000))


def _same(frame, expected):
    opcode, payload, fin = expected
    return frame.opcode == opcode and frame.fin == fin and frame.payload == bytes(payload)


def _mismatch(frame, expected):
    opcode, payload, fin = expected
    payload = bytes(payload)
    detail = ""
    if frame.opcode == opcode and frame.fin == fin and frame.payload != payload:
        n = min(len(payload), len(frame.payload))
        first = next((i for i in range(n) if payload[i] != frame.payload[i]), n)
        detail = " (lengths %d/%d, first difference at %d)" % (len(frame.payload), len(payload),
                                                               first)
    return "expected %s, got %r%s" % (describe(*expected), frame, detail)


def expect_frames(client, expected, timeout=None):
    """The next frames are exactly `expected`: a list of (opcode, payload, fin)."""
    for item in expected:
        frame = client.recv(timeout)
        if frame is None:
            raise CaseFailed("TCP closed while waiting for %s" % describe(*item))
        if frame.opcode == CLOSE and item[0] != CLOSE:
            raise CaseFailed("server closed with %s while %s was expected"
                             % (frame.close_code(), describe(*item)))
        if not _same(frame, item):
            raise CaseFailed(_mismatch(frame, item))


def echo_of(opcode, payload, fin=True):
    return (opcode, payload, fin)


def pong(payload):
    return (PONG, payload, True)


def _check_close_payload(frame):
    payload = frame.payload
    if len(payload) == 1:
        raise CaseFailed("server close frame has a 1-byte payload")
    code = frame.close_code()
    if code is not None and code not in VALID_CLOSE_CODES:
        raise CaseFailed("server close frame carries invalid code %d" % code)
    try:
        payload[2:].decode("utf-8")
    except UnicodeDecodeError:
        raise CaseFailed("server close reason is not UTF-8: %r" % payload[2:]) from None
    return code


def expect_close(client, code, echoes=(), min_echoes=None, reply=False, timeout=None,
                 clean=False):
    """The server sends a close frame with `code`, then closes TCP.

    Before the close, the server may send echoes[:k] for min_echoes <= k <= len(echoes) and
    nothing else (min_echoes defaults to all of them). With reply=True (the server started the
    close) our close frame answers it before the TCP close is awaited. With clean=True (nothing
    was sent after our close frame) TCP must end with FIN, not a reset.
    """
    echoes = list(echoes)
    min_echoes = len(echoes) if min_echoes is None else min_echoes
    got = 0
    while True:
        frame = client.recv(timeout)
        if frame is None:
            raise CaseFailed("server dropped TCP without a close frame (expected close %d)"
                             % code)
        if frame.opcode == CLOSE:
            break
        if got < len(echoes) and _same(frame, echoes[got]):
            got += 1
            continue
        if got < len(echoes):
            raise CaseFailed("before close: " + _mismatch(frame, echoes[got]))
        raise CaseFailed("unexpected %r before the close frame" % frame)
    if got < min_echoes:
        raise CaseFailed("server closed after %d of the %d required echoes; missing %s"
                         % (got, min_echoes, describe(*echoes[got])))
    received = _check_close_payload(frame)
    if received != code:
        raise CaseFailed("server closed with code %s, expected %d" % (received, code))
    if reply:
        client.send_close(code)
        client.flush()
    client.wait_tcp_close(clean=clean)


def close_normally(client, code=1000, reason=b"", expect=None, timeout=None):
    """We start the close handshake; the server echoes the close and closes TCP.

    Nothing but the close frame may arrive first, so this also proves that the server sent no
    answer to anything we wrote before (the close is a barrier: frames are handled in order).
    """
    client.send_close(code, reason)
    client.flush()
    expect_close(client, code if expect is None else expect, timeout=timeout, clean=True)


def fail_with(client, code, echoes=(), min_echoes=None, timeout=None):
    """The server fails the connection with close `code` (after echoes, see expect_close)."""
    client.flush(timeout)
    expect_close(client, code, echoes, min_echoes, reply=True, timeout=timeout)


def ping_barrier(client, payload=b"barrier"):
    """A ping whose pong proves that everything sent before it has been handled."""
    client.send(PING, payload)
    client.flush()
    return pong(payload)


def expect_message(client, opcode, payload, compressed=None, timeout=None):
    """The next data message (frames reassembled, inflated) is `payload` with `opcode`.

    compressed: True or False requires the server to have sent it so (RSV1 or not); None
    takes either, as RFC 7692 leaves it to the sender. Returns the Message.
    """
    payload = bytes(payload)
    message = client.recv_message(timeout)
    if message.opcode != opcode or message.payload != payload:
        detail = ""
        if message.opcode == opcode:
            n = min(len(payload), len(message.payload))
            first = next((i for i in range(n) if payload[i] != message.payload[i]), n)
            detail = " (lengths %d/%d, first difference at %d)" % (len(message.payload),
                                                                   len(payload), first)
        raise CaseFailed("expected the echo %s, got %r%s" % (describe(opcode, payload), message,
                                                             detail))
    if compressed is not None and message.compressed != compressed:
        raise CaseFailed("the echo of %d bytes arrived %s, expected %s"
                         % (len(payload), "compressed" if message.compressed else "uncompressed",
                            "compressed" if compressed else "uncompressed"))
    return message
