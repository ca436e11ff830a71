"""deploy/ and docker/ stay true to the server: manifests parse and name only the flags, config
keys, ports, health services and metrics the real server has; the pods pass the "restricted" Pod
Security Standard; the pieces that refer to each other (Service, probes, NetworkPolicy, HPA and
adapter rules, Prometheus relabelling, ServiceMonitor) agree."""
import glob
import json
import os
import re
import shutil
import subprocess
import urllib.parse

import pytest
import yaml

from ramiel_harness import compile_remote, run_client
from redis_process import server_flags, shared_cache  # noqa: F401 (a fixture)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
KUBERNETES = os.path.join(DEPLOY, "kubernetes")
SERVER = "ramiel-server"


def load_yaml(*parts):
    with open(os.path.join(DEPLOY, *parts)) as f:
        return yaml.safe_load(f)


def load_documents(path):
    with open(path) as f:
        return [doc for doc in yaml.safe_load_all(f) if doc]


def project_version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        return re.search(r"project\(ramiel VERSION (\S+)", f.read()).group(1)


def kustomization():
    with open(os.path.join(KUBERNETES, "kustomization.yaml")) as f:
        return yaml.safe_load(f)


def resources():
    """(kind, name) -> object, for every resource the kustomization applies."""
    objects = {}
    for path in kustomization()["resources"]:
        for doc in load_documents(os.path.join(KUBERNETES, path)):
            objects[(doc["kind"], doc["metadata"]["name"])] = doc
    return objects


def server_settings():
    return json.loads(resources()[("ConfigMap", SERVER)]["data"]["server.json"])


def port_of(address):
    return int(address.rsplit(":", 1)[1])


def only(items):
    assert len(items) == 1, items
    return items[0]


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
    return set(re.findall(r"\b((?:ramiel|process)_[a-z_]+)", expression))


def monitoring_expressions():
    """Every PromQL expression of the dashboard, the alerts and the adapter rules."""
    with open(os.path.join(DEPLOY, "grafana", "dashboards", "ramiel-server.json")) as f:
        dashboard = json.load(f)
    expressions = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    expressions += [v["definition"] for v in dashboard["templating"]["list"] if "definition" in v]
    expressions += [rule["expr"] for group in load_yaml("prometheus", "ramiel-alerts.yml")["groups"]
                    for rule in group["rules"]]
    adapter = load_yaml("kubernetes", "prometheus-adapter-rules.yaml")
    expressions += [rule["seriesQuery"] for rule in adapter["rules"]]
    return expressions


def test_monitoring_uses_only_exported_metrics(start_server, shared_cache, model_dir, tmp_path):
    """Dashboard, alerts and HPA adapter rules against /metrics of a real server that compiled
    (with a real Redis as its shared tier when the server has one)."""
    flags = ["--redis", shared_cache.url] if shared_cache else []
    server = start_server(*flags)
    assert compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "o").returncode == 0
    exported = exported_metric_names(server)
    used = set()
    for expression in monitoring_expressions():
        used |= referenced_metric_names(expression)
    assert {"ramiel_cache_requests_total", "ramiel_queue_depth", "process_open_fds",
            "ramiel_shared_cache_errors_total"} <= used
    assert used <= exported, f"not exported: {sorted(used - exported)}"


