"""The remote compile path end to end: same bytes as --local, cache hits, persistence, corruption."""
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor

from ramiel_harness import (assert_same_outputs, binary, compile_local, compile_remote,
                            read_outputs, run_client, wait_until)


def test_remote_output_equals_local_output(start_server, model_dir, tmp_path):
    server = start_server()
    for name in ["m0", "m1", "big"]:
        local = compile_local(model_dir / f"{name}.onnx", tmp_path / f"{name}-local")
        assert local.returncode == 0, local.stderr
        for attempt in ["miss", "hit"]:
            remote = compile_remote(server.address, model_dir / f"{name}.onnx",
                                    tmp_path / f"{name}-{attempt}")
            assert remote.returncode == 0, remote.stderr
            assert_same_outputs(local.out_dir, remote.out_dir)
    assert {"model.py", "schedule.json", "graph.dot"} <= set(read_outputs(local.out_dir))


def test_reference_model_remote_equals_local(start_server, reference_model, tmp_path):
    server = start_server()
    local = compile_local(reference_model, tmp_path / "local", "--workers", 3)
    remote = compile_remote(server.address, reference_model, tmp_path / "remote", "--workers", 3)
    assert local.returncode == 0 and remote.returncode == 0, remote.stderr
    assert_same_outputs(local.out_dir, remote.out_dir)


def test_second_compile_is_a_cache_hit_without_upload(start_server, model_dir, tmp_path):
    server = start_server()
    first = compile_remote(server.address, model_dir / "m1.onnx", tmp_path / "a")
    assert first.returncode == 0, first.stderr
    assert server.metric("ramiel_cache_requests_total", result="miss") >= 1
    assert server.metric("ramiel_compiles_total", result="ok") == 1
    for stage in ("queue", "compile", "import", "passes", "cost", "schedule", "codegen",
                  "cache_store"):
        assert server.metric("ramiel_compile_duration_seconds_count", stage=stage) == 1, stage
    second = compile_remote(server.address, model_dir / "m1.onnx", tmp_path / "b")
    assert second.returncode == 0, second.stderr
    assert server.metric("ramiel_cache_requests_total", result="hit") == 1
    assert server.metric("ramiel_compiles_total", result="ok") == 1
    # The second client asked Lookup and never uploaded.
    assert [r["cache"] for r in server.requests("Lookup")] == ["miss", "hit"]
    assert len(server.requests("Compile")) == 1
    compile_log = server.requests("Compile")[0]
    assert compile_log["status"] == "OK" and compile_log["cache"] == "miss"
    assert compile_log["model_bytes"] == os.path.getsize(model_dir / "m1.onnx")
    assert len(compile_log["model_sha256"]) == 64 and compile_log["peer"]
    assert server.metric("ramiel_model_size_bytes_count") == 1
    assert server.metric("ramiel_grpc_requests_total",
                         method="/ramiel.v1.CompileService/Lookup", code="OK") == 1
    assert server.metric("ramiel_grpc_requests_total",
                         method="/ramiel.v1.CompileService/Lookup", code="NOT_FOUND") == 1


def test_different_options_are_different_entries(start_server, model_dir, tmp_path):
    server = start_server()
    two = compile_remote(server.address, model_dir / "m2.onnx", tmp_path / "w2", "--workers", 2)
    three = compile_remote(server.address, model_dir / "m2.onnx", tmp_path / "w3", "--workers", 3)
    assert two.returncode == 0 and three.returncode == 0
    assert server.metric("ramiel_compiles_total", result="ok") == 2
    local = compile_local(model_dir / "m2.onnx", tmp_path / "w3-local", "--workers", 3)
    assert_same_outputs(local.out_dir, three.out_dir)


def test_restart_keeps_completed_results(start_server, model_dir, tmp_path):
    first = start_server(cache="shared")
    assert compile_remote(first.address, model_dir / "m0.onnx", tmp_path / "a").returncode == 0
    assert first.stop() == 0
    second = start_server(cache="shared")
    again = compile_remote(second.address, model_dir / "m0.onnx", tmp_path / "b")
    assert again.returncode == 0, again.stderr
    assert second.metric("ramiel_compiles_total", result="ok") == 0
    assert second.metric("ramiel_cache_requests_total", result="hit") == 1
    assert_same_outputs(tmp_path / "a", tmp_path / "b")


