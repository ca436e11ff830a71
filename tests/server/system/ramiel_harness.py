"""Starts the real ramiel-server and runs the real ramiel-client, for system tests and benchmarks.

Everything is on loopback with ports chosen by the kernel (the server reports them on its first log
line), in temporary directories, with a bounded wait for every process.
"""
import json
import os
import queue
import signal
import socket
import subprocess
import threading
import time
import urllib.request

# Sanitizer reports a test must never see in a server's stderr.
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "WARNING: ThreadSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:")
# Sanitized builds run several times slower; every wait scales with this.
SLOWDOWN = float(os.environ.get("RAMIEL_TEST_SLOWDOWN", "1"))


def binary(env_name):
    path = os.environ.get(env_name)
    if not path or not os.path.exists(path):
        raise RuntimeError(f"{env_name} must name the built binary (run the tests through ctest)")
    return path


class Server:
    """One ramiel-server process. Use as a context manager or call stop()."""

    def __init__(self, cache_dir, *flags, workers=2, env=None):
        self.cache_dir = str(cache_dir)
        self.stderr_path = os.path.join(self.cache_dir, f"server-stderr-{time.time_ns()}.txt")
        os.makedirs(self.cache_dir, exist_ok=True)
        args = [binary("RAMIEL_SERVER"), "--listen", "127.0.0.1:0", "--metrics-listen",
                "127.0.0.1:0", "--cache-dir", os.path.join(self.cache_dir, "cache"),
                "--workers", str(workers)] + [str(f) for f in flags]
        self._stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr, text=True,
                                     env=env)
        self._lines = queue.Queue()
        self.log = []  # every JSON line the server wrote, in order
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        listening = self.wait_for_event("listening", timeout=60 * SLOWDOWN)
        self.port = listening["grpc_port"]
        self.metrics_port = listening["metrics_port"]
        self.address = f"127.0.0.1:{self.port}"

    def _read_stdout(self):
        for line in self.proc.stdout:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = {"event": "unparsed", "text": line}
            self.log.append(record)
            self._lines.put(record)

    def wait_for_event(self, name, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                record = self._lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"ramiel-server exited with {self.proc.returncode}:\n"
                                       + self.stderr())
                continue
            if record.get("event") == name:
                return record
        raise TimeoutError(f"ramiel-server wrote no '{name}' line in {timeout} s")

    def requests(self, method=None):
        return [r for r in list(self.log)
                if r.get("event") == "request" and (method is None or r["method"] == method)]

    def metrics_text(self):
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=10 * SLOWDOWN) as response:
            return response.read().decode()

    def metric(self, name, **labels):
        """Sum of the samples of `name` whose labels include `labels` (0 when none)."""
        total = 0.0
        for line in self.metrics_text().splitlines():
            if line.startswith("#") or not line.startswith(name):
                continue
            head, _, value = line.rpartition(" ")
            sample, _, label_text = head.partition("{")
            if sample != name:
                continue
            found = dict(part.split("=", 1) for part in label_text.rstrip("}").split(",") if part)
            found = {k: v.strip('"') for k, v in found.items()}
            if all(found.get(k) == str(v) for k, v in labels.items()):
                total += float(value)
        return total

    def stderr(self):
        with open(self.stderr_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM, timeout=60):
        """Signals the server, waits for it to exit and returns its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout * SLOWDOWN)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        self._reader.join(timeout=10)
        self._stderr.close()
        return code

    def assert_clean(self):
        text = self.stderr()
        for marker in SANITIZER_MARKERS:
            assert marker not in text, f"ramiel-server reported '{marker}':\n{text[-20000:]}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            code = self.stop()
            if exc[0] is None:
                assert code == 0, f"ramiel-server exited with {code}:\n{self.stderr()[-5000:]}"
        if exc[0] is None:
            self.assert_clean()


def wait_until(condition, timeout=30, interval=0.05):
    """Polls `condition` until it holds; fails the test after `timeout` seconds (scaled)."""
    deadline = time.monotonic() + timeout * SLOWDOWN
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout * SLOWDOWN} s")
        time.sleep(interval)


class ClientRun:
    def __init__(self, proc, out_dir):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.out_dir = out_dir


def run_client(*args, timeout=300):
    proc = subprocess.run([binary("RAMIEL_CLIENT")] + [str(a) for a in args], capture_output=True,
                          text=True, timeout=timeout * SLOWDOWN)
    return proc


def compile_remote(server_address, model, out_dir, *flags, timeout=300):
    proc = run_client("compile", model, "-o", out_dir, "--server", server_address, "-q", *flags,
                      timeout=timeout)
    return ClientRun(proc, out_dir)


def compile_local(model, out_dir, *flags, timeout=300):
    proc = run_client("compile", model, "-o", out_dir, "--local", "-q", *flags, timeout=timeout)
    return ClientRun(proc, out_dir)


def read_outputs(out_dir):
    """name -> bytes of every file the client wrote."""
    files = {}
    for name in sorted(os.listdir(out_dir)):
        with open(os.path.join(out_dir, name), "rb") as f:
            files[name] = f.read()
    return files


def without_timings(schedule_bytes):
    document = json.loads(schedule_bytes)
    document.pop("timings_ms", None)
    return document


def assert_same_outputs(expected_dir, actual_dir):
    """Byte-for-byte equality of every file. schedule.json's `timings_ms` (wall-clock compile
    times, which differ between any two compiles) is the only part set aside, and only while the
    core writes it."""
    expected, actual = read_outputs(expected_dir), read_outputs(actual_dir)
    assert sorted(expected) == sorted(actual)
    for name in expected:
        if name == "schedule.json" and b'"timings_ms"' in expected[name]:
            assert without_timings(expected[name]) == without_timings(actual[name])
            continue
        assert expected[name] == actual[name], f"{name} differs"


def assert_serving(server):
    """The server answers grpc.health.v1 with SERVING (through the real client)."""
    health = run_client("health", "--server", server.address)
    assert health.returncode == 0 and health.stdout.strip() == "SERVING", health.stderr


def peak_rss_bytes(pid):
    """A process's peak resident memory so far (VmHWM)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmHWM line for process {pid}")



