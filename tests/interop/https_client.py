#!/usr/bin/python3
"""Interop over TLS with the command-line clients: curl and openssl s_client against the echo
server's https side (ws_echo --tls-cert FILE --tls-key FILE serves https and wss on one port).

Cases, each a bounded run of the tool:
  curl   two URLs in one curl command (HTTP/1.1, --cacert): both get an HTTP answer (any status:
         ws_echo answers 404 to what is not an upgrade) over one TLS connection (num_connects
         1 then 0: the second reuses the first's connection), the chain verified
         (ssl_verify_result 0).
  tls13  openssl s_client -tls1_3 -alpn http/1.1 -servername HOST, verifying chain and host
         name: "Verify return code: 0", protocol TLSv1.3, then an HTTP/1.1 request with
         Connection: close is answered and the server closes.
  tls12  the same with -tls1_2: protocol TLSv1.2.
With --expect-alpn PROTO, curl and s_client must also report ALPN PROTO agreed (restws:
http/1.1); without it the ALPN outcome is only printed (uWebSockets agrees none).

Usage: https_client.py --cafile FILE [--host localhost] [--port 8080] [--expect-alpn PROTO]
                       [--path /] [CASE...]          (default: every case)
"""

import argparse
import ipaddress
import re
import shutil
import subprocess
import sys

TOOL_SECONDS = 15.0
CASES = ("curl", "tls13", "tls12")


class Failed(Exception):
    pass


def check(condition, what):
    if not condition:
        raise Failed(what)


def run_tool(command, stdin=b""):
    """Runs command (bounded); returns (status, stdout, stderr) as text."""
    if shutil.which(command[0]) is None:
        raise Failed("%s is missing (Debian package %s)" % (command[0], command[0]))
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, timeout=TOOL_SECONDS,
                              check=False)
    except subprocess.TimeoutExpired:
        raise Failed("%s did not finish within %.0f s" % (" ".join(command), TOOL_SECONDS))
    return (done.returncode, done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"))


def authority(args):
    """host:port, an IPv6 address in brackets."""
    return ("[%s]:%d" if ":" in args.host else "%s:%d") % (args.host, args.port)


def case_curl(args):
    base = "https://" + authority(args)
    urls = [base + args.path, base + args.path]
    write_out = "%{http_code} %{num_connects} %{ssl_verify_result} %{http_version}\\n"
    command = ["curl", "--silent", "--show-error", "--verbose", "--http1.1",
               "--cacert", args.cafile, "--max-time", "10", "--write-out", write_out]
    for url in urls:
        command += ["--output", "/dev/null", url]
    status, out, err = run_tool(command)
    said = dict.fromkeys(line for line in err.splitlines() if line.startswith("curl:"))
    check(status == 0, "curl exited with %d: %s" % (status, " ".join(said)))
    lines = out.split()
    check(len(lines) == 4 * len(urls), "curl wrote %r" % out)
    answers = [lines[i:i + 4] for i in range(0, len(lines), 4)]
    for url, (code, _, verify, version) in zip(urls, answers):
        check(code != "000", "%s: no HTTP answer" % url)
        check(verify == "0", "%s: ssl_verify_result %s" % (url, verify))
        check(version == "1.1", "%s: HTTP version %s" % (url, version))
    connects = [int(a[1]) for a in answers]
    check(connects == [1, 0], "connections made per URL: %r (expected [1, 0]: one kept alive)"
          % connects)
    check("Re-using existing connection" in err, "curl -v does not say it reused the connection")
    alpn = re.search(r"ALPN: server accepted (\S+)", err)
    agreed = alpn.group(1) if alpn else None
    if args.expect_alpn:
        check(agreed == args.expect_alpn, "ALPN agreed with curl: %s, expected %s"
              % (agreed or "none", args.expect_alpn))
    tls = re.search(r"SSL connection using (\S+)", err)
    return "HTTP %s, %s, ALPN %s, one connection" % (
        "/".join(a[0] for a in answers), tls.group(1) if tls else "?", agreed or "none")


def s_client(args, version_flag, protocol):
    request = ("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
               % (args.path, authority(args))).encode()
    # -ign_eof: after the request (stdin's end) s_client waits for the server to close.
    # An IP address is checked as one, and sent as no server name (SNI names hosts only).
    try:
        ipaddress.ip_address(args.host)
        names = ["-noservername", "-verify_ip", args.host]
    except ValueError:
        names = ["-servername", args.host, "-verify_hostname", args.host]
    command = (["openssl", "s_client", "-connect", authority(args), "-CAfile", args.cafile]
               + names + ["-verify_return_error", "-alpn", "http/1.1", version_flag, "-ign_eof"])
    status, out, err = run_tool(command, request)
    check(status == 0, "s_client exited with %d: %s" % (status, err.strip().splitlines()[-3:]))
    verify = re.search(r"Verify return code: (\d+) \(([^)]*)\)", out)
    check(verify is not None, "s_client printed no verify result")
    check(verify.group(1) == "0", "verify return code %s (%s)" % verify.groups())
    agreed = re.search(r"^Protocol *: *(\S+)", out, re.M) or \
        re.search(r"^New, (TLSv[\d.]+),", out, re.M)
    check(agreed is not None and agreed.group(1) == protocol,
          "protocol %s, expected %s" % (agreed.group(1) if agreed else "?", protocol))
    alpn = re.search(r"^ALPN protocol: (\S+)", out, re.M)
    got_alpn = alpn.group(1) if alpn else None
    if args.expect_alpn:
        check(got_alpn == args.expect_alpn, "ALPN agreed with s_client: %s, expected %s"
              % (got_alpn or "none", args.expect_alpn))
    answer = re.search(r"^HTTP/1\.1 (\d{3})", out, re.M)
    check(answer is not None, "no HTTP/1.1 answer to the request over %s" % protocol)
    cipher = re.search(r"^New, \S+, Cipher is (\S+)", out, re.M)
    return "%s %s, ALPN %s, verify 0, HTTP %s" % (
        protocol, cipher.group(1) if cipher else "?", got_alpn or "none", answer.group(1))


def case_tls13(args):
    return s_client(args, "-tls1_3", "TLSv1.3")


def case_tls12(args):
    return s_client(args, "-tls1_2", "TLSv1.2")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cafile", required=True, help="PEM file of the CA the server chains to")
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--path", default="/", help="the path requested (default /)")
    parser.add_argument("--expect-alpn", help="the ALPN protocol the server must agree")
    parser.add_argument("cases", nargs="*", help="cases (default: all): %s" % " ".join(CASES))
    args = parser.parse_args()
    names = args.cases or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error("unknown case(s): %s" % " ".join(unknown))
    failed = 0
    for name in names:
        try:
            note = globals()["case_" + name](args)
            print("https %s: OK (%s)" % (name, note), flush=True)
        except Failed as err:
            failed += 1
            print("https %s: FAILED: %s" % (name, err), flush=True)
    print("interop.https: %d passed, %d failed" % (len(names) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
