#!/usr/bin/python3
"""Smoke test of echo_server with the Python websockets client (Debian python3-websockets).

Usage: /usr/bin/python3 bench/echo_server/smoke_test.py PATH/TO/echo_server [--threads T]

Starts the server on a free loopback port, checks text, binary and fragmented echoes, ping/pong,
several connections at once and the HTTP hello, then sends SIGTERM and checks that the server
exits with status 0. Every wait is bounded. Exit status 0 when all checks pass.
"""

import asyncio
import http.client
import signal
import socket
import subprocess
import sys
import time

import websockets


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with status {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start listening")


async def check_websocket(port):
    uri = f"ws://127.0.0.1:{port}/any/path?x=1"
    async with websockets.connect(uri, compression=None, open_timeout=5) as ws:
        await ws.send("héllo, wörld ✓")
        assert await asyncio.wait_for(ws.recv(), 5) == "héllo, wörld ✓", "text echo"
        payload = bytes(range(256)) * 70  # 17920 bytes: 16-bit then 64-bit length forms
        await ws.send(payload)
        assert await asyncio.wait_for(ws.recv(), 5) == payload, "binary echo"
        await ws.send(b"")
        assert await asyncio.wait_for(ws.recv(), 5) == b"", "empty binary echo"
        await ws.send(["frag", "mented ", "text"])  # three frames, echoed frame by frame
        assert await asyncio.wait_for(ws.recv(), 5) == "fragmented text", "fragmented echo"
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 5)
        big = b"\x00" * (1 << 20)
        await ws.send(big)
        assert await asyncio.wait_for(ws.recv(), 10) == big, "1 MiB echo"
    print("websocket: text, binary, empty, fragmented, ping, 1 MiB: ok")

    async def client(i):
        async with websockets.connect(uri, compression=None, open_timeout=5) as ws:
            for j in range(50):
                msg = f"client {i} message {j}"
                await ws.send(msg)
                assert await asyncio.wait_for(ws.recv(), 5) == msg
    await asyncio.wait_for(asyncio.gather(*(client(i) for i in range(20))), 30)
    print("websocket: 20 connections x 50 echoes: ok")


def check_http(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    for _ in range(2):  # keep-alive: two requests on one connection
        conn.request("GET", "/")
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 200 and body == b"Hello, World!", (resp.status, body)
    conn.close()
    print("http: GET / -> 200 Hello, World!: ok")


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    port = free_port()
    cmd = [sys.argv[1], "--port", str(port)] + sys.argv[2:]
    proc = subprocess.Popen(cmd)
    try:
        wait_listening(port, proc)
        check_http(port)
        asyncio.run(check_websocket(port))
        # Connections left open (an idle HTTP one, an upgraded one) must not keep the server
        # from stopping.
        idle = socket.create_connection(("127.0.0.1", port), timeout=5)
        upgraded = socket.create_connection(("127.0.0.1", port), timeout=5)
        upgraded.sendall(
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        assert upgraded.recv(4096).startswith(b"HTTP/1.1 101"), "raw upgrade"
        proc.send_signal(signal.SIGTERM)
        status = proc.wait(timeout=15)
        idle.close()
        upgraded.close()
        assert status == 0, f"exit status {status} after SIGTERM"
        print("SIGTERM: exited with status 0: ok")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
