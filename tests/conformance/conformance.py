#!/usr/bin/python3
"""restws WebSocket conformance suite: Autobahn|Testsuite fuzzing-client behaviours, sections
1-7, 9, 10, 12 and 13, run over real loopback sockets against an echo server (examples/ws_echo).

Every case opens its own connection to ws://HOST:PORT/chat, sends its frames and asserts what
the Autobahn suite requires for OK (strict): the exact echoed frames (frame by frame: the server
echoes fragments as fragments), the close code the server sends, and that the server closes TCP
after the close handshake. All waits are bounded (2 s per frame, 60 s for the largest messages).
Sections 12 and 13 (permessage-deflate) offer compression and compare whole messages.

Usage:
  conformance.py --server PATH [--server-arg ARG ...] [--section N ...] [--case ID ...]
  conformance.py [--host localhost] [--port 8080] ...   (against a server already running)
  conformance.py --server PATH --tls-cert CHAIN.pem --tls-key KEY --cafile CA.pem ...  (wss://)
  conformance.py --cafile CA.pem [--host localhost] [--port 8080] ...   (a running wss:// server)
  conformance.py --list
With --server, the binary is started, awaited on its port, and stopped with SIGTERM at the end
(it must then exit by itself); sections that need server flags (12 and 13: --deflate) get a
server of their own started with them, before the --server-arg arguments.
With --cafile every case speaks wss://: TLS first, the server's chain verified against the CAs in
FILE only and its certificate checked for --host. --tls-cert and --tls-key are given to the
server started (ws_echo's flags, after the others) and need --cafile.
Exit status: 0 when every selected case passes.
"""

import argparse
import os
import ssl
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cases_close  # noqa: E402
import cases_deflate  # noqa: E402
import cases_framing  # noqa: E402
import cases_large  # noqa: E402
import cases_utf8  # noqa: E402
import serverproc  # noqa: E402
from wsclient import CaseFailed, Client  # noqa: E402

SECTIONS = {}
SERVER_ARGS = {}  # section -> the arguments the server needs for it
for module in (cases_framing, cases_utf8, cases_close, cases_large, cases_deflate):
    SECTIONS.update(module.SECTIONS)
    SERVER_ARGS.update(getattr(module, "SERVER_ARGS", {}))


def selected_cases(sections, ids):
    for number in sorted(SECTIONS):
        if sections and number not in sections:
            continue
        for case_id, description, run in SECTIONS[number]():
            if ids and not any(case_id == i or case_id.startswith(i + ".") for i in ids):
                continue
            yield case_id, description, run


def run_case(args, run):
    """Runs one case on a fresh connection; returns None or the failure message."""
    client = None
    try:
        # A case may ask for permessage-deflate offers in its handshake (cases_deflate).
        client = Client(args.host, args.port, offers=getattr(run, "offers", None),
                        one_field=getattr(run, "one_field", True), tls=args.tls)
        run(client)
        return None
    except CaseFailed as err:
        return str(err)
    except OSError as err:
        return "socket error: %s" % err
    except Exception:  # a bug in the case itself must still be reported as a failure
        return "error in the test: " + traceback.format_exc()
    finally:
        if client is not None:
            client.close()


def run_cases(args, sections, results):
    """Runs the selected cases of `sections`, appending (case_id, error or None) to results."""
    for case_id, description, run in selected_cases(sections, args.case):
        t0 = time.monotonic()
        error = run_case(args, run)
        ms = (time.monotonic() - t0) * 1000
        results.append((case_id, error))
        if error is None:
            print("%-8s OK      %6.0f ms  %s" % (case_id, ms, description), flush=True)
        else:
            print("%-8s FAILED  %6.0f ms  %s\n         -> %s" % (case_id, ms, description, error),
                  flush=True)
    return 1 if any(error is not None for _, error in results) else 0


def server_groups(args):
    """The selected sections that have cases, grouped by the server arguments they need."""
    groups = {}
    for number in sorted(args.section or SECTIONS):
        if any(True for _ in selected_cases([number], args.case)):
            groups.setdefault(tuple(SERVER_ARGS.get(number, ())), []).append(number)
    return groups


def tls_server_args(args):
    """The server's TLS flags (ws_echo's), from --tls-cert and --tls-key."""
    flags = []
    if args.tls_cert:
        flags += ["--tls-cert", args.tls_cert]
    if args.tls_key:
        flags += ["--tls-key", args.tls_key]
    return flags


def tls_context(cafile):
    """The clients' TLS context: verifies the chain against cafile only, checks the host name,
    and tells a TCP close without close_notify from a clean one (Python sets OpenSSL's
    IGNORE_UNEXPECTED_EOF by default, which makes both look the same)."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    return context


def run_all(args):
    results, status = [], 0
    start = time.monotonic()
    if not args.server:
        status = run_cases(args, args.section, results)
    else:
        for extra, sections in server_groups(args).items():
            command = [args.server] + list(extra) + args.server_arg + tls_server_args(args)
            if len(command) > 1:
                print("server: %s" % " ".join(command), flush=True)
            status |= serverproc.run_with_server(
                command, lambda s=sections: run_cases(args, s, results), args.host, args.port)
    failed = [case_id for case_id, error in results if error is not None]
    passed = len(results) - len(failed)
    print("\nconformance sections %s%s: %.1f s" % (",".join(map(str, args.section or SECTIONS)),
                                                    " over TLS" if args.tls else "",
                                                    time.monotonic() - start))
    if failed:
        print("failed cases: %s" % " ".join(failed))
    print("conformance: %d passed, %d failed" % (passed, len(failed)), flush=True)
    return 1 if status or failed or passed == 0 else 0


def main():
    parser = argparse.ArgumentParser(description="restws WebSocket conformance suite")
    parser.add_argument("--server", help="echo server binary to start and stop")
    parser.add_argument("--server-arg", action="append", default=[],
                        help="argument for the server binary (repeatable)")
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--section", type=int, action="append", default=[],
                        choices=sorted(SECTIONS), help="run only this section (repeatable)")
    parser.add_argument("--case", action="append", default=[],
                        help="run only this case id or id prefix, e.g. 6.4 (repeatable)")
    parser.add_argument("--tls-cert", metavar="FILE",
                        help="PEM certificate chain for the server started (its --tls-cert)")
    parser.add_argument("--tls-key", metavar="FILE",
                        help="PEM private key for the server started (its --tls-key)")
    parser.add_argument("--cafile", metavar="FILE",
                        help="speak wss://, trusting only the CAs in this PEM file")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args()
    if (args.tls_cert or args.tls_key) and not args.server:
        parser.error("--tls-cert and --tls-key are for the server started with --server")
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.tls_cert and not args.cafile:
        parser.error("--tls-cert needs --cafile (the CA the clients trust)")
    args.tls = tls_context(args.cafile) if args.cafile else None
    if args.list:
        for case_id, description, _ in selected_cases(args.section, args.case):
            print("%-8s %s" % (case_id, description))
        return 0
    if args.server:
        serverproc.isolate_if_port_taken(args.host, args.port)
    return run_all(args)


if __name__ == "__main__":
    sys.exit(main())