def free_port():
    """A loopback port nothing listens on at the moment of the call."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(directory, name="ca", subject="/CN=ramiel test CA"):
    """A throwaway CA: directory/NAME.key and directory/NAME.pem."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", subject,
            cwd=directory)


def issue(directory, name, subject, extensions, ca="ca"):
    """A key and a certificate for `subject`, signed by the CA `ca` in `directory`."""
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=directory)
    (directory / f"{name}.ext").write_text(extensions)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-days", "2", "-out", f"{name}.pem", "-extfile", f"{name}.ext",
            cwd=directory)


def issue_server_certificate(directory, name, ca="ca"):
    """A server certificate for 127.0.0.1 and localhost (subjectAltName), signed by `ca`."""
    issue(directory, name, "/CN=localhost",
          "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
          "subjectAltName=IP:127.0.0.1,DNS:localhost\n", ca=ca)


class RedisServer:
    """A real redis-server on a free loopback port in `directory`, without persistence. stop() and
    start() again keep the port (a restart). With `tls=(cert, key, ca)` the port speaks TLS only
    (clients are not asked for certificates). Use as a context manager or call stop()."""

    def __init__(self, directory, *args, tls=None, password=None):
        self.directory = str(directory)
        os.makedirs(self.directory, exist_ok=True)
        self.port = free_port()
        self.args = [str(a) for a in args]
        self.tls = tls
        self.password = password
        self.proc = None
        self.start()

    def start(self):
        args = ["redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", self.directory, "--logfile", os.path.join(self.directory, "redis.log")]
        if self.tls:
            cert, key, ca = (str(p) for p in self.tls)
            args += ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", cert,
                     "--tls-key-file", key, "--tls-ca-cert-file", ca, "--tls-auth-clients", "no"]
        else:
            args += ["--port", str(self.port)]
        if self.password:
            args += ["--requirepass", self.password]
        self.proc = subprocess.Popen(args + self.args, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

        def accepts():
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False
        wait_until(accepts, timeout=30)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)

    def url(self, password=None):
        scheme = "rediss" if self.tls else "redis"
        credentials = f":{password}@" if password else ""
        return f"{scheme}://{credentials}127.0.0.1:{self.port}"

    def cli(self, *args, stdin=None):
        """redis-cli against this server (TLS and password included); its stdout as text."""
        command = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port)]
        if self.tls:
            command += ["--tls", "--cacert", str(self.tls[2])]
        env = dict(os.environ, REDISCLI_AUTH=self.password) if self.password else None
        proc = subprocess.run(command + [str(a) for a in args], input=stdin, capture_output=True,
                              text=True, timeout=30, env=env, check=True)
        return proc.stdout

    def command(self, *args):
        """One command over plain RESP, binary-safe (for values redis-cli cannot pass on its
        command line); the reply as bytes, int, None or a list. An error reply raises."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as conn:
            stream = conn.makefile("rwb")
            for arg_list in ([["AUTH", self.password]] if self.password else []) + [list(args)]:
                parts = [a if isinstance(a, bytes) else str(a).encode() for a in arg_list]
                stream.write(b"*%d\r\n" % len(parts))
                for part in parts:
                    stream.write(b"$%d\r\n%s\r\n" % (len(part), part))
                stream.flush()
                reply = _read_resp(stream)
            return reply

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _read_resp(stream):
    line = stream.readline()
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest
    if kind == b"-":
        raise RuntimeError(f"redis error: {rest.decode()}")
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        if size < 0:
            return None
        data = stream.read(size + 2)
        return data[:-2]
    if kind == b"*":
        count = int(rest)
        return None if count < 0 else [_read_resp(stream) for _ in range(count)]
    raise RuntimeError(f"not a RESP reply: {line!r}")