def test_every_alert_has_a_promtool_unit_test():
    """ctest runs the tests (deploy_promtool_test_rules); here: none of the alerts lacks one."""
    alerts = {rule["alert"] for group in load_yaml("prometheus", "ramiel-alerts.yml")["groups"]
              for rule in group["rules"]}
    tested = set()
    for path in glob.glob(os.path.join(DEPLOY, "prometheus", "tests", "*.yml")):
        for case in load_documents(path)[0]["tests"]:
            for check in case.get("alert_rule_test", []):
                if check.get("exp_alerts"):
                    tested.add(check["alertname"])
    assert alerts <= tested, f"alerts never seen firing in a test: {sorted(alerts - tested)}"


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian package prometheus)")
def test_kubernetes_scrape_config(tmp_path):
    """Debian's promtool has no kubernetes_sd, so the config is checked with a static target in
    its place (the relabelling, rules and globals as written), and its relabelling against the
    Deployment, the Service, the alerts and the adapter rules."""
    config = load_yaml("prometheus", "prometheus-kubernetes.yml")
    compose_config = load_yaml("prometheus", "prometheus.yml")
    assert config["rule_files"] == compose_config["rule_files"]
    job = only(config["scrape_configs"])
    assert job["job_name"] == only(compose_config["scrape_configs"])["job_name"] == "ramiel"
    relabel = job["relabel_configs"]
    keeps = {r["source_labels"][0]: r["regex"] for r in relabel if r.get("action") == "keep"}
    pod = resources()[("Deployment", SERVER)]["spec"]["template"]
    assert keeps == {
        "__meta_kubernetes_pod_label_app_kubernetes_io_name":
            pod["metadata"]["labels"]["app.kubernetes.io/name"],
        "__meta_kubernetes_pod_container_port_name": "metrics",
    }
    assert any(p["name"] == "metrics" for p in pod["spec"]["containers"][0]["ports"])
    targets = {r["target_label"] for r in relabel if "target_label" in r}
    # The adapter rules map these labels to the pod the HPA asks about.
    adapter_rule = only(load_yaml("kubernetes", "prometheus-adapter-rules.yaml")["rules"])
    assert set(adapter_rule["resources"]["overrides"]) == {"namespace", "pod"} <= targets

    del job["kubernetes_sd_configs"]
    job["static_configs"] = [{"targets": ["127.0.0.1:9464"]}]
    checked = tmp_path / "prometheus-kubernetes.yml"
    checked.write_text(yaml.safe_dump(config))
    shutil.copy(os.path.join(DEPLOY, "prometheus", "ramiel-alerts.yml"), tmp_path)
    proc = subprocess.run(["promtool", "check", "config", str(checked)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_service_monitor_matches_the_service():
    monitor = load_yaml("kubernetes", "servicemonitor.yaml")
    assert "servicemonitor.yaml" not in kustomization()["resources"]  # needs the Operator's CRDs
    service = resources()[("Service", SERVER)]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    endpoint = only(monitor["spec"]["endpoints"])
    assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
    assert {"targetLabel": "job", "replacement": "ramiel"} in endpoint["relabelings"]


def pod_templates():
    return {name: obj["spec"]["template"] for (kind, name), obj in resources().items()
            if kind == "Deployment"}


def test_pods_pass_the_restricted_pod_security_standard():
    allowed_volumes = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                       "persistentVolumeClaim", "projected", "secret"}
    templates = pod_templates()
    assert set(templates) == {SERVER, "ramiel-redis"}
    for name, template in templates.items():
        spec = template["spec"]
        pod_context = spec["securityContext"]
        assert pod_context["runAsNonRoot"] is True, name
        assert pod_context["runAsUser"] != 0, name
        assert pod_context["seccompProfile"] == {"type": "RuntimeDefault"}, name
        for host in ["hostNetwork", "hostPID", "hostIPC"]:
            assert not spec.get(host), (name, host)
        for volume in spec["volumes"]:
            assert set(volume) - {"name"} <= allowed_volumes, (name, volume)
        assert spec["automountServiceAccountToken"] is False, name
        account = resources()[("ServiceAccount", spec["serviceAccountName"])]
        assert account["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["runAsNonRoot"] is True, name
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}, name
            assert not context.get("privileged"), name
            assert not any("hostPort" in p for p in container["ports"]), name
            for kind in ["requests", "limits"]:
                assert set(container["resources"][kind]) == {"cpu", "memory",
                                                              "ephemeral-storage"}, (name, kind)
            image, _, tag = container["image"].rpartition(":")
            assert image and tag and tag != "latest", container["image"]


def test_images_are_tagged_by_version():
    version = project_version()
    images = {i["name"]: i["newTag"] for i in kustomization()["images"]}
    assert images[SERVER] == version
    for template in pod_templates().values():
        for container in template["spec"]["containers"]:
            image, _, tag = container["image"].rpartition(":")
            assert images[image] == tag, container["image"]
    compose = load_yaml("docker-compose.yml")
    for service in compose["services"].values():
        assert not service["image"].endswith(":latest"), service["image"]
        image, _, tag = service["image"].rpartition(":")
        if image == SERVER:
            assert tag == version


def test_server_manifests_agree_with_each_other_and_the_settings():
    objects = resources()
    settings = server_settings()
    grpc_port, metrics_port = port_of(settings["listen"]), port_of(settings["metrics_listen"])
    deployment = objects[("Deployment", SERVER)]
    labels = deployment["spec"]["selector"]["matchLabels"]
    template = deployment["spec"]["template"]
    assert labels.items() <= template["metadata"]["labels"].items()
    pod = template["spec"]
    container = only(pod["containers"])
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"grpc": grpc_port, "metrics": metrics_port}
    assert template["metadata"]["annotations"]["prometheus.io/port"] == str(metrics_port)

    # Probes: gRPC on the gRPC port, readiness and liveness on their own health services.
    for probe in ["startupProbe", "readinessProbe", "livenessProbe"]:
        assert container[probe]["grpc"]["port"] == grpc_port, probe
    assert container["readinessProbe"]["grpc"]["service"] == "ramiel.readiness"
    assert container["livenessProbe"]["grpc"]["service"] == "ramiel.liveness"
    assert container["startupProbe"]["grpc"]["service"] == "ramiel.liveness"
    # Grace: preStop, the drain and gRPC's 1 s stop fit in the pod's grace; a liveness kill (a
    # server that stopped answering) does not wait for a drain.
    pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    assert pod["terminationGracePeriodSeconds"] > (int(pre_stop[1]) +
                                                   settings["drain_timeout_seconds"] + 1)
    assert (container["livenessProbe"]["terminationGracePeriodSeconds"]
            < pod["terminationGracePeriodSeconds"])

    # Workers follow the cgroup CPU quota: without a CPU limit a pod would size for the node.
    resources_ = container["resources"]
    assert resources_["limits"]["cpu"] == resources_["requests"]["cpu"]
    assert settings["workers"] == 0
    # The disk tier fits its volume, and the volume the pod's ephemeral storage.
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["cache"] == settings["cache_dir"]
    assert container["args"] == ["--config", os.path.join(mounts["config"], "server.json")]
    cache_volume = only([v for v in pod["volumes"] if v["name"] == "cache"])
    size_limit = gibibytes(cache_volume["emptyDir"]["sizeLimit"])
    assert settings["disk_cache_bytes"] / 2**30 < size_limit
    assert size_limit < gibibytes(resources_["limits"]["ephemeral-storage"])
    for constraint in pod["topologySpreadConstraints"]:
        assert constraint["labelSelector"]["matchLabels"] == labels

    service = objects[("Service", SERVER)]
    assert service["spec"]["selector"] == labels
    assert {p["targetPort"] for p in service["spec"]["ports"]} == set(ports)
    assert {p["port"] for p in service["spec"]["ports"]} == set(ports.values())

    # NetworkPolicy: gRPC from clients, metrics from Prometheus, on the pod's ports.
    policy = objects[("NetworkPolicy", SERVER)]
    assert policy["spec"]["podSelector"]["matchLabels"] == labels
    allowed = {only(rule["ports"])["port"]: only(rule["from"]) for rule in policy["spec"]["ingress"]}
    assert set(allowed) == {grpc_port, metrics_port}
    assert allowed[metrics_port]["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": "prometheus"}

    budget = objects[("PodDisruptionBudget", SERVER)]
    assert budget["spec"]["selector"]["matchLabels"] == labels
    hpa = objects[("HorizontalPodAutoscaler", SERVER)]
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                             "name": SERVER}
    assert budget["spec"]["minAvailable"] < hpa["spec"]["minReplicas"] <= deployment["spec"]["replicas"]
    # The HPA's Pods metric is the one the adapter rules serve.
    pods_metric = only([m for m in hpa["spec"]["metrics"] if m["type"] == "Pods"])
    adapter_rule = only(load_yaml("kubernetes", "prometheus-adapter-rules.yaml")["rules"])
    assert pods_metric["pods"]["metric"]["name"] == adapter_rule["name"]["as"]
    assert {m["resource"]["name"] for m in hpa["spec"]["metrics"] if m["type"] == "Resource"} == {
        "cpu"}


