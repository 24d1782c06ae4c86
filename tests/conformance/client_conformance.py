#!/usr/bin/python3
"""restws's client against the Autobahn|Testsuite fuzzing-server behaviours, sections 1-7, 9 and
10: the same cases as conformance.py (cases_*.py), with the roles turned round. For each case
this script listens on a free loopback port, starts the client agent (client_agent: restws's
client echoing every frame as received) with ws://127.0.0.1:PORT/CASE, accepts its connection,
answers its handshake and runs the case as the server (wsserverside.ServerSide): unmasked frames
out, the client's echoes, pongs and close codes checked strictly, every client frame masked.

Usage: client_conformance.py --agent PATH [--section N ...] [--case ID ...] [--list]
Exit status: 0 when every selected case passes.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cases_close  # noqa: E402
import cases_framing  # noqa: E402
import cases_large  # noqa: E402
import cases_utf8  # noqa: E402
from wsclient import CaseFailed  # noqa: E402
from wsserverside import ServerSide  # noqa: E402

SECTIONS = {}
for module in (cases_framing, cases_utf8, cases_close, cases_large):
    SECTIONS.update(module.SECTIONS)

AGENT_EXIT_TIMEOUT = 10.0


def selected_cases(sections, ids):
    for number in sorted(SECTIONS):
        if sections and number not in sections:
            continue
        for case_id, description, run in SECTIONS[number]():
            if ids and not any(case_id == i or case_id.startswith(i + ".") for i in ids):
                continue
            yield case_id, description, run


def run_case(agent, listener, case_id, run):
    port = listener.getsockname()[1]
    proc = subprocess.Popen([agent, "ws://127.0.0.1:%d/%s" % (port, case_id)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    conn = None
    error = None
    try:
        listener.settimeout(10.0)
        try:
            sock, _ = listener.accept()
        except socket.timeout:
            error = "the client agent did not connect within 10 s"
            sock = None
        if sock is not None:
            conn = ServerSide(sock)
            run(conn)
    except CaseFailed as err:
        error = str(err)
    except OSError as err:
        error = "socket error: %s" % err
    except Exception:
        error = "error in the test: " + traceback.format_exc()
    finally:
        if conn is not None:
            conn.close()
    try:
        _, log = proc.communicate(timeout=AGENT_EXIT_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, log = proc.communicate()
        error = error or "the client agent did not exit within %.0f s of the case's end" \
            % AGENT_EXIT_TIMEOUT
    return error, log.strip()


def main():
    parser = argparse.ArgumentParser(description="restws client conformance")
    parser.add_argument("--agent", help="the client agent binary")
    parser.add_argument("--section", type=int, action="append", default=[],
                        choices=sorted(SECTIONS))
    parser.add_argument("--case", action="append", default=[])
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args()
    if args.list:
        for case_id, description, _ in selected_cases(args.section, args.case):
            print("%-8s %s" % (case_id, description))
        return 0
    if not args.agent:
        parser.error("--agent is required")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    start = time.monotonic()
    failed, passed = [], 0
    for case_id, description, run in selected_cases(args.section, args.case):
        t0 = time.monotonic()
        error, agent_log = run_case(args.agent, listener, case_id, run)
        ms = (time.monotonic() - t0) * 1000
        if error is not None and agent_log:
            error += "\n         client agent: " + agent_log
        if error is None:
            passed += 1
            print("%-8s OK      %6.0f ms  %s" % (case_id, ms, description), flush=True)
        else:
            failed.append(case_id)
            print("%-8s FAILED  %6.0f ms  %s\n         -> %s" % (case_id, ms, description, error),
                  flush=True)
    print("\nclient conformance: %.1f s" % (time.monotonic() - start))
    if failed:
        print("failed cases: %s" % " ".join(failed))
    print("client conformance: %d passed, %d failed" % (passed, len(failed)), flush=True)
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
