#!/usr/bin/python3
"""Runs a command while the echo server runs: starts the server binary, waits (bounded) until
localhost:8080 accepts, runs the command (bounded), then stops the server with SIGTERM and checks
that it exits. Exit status: the command's, or non-zero when the server misbehaved.

Usage: with_server.py --server PATH [--timeout SECONDS] -- COMMAND [ARG...]
"""

import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance"))
import serverproc  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--server-arg", action="append", default=[])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")

    serverproc.isolate_if_port_taken("localhost", args.port)

    def body():
        try:
            return subprocess.run(command, timeout=args.timeout, check=False).returncode
        except subprocess.TimeoutExpired:
            print("ERROR: %s did not finish within %.0f s" % (command[0], args.timeout))
            return 1

    return serverproc.run_with_server([args.server] + args.server_arg, body, "localhost",
                                      args.port)


if __name__ == "__main__":
    sys.exit(main())