def gibibytes(quantity):
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()
    return int(number) / (1024 if unit == "Mi" else 1)


def test_redis_manifests_agree_with_the_servers():
    objects = resources()
    settings = server_settings()
    url = urllib.parse.urlparse(settings["redis"])
    service = objects[("Service", "ramiel-redis")]
    assert (url.scheme, url.hostname) == ("redis", service["metadata"]["name"])
    assert url.port == only(service["spec"]["ports"])["port"]
    template = objects[("Deployment", "ramiel-redis")]["spec"]["template"]
    assert service["spec"]["selector"].items() <= template["metadata"]["labels"].items()
    container = only(template["spec"]["containers"])
    assert only(container["ports"])["containerPort"] == url.port
    args = container["args"]
    option = {args[i]: args[i + 1] for i in range(len(args) - 1) if args[i].startswith("--")}
    assert option["--maxmemory-policy"] == "allkeys-lru"
    assert option["--port"] == str(url.port)
    maxmemory = int(re.fullmatch(r"(\d+)gb", option["--maxmemory"]).group(1)) * 2**30
    assert maxmemory < gibibytes(container["resources"]["limits"]["memory"]) * 2**30
    # Only ramiel-server pods reach Redis.
    policy = objects[("NetworkPolicy", "ramiel-redis")]
    assert policy["spec"]["podSelector"]["matchLabels"] == service["spec"]["selector"]
    rule = only(policy["spec"]["ingress"])
    assert only(rule["ports"])["port"] == url.port
    server_labels = objects[("Deployment", SERVER)]["spec"]["template"]["metadata"]["labels"]
    assert only(rule["from"]) == {"podSelector": {"matchLabels": server_labels}}


