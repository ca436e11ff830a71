"""SIGTERM: health and readiness turn NOT_SERVING while liveness stays SERVING, new work is
refused, in-flight compiles finish, exit 0."""
import signal
import threading

from ramiel_harness import compile_remote, run_client, wait_until

# The health service names the Kubernetes probes use (server/server.h).
LIVENESS, READINESS = "ramiel.liveness", "ramiel.readiness"


def health(server, service=""):
    return run_client("health", "--server", server.address, "--service", service, "--deadline", 2)


def test_sigterm_drains_in_flight_compiles_and_exits_zero(start_server, model_dir, tmp_path):
    server = start_server("--debug-compile-delay-ms", 3000, "--drain-timeout", 30)
    results = {}
    worker = threading.Thread(target=lambda: results.setdefault(
        "inflight", compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "a")))
    for service in ["", LIVENESS, READINESS]:
        before = health(server, service)
        assert (before.returncode, before.stdout.strip()) == (0, "SERVING"), service
    worker.start()
    # Signal only once a worker holds the compile (it has left the queue).
    wait_until(lambda: server.metric("ramiel_compile_duration_seconds_count", stage="queue") >= 1)
    server.proc.send_signal(signal.SIGTERM)
    server.wait_for_event("draining", timeout=10)
    for service in ["", READINESS]:
        draining = health(server, service)
        assert (draining.returncode, draining.stdout.strip()) == (4, "NOT_SERVING"), service
    # A liveness probe must not restart a pod that drains on purpose. (gRPC's own shutdown after
    # the drain turns every service NOT_SERVING, so SERVING here was answered mid-drain.)
    alive = health(server, LIVENESS)
    assert (alive.returncode, alive.stdout.strip()) == (0, "SERVING"), alive.stderr
    refused = compile_remote(server.address, model_dir / "m1.onnx", tmp_path / "b",
                             "--deadline", 1)
    assert refused.returncode == 4
    worker.join(timeout=60)
    assert results["inflight"].returncode == 0, results["inflight"].stderr
    assert server.proc.wait(timeout=60) == 0
    assert server.wait_for_event("stopped", timeout=5)["drained"] is True
    assert (tmp_path / "a" / "model.py").exists()


def test_an_unknown_health_service_is_not_found(start_server):
    unknown = health(start_server(), "ramiel.nothing")
    assert unknown.returncode == 1 and "NOT_FOUND" in unknown.stderr


def test_sigint_on_an_idle_server_exits_zero(start_server):
    server = start_server()
    assert server.stop(signal.SIGINT) == 0
