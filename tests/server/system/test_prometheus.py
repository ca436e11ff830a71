"""The real Prometheus scrapes the real server: the metrics are usable as exported."""
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from ramiel_harness import SLOWDOWN, compile_remote

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"


def free_loopback_port():
    # Prometheus cannot report a kernel-chosen port, so one is picked here and released.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(port, expression):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expression})
    with urllib.request.urlopen(url, timeout=5) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    return body["data"]["result"]


@pytest.fixture
def prometheus(tmp_path):
    """Starts Prometheus with a temporary config; returns start(metrics_port) -> web port."""
    procs = []

    def start(target_port):
        web_port = free_loopback_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n"
            "  - job_name: ramiel\n"
            f"    static_configs:\n      - targets: ['127.0.0.1:{target_port}']\n")
        log = open(tmp_path / "prometheus.log", "w")
        procs.append(subprocess.Popen(
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{web_port}"], stdout=log, stderr=log))
        return web_port

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_prometheus_scrapes_ramiel_metrics(start_server, prometheus, model_dir, tmp_path):
    if not os.path.exists(PROMETHEUS):
        pytest.fail("the prometheus binary is required (Debian package 'prometheus')")
    server = start_server()
    assert compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "out").returncode == 0
    web_port = prometheus(server.metrics_port)
    deadline = time.monotonic() + 60 * SLOWDOWN
    samples = []
    while time.monotonic() < deadline:
        try:
            samples = query(web_port, 'ramiel_compiles_total{result="ok"}')
        except OSError:
            samples = []  # Prometheus still starting
        if samples:
            break
        time.sleep(0.5)
    assert samples, "Prometheus never scraped ramiel_compiles_total"
    assert samples[0]["metric"]["job"] == "ramiel"
    assert float(samples[0]["value"][1]) == 1
    up = query(web_port, 'up{job="ramiel"}')
    assert float(up[0]["value"][1]) == 1
    build = query(web_port, "ramiel_build_info")
    assert build and build[0]["metric"]["compiler_version"]
