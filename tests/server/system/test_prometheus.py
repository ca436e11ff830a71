"""The real Prometheus scrapes two real servers under traffic: every query of the Grafana dashboard
(and the HPA's adapter rule) returns data, and the hit-ratio panel reads 0.5 for four new models
followed by the same four."""
import json
import math
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest
import yaml

from ramiel_harness import compile_remote, wait_until
from redis_process import shared_cache  # noqa: F401 (a fixture)

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
DEPLOY = os.path.join(os.path.dirname(__file__), "..", "..", "..", "deploy")
DASHBOARD = os.path.join(DEPLOY, "grafana", "dashboards", "ramiel-server.json")
ADAPTER_RULES = os.path.join(DEPLOY, "kubernetes", "prometheus-adapter-rules.yaml")
HIT_RATIO_PANEL = "Cache hit ratio"


def free_loopback_port():
    # Prometheus cannot report a kernel-chosen port, so one is picked here and released.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(port, path, **params):
    url = f"http://127.0.0.1:{port}/api/v1/{path}?" + urllib.parse.urlencode(params, doseq=True)
    with urllib.request.urlopen(url, timeout=5) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    return body["data"]


def query(port, expression):
    return api(port, "query", query=expression)["result"]


def scalar(port, expression):
    """The single value of an expression with one result, or None while it has none."""
    try:
        result = query(port, expression)
    except OSError:
        return None  # Prometheus still starting
    return float(result[0]["value"][1]) if len(result) == 1 else None


def dashboard_queries():
    """(panel title, expression) for every target of every panel."""
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    return [(panel["title"], target["expr"]) for panel in dashboard["panels"]
            for target in panel.get("targets", [])]


def adapter_queries():
    """The HPA's metric queries as the Prometheus adapter sends them, for the pods of job ramiel
    (here the servers' instances stand in for pods)."""
    with open(ADAPTER_RULES) as f:
        rules = yaml.safe_load(f)["rules"]
    return [(f"adapter rule {rule['name']['as']}",
             rule["metricsQuery"].replace("<<.Series>>", re.match(r"\w+", rule["seriesQuery"])[0])
             .replace("<<.LabelMatchers>>", 'job="ramiel"').replace("<<.GroupBy>>", "instance"))
            for rule in rules]


def as_grafana_sends(expression, rate_interval):
    # The two variables Grafana fills in: every instance, and the rate window.
    return expression.replace("$instance", ".*").replace("$__rate_interval", rate_interval)


@pytest.fixture
def prometheus(tmp_path):
    """Starts Prometheus with a temporary config; start([metrics ports]) -> web port."""
    procs = []

    def start(target_ports):
        web_port = free_loopback_port()
        targets = ", ".join(f"'127.0.0.1:{port}'" for port in target_ports)
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n"
            "  - job_name: ramiel\n"
            f"    static_configs:\n      - targets: [{targets}]\n")
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


def test_prometheus_scrapes_two_servers_and_the_dashboard_shows_them(
        start_server, prometheus, shared_cache, model_dir, tmp_path):
    shared_cache_flags = ["--redis", shared_cache.url] if shared_cache else []
    if not os.path.exists(PROMETHEUS):
        pytest.fail("the prometheus binary is required (Debian package 'prometheus')")
    a = start_server(*shared_cache_flags, cache="a")
    b = start_server(*shared_cache_flags, cache="b")
    web_port = prometheus([a.metrics_port, b.metrics_port])
    # Both scraped before any traffic, so every counter's first sample is its zero.
    wait_until(lambda: scalar(web_port, 'count(up{job="ramiel"} == 1)') == 2, timeout=60,
               interval=0.5)
    traffic_start = time.monotonic()

    # Four new models, then the same four again. With the shared tier the second round asks the
    # other server, which finds the first round's results in Redis.
    models = [model_dir / f"m{i}.onnx" for i in range(4)]
    first = [a, a, b, b]
    second = [b, b, a, a] if shared_cache_flags else first
    for round_number, servers in enumerate([first, second]):
        for model, server in zip(models, servers):
            out = tmp_path / f"out-{round_number}-{model.stem}"
            run = compile_remote(server.address, model, out)
            assert run.returncode == 0, run.stderr
    # One count per client compile: 4 misses (Lookup misses are not counted), then 4 hits.
    for result in ["hit", "miss"]:
        assert sum(s.metric("ramiel_cache_requests_total", result=result) for s in (a, b)) == 4
        assert sum(s.metric("ramiel_cache_lookups_total", result=result) for s in (a, b)) == 4
    # Series born during the traffic need two samples before rate() sees them: wait until both
    # servers have been scraped twice more since the last request.
    traffic_end = time.time()
    wait_until(lambda: (scalar(web_port, 'min(timestamp(up{job="ramiel"}))') or 0)
               > traffic_end + 2, timeout=60, interval=0.5)
    assert scalar(web_port, "sum(ramiel_cache_requests_total)") == 8

    def window():  # reaching back before the traffic, as a dashboard spanning it would use
        return f"{math.ceil(time.monotonic() - traffic_start) + 15}s"

    [hit_ratio] = [e for title, e in dashboard_queries() if title == HIT_RATIO_PANEL]
    assert scalar(web_port, as_grafana_sends(hit_ratio, window())) == pytest.approx(0.5, abs=1e-9)

    if shared_cache_flags:
        # Redis goes away: a compile still succeeds from the local tiers, and the error panels
        # get their data.
        shared_cache.stop()
        run = compile_remote(a.address, model_dir / "big.onnx", tmp_path / "out-outage")
        assert run.returncode == 0, run.stderr
        outage_end = time.time()
        wait_until(lambda: (scalar(web_port, 'min(timestamp(up{job="ramiel"}))') or 0)
                   > outage_end + 2, timeout=60, interval=0.5)

    empty = []
    for title, expression in dashboard_queries() + adapter_queries():
        if not query(web_port, as_grafana_sends(expression, window())):
            empty.append(f"{title}: {expression}")
    assert not empty, "dashboard queries without data:\n" + "\n".join(empty)

    # The dashboard's instance variable lists both servers.
    instances = api(web_port, "label/instance/values", **{"match[]": "ramiel_build_info"})
    assert sorted(instances) == sorted(f"127.0.0.1:{s.metrics_port}" for s in (a, b))
    ok = query(web_port, 'ramiel_compiles_total{result="ok"}')
    assert {sample["metric"]["job"] for sample in ok} == {"ramiel"}
    # The eight client compiles compiled four models; the outage's compile makes a fifth.
    assert sum(float(sample["value"][1]) for sample in ok) == (5 if shared_cache_flags else 4)
