"""A real redis-server on a loopback port for system tests, whether ramiel-server has the shared
cache tier that uses it (the --redis flag), and the `shared_cache` fixture (import it)."""
import os
import re
import shutil
import socket
import subprocess
import time

import pytest

from ramiel_harness import SLOWDOWN, binary

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def server_flags():
    """Every long flag `ramiel-server --help` lists."""
    text = subprocess.run([binary("RAMIEL_SERVER"), "--help"], capture_output=True, text=True,
                          timeout=30, check=True).stdout
    return set(re.findall(r"^\s+(?:-\w,)?(--[a-z][a-z0-9-]*)", text, re.MULTILINE))


def server_has_shared_cache():
    return "--redis" in server_flags()


class RedisServer:
    """redis-server without persistence on a free loopback port, in `directory`."""

    def __init__(self, directory):
        if not os.path.exists(REDIS_SERVER):
            raise RuntimeError("redis-server is required (Debian package redis-server)")
        with socket.socket() as s:  # redis cannot report a kernel-chosen port
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        os.makedirs(directory, exist_ok=True)
        self.log = open(os.path.join(directory, "redis.log"), "w")
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(directory)], stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30 * SLOWDOWN
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"redis-server exited with {self.proc.returncode}")
                time.sleep(0.05)
        else:
            raise TimeoutError("redis-server did not listen")
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self):
        """Idempotent."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()


@pytest.fixture
def shared_cache(tmp_path):
    """A real redis-server when this ramiel-server has the shared tier (--redis), else None."""
    if not server_has_shared_cache():
        yield None
        return
    redis = RedisServer(tmp_path / "redis")
    yield redis
    redis.stop()
