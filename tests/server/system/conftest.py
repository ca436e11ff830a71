"""Fixtures for the server's system tests: servers in temporary directories, small models."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import models  # noqa: E402
from ramiel_harness import Server  # noqa: E402


@pytest.fixture
def start_server(tmp_path):
    """start_server(*flags, cache=NAME) -> a running Server; every one is stopped (SIGTERM, must
    exit 0 with no sanitizer report) when the test ends."""
    servers = []

    def start(*flags, cache="server", workers=2):
        server = Server(tmp_path / cache, *flags, workers=workers)
        servers.append(server)
        return server

    yield start
    failures = []
    for server in servers:
        if server.proc.poll() is None:
            code = server.stop()
            if code != 0:
                failures.append(f"ramiel-server exited with {code}:\n{server.stderr()[-5000:]}")
        try:
            server.assert_clean()
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """Distinct small models: m0..m3 (branchy, different weights), big (about 8 MiB, several
    upload chunks), and two broken files."""
    d = tmp_path_factory.mktemp("models")
    for seed in range(4):
        models.branchy(d / f"m{seed}.onnx", branches=2 + seed % 3, seed=seed)
    models.branchy(d / "big.onnx", branches=2, width=1024, depth=1, seed=42)
    with open(d / "random.onnx", "wb") as f:
        f.write(os.urandom(4096))
    with open(d / "m0.onnx", "rb") as f:
        whole = f.read()
    with open(d / "truncated.onnx", "wb") as f:
        f.write(whole[: len(whole) // 2])
    return d


@pytest.fixture
def reference_model():
    """GoogLeNet from the reference-model fixture, when ctest provides it."""
    models_dir = os.environ.get("RAMIEL_MODELS_DIR", "")
    path = os.path.join(models_dir, "googlenet.onnx")
    if not os.path.exists(path):
        pytest.skip("reference models not exported (run through ctest)")
    return path
