"""deploy/ and docker/ stay true to the server: configs parse, probes and dashboards name what
the server really serves and exports."""
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from ramiel_harness import compile_remote

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")


def load_yaml(*parts):
    with open(os.path.join(DEPLOY, *parts)) as f:
        return yaml.safe_load(f)


def exported_metric_names(server):
    """Every sample name /metrics can show: families, plus _bucket/_sum/_count of histograms."""
    names = set()
    for line in server.metrics_text().splitlines():
        match = re.match(r"# TYPE (\S+) (\S+)", line)
        if match:
            name, kind = match.groups()
            names.add(name)
            if kind == "histogram":
                names.update({name + "_bucket", name + "_sum", name + "_count"})
    return names


def referenced_metric_names(expression):
    return set(re.findall(r"\b(ramiel_[a-z_]+)", expression))


def test_dashboard_and_alerts_use_only_exported_metrics(start_server, model_dir, tmp_path):
    server = start_server()
    assert compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "o").returncode == 0
    exported = exported_metric_names(server)
    for required in ["ramiel_compile_duration_seconds", "ramiel_compiles_total",
                     "ramiel_cache_requests_total", "ramiel_cache_size_bytes", "ramiel_queue_depth",
                     "ramiel_inflight_requests", "ramiel_rejected_requests_total",
                     "ramiel_model_size_bytes", "ramiel_build_info", "ramiel_grpc_requests_total",
                     "ramiel_grpc_request_duration_seconds"]:
        assert required in exported, required

    with open(os.path.join(DEPLOY, "grafana", "dashboards", "ramiel-server.json")) as f:
        dashboard = json.load(f)
    used = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            used |= referenced_metric_names(target["expr"])
    alerts = load_yaml("prometheus", "ramiel-alerts.yml")
    for group in alerts["groups"]:
        for rule in group["rules"]:
            used |= referenced_metric_names(rule["expr"])
    assert used, "no metric referenced"
    assert used <= exported, f"not exported: {sorted(used - exported)}"


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian package prometheus)")
def test_prometheus_config_and_rules_pass_promtool():
    for args in (["check", "config", os.path.join(DEPLOY, "prometheus", "prometheus.yml")],
                 ["check", "rules", os.path.join(DEPLOY, "prometheus", "ramiel-alerts.yml")]):
        proc = subprocess.run(["promtool"] + args, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_kubernetes_manifests_agree_with_the_server_config(start_server, tmp_path):
    config_map = load_yaml("kubernetes", "configmap.yaml")
    deployment = load_yaml("kubernetes", "deployment.yaml")
    service = load_yaml("kubernetes", "service.yaml")
    settings = json.loads(config_map["data"]["server.json"])
    grpc_port = int(settings["listen"].rsplit(":", 1)[1])
    metrics_port = int(settings["metrics_listen"].rsplit(":", 1)[1])

    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"grpc": grpc_port, "metrics": metrics_port}
    for probe in ["startupProbe", "readinessProbe", "livenessProbe"]:
        assert container[probe]["grpc"]["port"] == grpc_port, probe
    assert pod["terminationGracePeriodSeconds"] > settings["drain_timeout_seconds"]
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(metrics_port)
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["cache"] == settings["cache_dir"]
    assert container["args"] == ["--config", os.path.join(mounts["config"], "server.json")]
    assert {p["targetPort"] for p in service["spec"]["ports"]} == {"grpc", "metrics"}
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]

    # The ConfigMap's settings are accepted by the real server (addresses moved to loopback).
    config = tmp_path / "server.json"
    config.write_text(config_map["data"]["server.json"])
    server = start_server("--config", config)
    assert server.metric("ramiel_build_info") == 1


def test_compose_and_dockerfile_use_the_ci_steps():
    compose = load_yaml("docker-compose.yml")
    assert set(compose["services"]) == {"server", "prometheus", "grafana"}
    assert compose["services"]["server"]["build"]["dockerfile"] == "docker/Dockerfile"
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./"):
                assert os.path.exists(os.path.join(DEPLOY, source)), source
    with open(os.path.join(ROOT, "docker", "Dockerfile")) as f:
        dockerfile = f.read()
    assert "COPY . ." in dockerfile
    for script in ["scripts/install-deps.sh", "scripts/build.sh"]:
        assert script in dockerfile and os.path.exists(os.path.join(ROOT, script)), script
