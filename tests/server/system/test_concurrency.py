"""Many clients at once: correct answers, coalescing, and a bounded queue."""
from concurrent.futures import ThreadPoolExecutor

from ramiel_harness import (assert_same_outputs, compile_local, compile_remote, run_client,
                            wait_until)


def test_sixteen_concurrent_clients_with_a_mix_of_models(start_server, model_dir, tmp_path):
    server = start_server(workers=2)
    names = ["m0", "m1", "m2", "m3"]
    for name in names:
        assert compile_local(model_dir / f"{name}.onnx", tmp_path / f"{name}-local").returncode == 0

    def one(i):
        name = names[i % len(names)]
        return name, compile_remote(server.address, model_dir / f"{name}.onnx", tmp_path / f"c{i}")

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(one, range(16)))
    for name, run in results:
        assert run.returncode == 0, run.stderr
        assert_same_outputs(tmp_path / f"{name}-local", run.out_dir)
    # Each distinct model was compiled exactly once, however the 16 requests interleaved.
    assert server.metric("ramiel_compiles_total", result="ok") == len(names)


def test_eight_identical_concurrent_requests_cause_one_compile(start_server, model_dir, tmp_path):
    # The delay holds the first compile long enough for every request to arrive while it runs.
    server = start_server("--debug-compile-delay-ms", 1500)
    with ThreadPoolExecutor(max_workers=8) as pool:
        runs = list(pool.map(
            lambda i: compile_remote(server.address, model_dir / "m1.onnx", tmp_path / f"o{i}"),
            range(8)))
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert_same_outputs(tmp_path / "o0", run.out_dir)
    assert server.metric("ramiel_compiles_total") == 1
    coalesced = server.metric("ramiel_coalesced_requests_total")
    hits = server.metric("ramiel_cache_requests_total", result="hit")
    assert coalesced + hits == 7 and coalesced >= 1
    caches = sorted(r["cache"] for r in server.requests("Compile"))
    assert caches.count("miss") == 1


def test_full_queue_answers_resource_exhausted_and_clients_back_off(start_server, model_dir,
                                                                     tmp_path):
    # One worker, no waiting room, slow compiles: a second distinct model finds the queue full.
    server = start_server("--queue-length", 0, "--debug-compile-delay-ms", 2000, workers=1)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(compile_remote, server.address, model_dir / "m2.onnx", tmp_path / "a")
        # Only once m2 holds the worker does m3 find no room.
        wait_until(lambda: server.metric("ramiel_compile_duration_seconds_count",
                                         stage="queue") >= 1)
        # A short deadline: this client gives up while m2 still holds the only worker.
        refused = compile_remote(server.address, model_dir / "m3.onnx", tmp_path / "b",
                                 "--deadline", 1.5)
        assert first.result().returncode == 0
    assert refused.returncode == 4, refused.stderr
    assert "RESOURCE_EXHAUSTED" in refused.stderr
    assert server.metric("ramiel_rejected_requests_total", reason="queue_full") >= 1
    assert "RESOURCE_EXHAUSTED" in [r["status"] for r in server.requests("Compile")]
    # With the worker free again and a normal deadline, retrying gets through.
    patient = compile_remote(server.address, model_dir / "m3.onnx", tmp_path / "c")
    assert patient.returncode == 0, patient.stderr
    assert run_client("health", "--server", server.address).returncode == 0