def test_corrupt_cache_entry_is_detected_and_recompiled(start_server, model_dir, tmp_path):
    first = start_server(cache="shared")
    assert compile_remote(first.address, model_dir / "m3.onnx", tmp_path / "a").returncode == 0
    assert first.stop() == 0
    entries = [os.path.join(root, f) for root, _, files in
               os.walk(tmp_path / "shared" / "cache" / "entries") for f in files]
    assert len(entries) == 1
    with open(entries[0], "r+b") as f:  # flip one byte in the middle of the payload
        f.seek(os.path.getsize(entries[0]) // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    second = start_server(cache="shared")
    again = compile_remote(second.address, model_dir / "m3.onnx", tmp_path / "b")
    assert again.returncode == 0, again.stderr
    assert second.metric("ramiel_cache_corrupt_entries_total") == 1
    assert second.metric("ramiel_compiles_total", result="ok") == 1
    assert_same_outputs(tmp_path / "a", tmp_path / "b")
    # The fresh entry replaced the damaged one and serves the next request.
    third = compile_remote(second.address, model_dir / "m3.onnx", tmp_path / "c")
    assert third.returncode == 0
    assert second.metric("ramiel_compiles_total", result="ok") == 1


def test_server_runs_as_the_compiler_build(start_server):
    """The server's compiler version, which its cache keys carry (cache_key) and its log line and
    metrics report, is the release plus a digest of the compiler's sources: a rebuilt compiler
    never serves what an older build cached under the same release number."""
    build = subprocess.run([binary("RAMIEL_SERVER"), "--version"], capture_output=True,
                           text=True, timeout=60).stdout.strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+\+[0-9a-f]{12}", build), build
    server = start_server()
    listening = [r for r in server.log if r.get("event") == "listening"]
    assert listening and listening[0]["compiler_version"] == build
    assert server.metric("ramiel_build_info", compiler_version=build) == 1


def compile_told(server_address, model, out_dir, *flags):
    """A remote compile without -q: the client's notes on stderr are the point."""
    proc = run_client("compile", model, "-o", out_dir, "--server", server_address, *flags)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def test_client_says_when_the_server_compiles_and_when_its_cache_answers(start_server, model_dir,
                                                                        tmp_path):
    server = start_server()
    first = compile_told(server.address, model_dir / "m1.onnx", tmp_path / "a")
    assert re.search(r"^ramiel-client: the server is compiling the model \(it queued \d+\.\d s\)$",
                     first, re.M), first
    assert "cache" not in first
    second = compile_told(server.address, model_dir / "m1.onnx", tmp_path / "b")
    assert second == "ramiel-client: served from the server's cache (compiled before)\n"
    # --quiet says none of it.
    quiet = compile_remote(server.address, model_dir / "m1.onnx", tmp_path / "c")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr


def test_client_says_when_it_queues_and_when_it_retries(start_server, model_dir, tmp_path):
    # One worker and one place in the queue, slow compiles: m2 runs, m3 queues behind it, and m0
    # finds the queue full and retries until there is room.
    server = start_server("--queue-length", 1, "--debug-compile-delay-ms", 3000, workers=1)
    with ThreadPoolExecutor(max_workers=3) as pool:
        running = pool.submit(compile_told, server.address, model_dir / "m2.onnx", tmp_path / "a")
        wait_until(lambda: server.metric("ramiel_compile_duration_seconds_count",
                                         stage="queue") >= 1)
        queued = pool.submit(compile_told, server.address, model_dir / "m3.onnx", tmp_path / "b")
        wait_until(lambda: server.metric("ramiel_queue_depth") >= 1)
        retried = pool.submit(compile_told, server.address, model_dir / "m0.onnx", tmp_path / "c")
        running, queued, retried = running.result(), queued.result(), retried.result()
    assert "waits in the server's queue" not in running, running
    lines = queued.splitlines()
    waiting = lines.index("ramiel-client: uploaded; the compile waits in the server's queue for a "
                          "free compile worker")
    started = re.match(r"ramiel-client: the server is compiling the model \(it queued (\d+\.\d) s\)",
                       lines[waiting + 1])
    assert started and float(started.group(1)) >= 1.0, queued
    retry = re.search(r"^ramiel-client: server busy \(RESOURCE_EXHAUSTED: the compile queue is full "
                      r"\(1 waiting\); retry with backoff\); retrying in \d+\.\d s, attempt 2 of 8$",
                      retried, re.M)
    assert retry, retried
    assert server.metric("ramiel_rejected_requests_total", reason="queue_full") >= 1


def test_a_request_that_joins_a_running_compile_hears_that_it_compiles(start_server, model_dir,
                                                                       tmp_path):
    server = start_server("--debug-compile-delay-ms", 2500)
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(compile_told, server.address, model_dir / "m1.onnx", tmp_path / "a")
        wait_until(lambda: server.metric("ramiel_compile_duration_seconds_count",
                                         stage="queue") >= 1)
        joined = compile_told(server.address, model_dir / "m1.onnx", tmp_path / "b")
        first = first.result()
    assert server.metric("ramiel_coalesced_requests_total") == 1
    for told in (first, joined):
        assert re.search(r"^ramiel-client: the server is compiling the model \(it queued ", told,
                         re.M), told
    assert_same_outputs(tmp_path / "a", tmp_path / "b")
