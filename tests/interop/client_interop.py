#!/usr/bin/env python3
"""Interop of restws's client (examples/ws_client) with other libraries' servers: starts a peer
server (peer_server.py: Python websockets, peer_server.js: Node ws) on a free loopback port,
pipes lines through ws_client, and checks what ws_client printed and its exit status.

Usage: client_interop.py --client BIN --peer python|node [--node NODE] CASE
       client_interop.py --client BIN --peer running --url URL CASE   (a server started
         already, e.g. examples/ws_echo by with_server.py: it echoes and sends no greeting)
  CASE: text      a few lines, echoed in order
        large     a 1 MiB line (one message, several reads)
        deflate   permessage-deflate offered: the peer agrees it, messages still echo
        subprotocol  "chat" offered among others: the peer chooses it
        wss       over TLS, the peer's certificate checked against --ca (with --cert --key)
        refused   nothing listens: ws_client fails with status 1 and says why
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def fail(msg):
    print(f"client_interop: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--client", required=True)
    p.add_argument("--peer", choices=["python", "node", "running"], required=True)
    p.add_argument("--url", help="with --peer running: the server's URL")
    p.add_argument("--node", default="node")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--ca")
    p.add_argument("case")
    a = p.parse_args()

    if a.case == "refused":
        r = subprocess.run([a.client, "ws://127.0.0.1:1/"], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=20)
        if r.returncode != 1 or "refused" not in r.stderr.lower():
            fail(f"expected status 1 and 'refused', got {r.returncode}: {r.stderr!r}")
        print("ok: refused")
        return

    server = None
    if a.peer != "running":
        peer = [sys.executable, os.path.join(HERE, "peer_server.py")] if a.peer == "python" \
            else [a.node, os.path.join(HERE, "peer_server.js")]
        if a.case == "wss":
            peer += ["--cert", a.cert, "--key", a.key]
        server = subprocess.Popen(peer, stdout=subprocess.PIPE, text=True)
    try:
        if server is None:
            url = a.url
        else:
            port_line = server.stdout.readline().strip()
            if not port_line.isdigit():
                fail(f"the {a.peer} peer did not start (printed {port_line!r})")
            scheme = "wss" if a.case == "wss" else "ws"
            url = f"{scheme}://localhost:{port_line}/interop?case={a.case}"
        args = [a.client]
        lines = ["hello", "wörld ✓", "", "last line"]
        if a.case == "large":
            lines = ["x" * (1024 * 1024 - 1) + "!"]
        if a.case == "deflate":
            args.append("--deflate")
            lines = ["compress me " * 200, "again " * 300]
        if a.case == "subprotocol":
            args += ["--subprotocol", "mqtt", "--subprotocol", "chat"]
        if a.case == "wss":
            args += ["--ca", a.ca]
        greeting = 0 if server is None else 1
        args += ["--expect", str(len(lines) + greeting), url]
        r = subprocess.run(args, input="".join(l + "\n" for l in lines), capture_output=True,
                           text=True, timeout=60)
        if r.returncode != 0:
            fail(f"ws_client exited {r.returncode}: {r.stderr!r}")
        out = r.stdout.split("\n")
        if out and out[-1] == "":
            out.pop()
        if server is None:
            if out != lines:
                fail(f"echo mismatch: sent {[l[:40] for l in lines]}, got {[l[:40] for l in out]}")
            print(f"ok: {url} {a.case}")
            return
        hello = out[0] if out else ""
        if not hello.startswith(f"peer={a.peer} "):
            fail(f"no greeting from the peer: {hello!r}")
        if a.case == "deflate" and "permessage-deflate" not in hello:
            fail(f"the peer did not agree permessage-deflate: {hello!r}")
        if a.case != "deflate" and "ext=-" not in hello:
            fail(f"an extension was agreed though none was offered: {hello!r}")
        if a.case == "subprotocol" and "proto=chat" not in hello:
            fail(f"the peer did not choose chat: {hello!r}")
        if out[1:] != lines:
            fail(f"echo mismatch: sent {[l[:40] for l in lines]}, got {[l[:40] for l in out[1:]]}")
        print(f"ok: {a.peer} {a.case}: {hello}")
    finally:
        if server is not None:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
