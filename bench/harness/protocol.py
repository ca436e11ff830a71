"""The orchestrator's side of the worker line protocol: one JSON object per line each way.

A worker (torch_worker.py, ort_worker.js) loads its configuration, answers {"ok": true,
"ready": true, "info": {...}}, then answers each request line ({"cmd": "run", "iters": k},
{"cmd": "outputs", "path": P}, {"cmd": "memory", "iters": n}, {"cmd": "quit"}) with one line:
{"ok": true, ...} or {"ok": false, "error": "..."}. Workers keep stdout for the protocol alone
(stray prints go to stderr), so a reply is always the next line.
"""
import json
import os
import selectors
import subprocess
import time


class WorkerError(RuntimeError):
    """A worker failed to start, answered an error, died or did not answer in time."""


class Worker:
    """A long-lived worker subprocess speaking the line protocol."""

    def __init__(self, name, argv, log_path=None, wait=True, start_timeout=300):
        """Starts the worker; with wait=False call wait_ready() before the first request (so
        that several workers load at the same time)."""
        self.name = name
        self.argv = list(argv)
        self.info = None
        self._log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=self._log)
        self._buffer = b""
        if wait:
            self.wait_ready(start_timeout)

    def wait_ready(self, timeout=300):
        """Waits for the worker's ready line; returns its info."""
        try:
            self.info = self._reply(timeout, "start").get("info", {})
        except WorkerError:
            self.kill()
            raise
        return self.info

    @property
    def pid(self):
        return self._proc.pid

    def request(self, message, timeout=600):
        """Sends one request and returns its reply (a dict with "ok": true)."""
        if self._proc.poll() is not None:
            raise WorkerError("%s: worker exited with code %s" % (self.name, self._proc.returncode))
        try:
            self._proc.stdin.write((json.dumps(message) + "\n").encode())
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise WorkerError("%s: cannot write to the worker: %s" % (self.name, error))
        return self._reply(timeout, message.get("cmd", "?"))

    def _reply(self, timeout, what):
        deadline = time.monotonic() + timeout
        selector = selectors.DefaultSelector()
        selector.register(self._proc.stdout, selectors.EVENT_READ)
        try:
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.kill()
                    raise WorkerError("%s: no answer to %s within %d s" % (self.name, what,
                                                                            timeout))
                if not selector.select(left):
                    continue
                chunk = os.read(self._proc.stdout.fileno(), 1 << 16)
                if not chunk:
                    self._proc.wait()
                    raise WorkerError("%s: worker exited with code %s during %s%s" % (
                        self.name, self._proc.returncode, what, self._log_hint()))
                self._buffer += chunk
        finally:
            selector.close()
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            reply = json.loads(line)
        except ValueError:
            raise WorkerError("%s: not a protocol line during %s: %r"
                              % (self.name, what, line[:200]))
        if not reply.get("ok"):
            raise WorkerError("%s: %s" % (self.name, reply.get("error", "failed")))
        return reply

    def _log_hint(self):
        name = getattr(self._log, "name", None)
        return " (its stderr is in %s)" % name if name else ""

    def close(self, timeout=60):
        """Asks the worker to quit; kills it if it does not."""
        if self._proc.poll() is None:
            try:
                self.request({"cmd": "quit"}, timeout=timeout)
            except WorkerError:
                pass
            try:
                self._proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_files()

    def kill(self):
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._close_files()

    def _close_files(self):
        for stream in (self._proc.stdin, self._proc.stdout):
            try:
                stream.close()
            except (OSError, ValueError):
                pass
        if self._log is not subprocess.DEVNULL:
            self._log.close()
            self._log = subprocess.DEVNULL