def test_the_probes_health_services_exist_and_the_config_map_starts_the_server(
        start_server, shared_cache, tmp_path):
    """The ConfigMap's settings as written (addresses moved to loopback, Redis to a local one):
    every key is one the real server accepts (it refuses unknown keys), and each probe's
    service answers SERVING."""
    settings = server_settings()
    settings["listen"] = "127.0.0.1:0"
    settings["metrics_listen"] = "127.0.0.1:0"
    if shared_cache:
        settings["redis"] = shared_cache.url
    config = tmp_path / "server.json"
    config.write_text(json.dumps(settings))
    server = start_server("--config", config)
    assert server.metric("ramiel_build_info") == 1
    container = resources()[("Deployment", SERVER)]["spec"]["template"]["spec"]["containers"][0]
    for probe in ["startupProbe", "readinessProbe", "livenessProbe"]:
        service = container[probe]["grpc"]["service"]
        health = run_client("health", "--server", server.address, "--service", service)
        assert (health.returncode, health.stdout.strip()) == (0, "SERVING"), (probe, health.stderr)


def test_compose_and_dockerfile_name_real_flags_and_use_the_ci_steps():
    flags = server_flags()
    compose = load_yaml("docker-compose.yml")
    assert set(compose["services"]) == {"redis", "server-a", "server-b", "prometheus", "grafana"}
    scrape = only(load_yaml("prometheus", "prometheus.yml")["scrape_configs"])
    targets = set(only(scrape["static_configs"])["targets"])
    for replica in ["server-a", "server-b"]:
        service = compose["services"][replica]
        assert service["build"]["dockerfile"] == "docker/Dockerfile"
        command = service["command"]
        named = {arg for arg in command if arg.startswith("--")}
        assert named <= flags, f"{replica}: not flags of ramiel-server: {sorted(named - flags)}"
        metrics_port = port_of(command[command.index("--metrics-listen") + 1])
        assert f"{replica}:{metrics_port}" in targets
        redis = urllib.parse.urlparse(command[command.index("--redis") + 1])
        assert redis.hostname in compose["services"]
        health = service["healthcheck"]["test"]
        assert health[health.index("--service") + 1] == "ramiel.readiness"
        assert port_of(health[health.index("--server") + 1]) == port_of(
            command[command.index("--listen") + 1])
    assert len(targets) == 2
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
    cmd = json.loads(next(line for line in dockerfile.splitlines() if line.startswith("CMD "))[4:])
    assert {arg for arg in cmd if arg.startswith("--")} <= flags


@pytest.mark.skipif(not shutil.which("kubectl"), reason="kubectl (for its built-in kustomize)")
def test_kustomize_builds_with_the_version_tags():
    proc = subprocess.run(["kubectl", "kustomize", KUBERNETES], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    built = [doc for doc in yaml.safe_load_all(proc.stdout) if doc]
    assert {(d["kind"], d["metadata"]["name"]) for d in built} == set(resources())
    images = {c["image"] for d in built if d["kind"] == "Deployment"
              for c in d["spec"]["template"]["spec"]["containers"]}
    assert f"{SERVER}:{project_version()}" in images
