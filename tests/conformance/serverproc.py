"""Starts and stops the server under test (examples/ws_echo or the stand-in) for the test tools.

The seed's echo server listens on a fixed port (8080), so a port already taken by another
process is reported instead of silently testing the wrong server.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

START_SECONDS = 15.0
STOP_SECONDS = 10.0


def port_accepts(host, port, timeout=0.2):
    """True when a TCP connect to host:port succeeds within `timeout`."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class ServerProcess:
    """The server binary as a child process; its output goes to a temporary log file."""

    def __init__(self, command, host="localhost", port=8080):
        self.command = command
        self.host = host
        self.port = port
        self.proc = None
        self.log = None

    def start(self):
        """Launches the server and waits (bounded) until its port accepts connections."""
        if port_accepts(self.host, self.port):
            raise RuntimeError("port %d already accepts connections: another server is running"
                               % self.port)
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(self.command, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %d before listening:\n%s"
                                   % (self.proc.returncode, self.output()))
            if port_accepts(self.host, self.port):
                return
            try:  # retry interval of the bounded readiness poll; returns early if it dies
                self.proc.wait(0.05)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
        raise RuntimeError("server did not accept on port %d within %.0f s:\n%s"
                           % (self.port, START_SECONDS, self.output()))

    def stop(self):
        """SIGTERMs the server; returns an error string, or None if it exited cleanly.

        A clean exit is status 0 or death by the SIGTERM itself (a server without a handler).
        """
        if self.proc is None:
            return None
        if self.proc.poll() is not None:
            return "server died during the run with status %d" % self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            status = self.proc.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()
            return "server did not exit within %.0f s of SIGTERM" % STOP_SECONDS
        if status not in (0, -signal.SIGTERM):
            return "server exited with status %d after SIGTERM" % status
        return None

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def output(self, limit=8000):
        """The tail of the server's combined stdout/stderr."""
        if self.log is None:
            return ""
        self.log.seek(0, os.SEEK_END)
        size = self.log.tell()
        self.log.seek(max(0, size - limit))
        return self.log.read().decode("utf-8", "replace")


def isolate_if_port_taken(host, port):
    """Re-executes this program in a private network namespace when `port` is already taken.

    Engineers share one machine and the seed's server has a fixed port: a server someone left
    running must not be tested instead of ours, nor make our run fail. A fresh namespace (own
    loopback, nothing listening) needs unshare(1) and ip(8); without them nothing happens and
    ServerProcess.start() reports the taken port. Returns only when no re-execution happened.
    """
    if os.environ.get("RESTWS_TEST_NETNS") or not port_accepts(host, port):
        return
    unshare, ip = shutil.which("unshare"), shutil.which("ip")
    if not unshare or not ip:
        return
    print("port %d is taken: re-running in a private network namespace" % port, flush=True)
    os.environ["RESTWS_TEST_NETNS"] = "1"
    flags = "-n" if os.geteuid() == 0 else "-rn"
    argv = [unshare, flags, "sh", "-c", '"$0" link set lo up && exec "$@"', ip,
            sys.executable] + sys.argv
    os.execv(unshare, argv)


def run_with_server(command, body, host="localhost", port=8080):
    """Runs body() with the server started; returns body's exit status, failing on a bad stop."""
    server = ServerProcess(command, host, port)
    try:
        server.start()
    except RuntimeError as err:
        print("ERROR: %s" % err, flush=True)
        return 2
    try:
        status = body()
    finally:
        error = server.stop()
    if error:
        print("ERROR: %s" % error, flush=True)
        status = status or 1
    if error or status:
        sys.stdout.write("---- server output (tail) ----\n%s\n" % server.output())
    return status
