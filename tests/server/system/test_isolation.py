"""Compiles run in ramiel-compile-worker processes: a crash, a memory or CPU limit hit, or a caller
that stops waiting costs that one request, never the server. Faults are injected into the real
worker (--debug-worker-fault); the limits are the kernel's own (rlimits)."""
import os
import time

import pytest

from ramiel_harness import (assert_same_outputs, assert_serving, compile_local, compile_remote,
                            peak_rss_bytes, wait_until)


def worker_children(server):
    """PIDs of the server's child processes: its compile workers, busy or spare."""
    pids = []
    task_dir = f"/proc/{server.proc.pid}/task"
    for task in os.listdir(task_dir):
        try:
            with open(f"{task_dir}/{task}/children") as f:
                pids += [int(p) for p in f.read().split()]
        except FileNotFoundError:
            pass
    return pids


def cpu_seconds(pid):
    """User + system CPU time of a process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def failure_lines(server):
    return [r for r in list(server.log) if r.get("event") == "compile_worker_failed"]


def test_compiles_run_in_workers_and_match_local(start_server, model_dir, tmp_path):
    server = start_server()
    isolation = server.wait_for_event("compile_isolation", timeout=30)
    assert isolation["worker"].endswith("ramiel-compile-worker")
    assert isolation["cpu_seconds"] == 30 and isolation["memory_bytes"] >= 1 << 30
    remote = compile_remote(server.address, model_dir / "m1.onnx", tmp_path / "remote")
    assert remote.returncode == 0, remote.stderr
    local = compile_local(model_dir / "m1.onnx", tmp_path / "local")
    assert local.returncode == 0, local.stderr
    assert_same_outputs(tmp_path / "local", tmp_path / "remote")
    assert server.metric("ramiel_compile_duration_seconds_count", stage="codegen") == 1
    # One spare worker per compile thread waits for the next compile; the one used is gone.
    wait_until(lambda: len(worker_children(server)) == 2)


def test_a_crashing_compile_costs_one_request(start_server, model_dir, tmp_path):
    server = start_server("--debug-worker-fault", "crash")
    for i in range(3):
        run = compile_remote(server.address, model_dir / f"m{i}.onnx", tmp_path / f"out{i}")
        assert run.returncode == 5, run.stderr  # INTERNAL
        assert "compile worker crashed (SIGSEGV)" in run.stderr
        assert_serving(server)
    assert server.metric("ramiel_compile_worker_failures_total", reason="crash") == 3
    assert server.metric("ramiel_compiles_total", result="internal") == 3
    assert [line["reason"] for line in failure_lines(server)] == ["crash"] * 3
    assert server.metric("ramiel_cache_entries", tier="memory") == 0


def test_memory_limit_is_resource_exhausted_and_the_server_stays_small(start_server, model_dir,
                                                                        tmp_path):
    server = start_server("--debug-worker-fault", "oom", "--compile-memory-bytes", str(512 << 20))
    isolation = server.wait_for_event("compile_isolation", timeout=30)
    if not isolation["memory_limit_enforced"]:
        pytest.skip("this build cannot enforce an address-space limit (sanitizers)")
    run = compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "out")
    assert run.returncode == 4, run.stderr  # RESOURCE_EXHAUSTED
    assert "more than the 512 MiB of memory a compile may use" in run.stderr
    assert server.metric("ramiel_compile_worker_failures_total", reason="memory_limit") == 1
    assert_serving(server)
    assert peak_rss_bytes(server.proc.pid) < 1536 << 20


def test_cpu_limit_is_resource_exhausted(start_server, model_dir, tmp_path):
    server = start_server("--debug-worker-fault", "spin", "--compile-cpu-seconds", "1")
    run = compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "out")
    assert run.returncode == 4, run.stderr
    assert "more than the 1 s of CPU time a compile may use" in run.stderr
    assert server.metric("ramiel_compile_worker_failures_total", reason="cpu_limit") == 1
    assert_serving(server)


def test_deadline_kills_the_worker_within_a_second(start_server, model_dir, tmp_path):
    server = start_server("--debug-worker-fault", "spin", "--compile-cpu-seconds", "600")
    started = time.monotonic()
    run = compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "out", "--deadline", "3")
    assert run.returncode == 4, run.stderr  # DEADLINE_EXCEEDED
    # The client gives up at its deadline; a second after that no worker may still be spinning
    # (spares waiting for a compile use almost no CPU).
    wait_until(lambda: all(cpu_seconds(pid) < 1 for pid in worker_children(server)),
               timeout=started + 3 + 1 - time.monotonic(), interval=0.02)
    assert server.metric("ramiel_compile_worker_failures_total") == 0  # a kill is not a failure
    assert_serving(server)


def test_missing_worker_refuses_to_start(tmp_path):
    from ramiel_harness import Server
    with pytest.raises(RuntimeError, match="compile worker .* is not an executable file"):
        Server(tmp_path / "s", "--compile-worker", str(tmp_path / "no-such-worker"))


def test_default_pool_follows_the_cpus_the_server_may_use(tmp_path):
    """Started under `taskset -c 0`, a server with --workers 0 sizes its pool to one worker."""
    from ramiel_harness import Server, binary
    import shutil
    taskset = shutil.which("taskset")
    if taskset is None:
        pytest.skip("taskset (util-linux) is not installed")
    real = binary("RAMIEL_SERVER")
    wrapper = tmp_path / "ramiel-server-on-cpu0"
    wrapper.write_text(f"#!/bin/sh\nexec {taskset} -c 0 {real} \"$@\"\n")
    wrapper.chmod(0o755)
    old = os.environ["RAMIEL_SERVER"]
    os.environ["RAMIEL_SERVER"] = str(wrapper)
    try:
        with Server(tmp_path / "s", workers=0) as server:
            listening = next(r for r in server.log if r.get("event") == "listening")
            assert listening["workers"] == 1
    finally:
        os.environ["RAMIEL_SERVER"] = old
