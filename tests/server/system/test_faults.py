"""Faults: the cache loses nothing it acknowledged and never serves a damaged entry; a full or
read-only cache directory costs only the caching (counted and logged); a client that vanishes
mid-upload costs nothing but its own call.

The tmpfs tests mount file systems (root or CAP_SYS_ADMIN) and skip, saying why, where they may
not.
"""
import contextlib
import os
import random
import signal
import subprocess
import sys
import time

import grpc
import pytest

import raw_client

from ramiel_harness import (SLOWDOWN, Server, assert_same_outputs, assert_serving, binary,
                            compile_local, compile_remote, wait_until)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))))
UPLOAD_CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "upload_client.py")


@contextlib.contextmanager
def tmpfs(path, size):
    """A tmpfs of `size` mounted at `path` for the block; skips the test where mounting is not
    permitted."""
    os.makedirs(path, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): "
                    f"{mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount(path, mode):
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True)


def store_failure_lines(server):
    return [r for r in list(server.log) if r.get("event") == "cache_store_failed"]


def assert_compiles_unstored(server, model_dir, tmp_path, names, reason):
    """Each compile is answered with the same bytes as --local; none is stored; every failed
    store is counted under `reason` and the log says so, without a line per compile."""
    for name in names:
        local = compile_local(model_dir / f"{name}.onnx", tmp_path / f"{name}-local")
        remote = compile_remote(server.address, model_dir / f"{name}.onnx",
                                tmp_path / f"{name}-remote")
        assert remote.returncode == 0, remote.stderr
        assert_same_outputs(local.out_dir, remote.out_dir)
    assert server.metric("ramiel_cache_store_failures_total", tier="disk",
                         reason=reason) == len(names)
    assert server.metric("ramiel_cache_store_failures_total") == len(names)
    lines = store_failure_lines(server)
    # One line stands for a persistent failure (the next is due a minute later at the earliest).
    assert 1 <= len(lines) < len(names), lines
    assert lines[0]["reason"] == reason and lines[0]["tier"] == "disk"
    assert "not stored" in lines[0]["message"]
    assert lines[0]["failures"] == 1


def test_full_disk_still_answers_compiles_and_says_results_are_not_stored(model_dir, tmp_path):
    root = tmp_path / "srv"
    with tmpfs(root / "cache", "1m") as cache:
        with Server(root) as server:
            # Fill what the server's directories left free.
            with open(cache / "filler", "wb") as filler:
                with pytest.raises(OSError):
                    while True:
                        filler.write(b"\0" * 65536)
                        filler.flush()
            assert_compiles_unstored(server, model_dir, tmp_path, ["m0", "m1", "m2"], "no_space")
            assert server.metric("ramiel_cache_entries", tier="disk") == 0
            assert os.listdir(cache / "tmp") == []  # no partial file left taking the space
            # Answered again from memory, and the server is still well.
            again = compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "again")
            assert again.returncode == 0, again.stderr
            assert server.requests("Lookup")[-1]["cache"] == "hit"
            assert_serving(server)
            # Space again: storing resumes by itself.
            os.remove(cache / "filler")
            stored = compile_remote(server.address, model_dir / "m3.onnx", tmp_path / "m3")
            assert stored.returncode == 0, stored.stderr
            assert server.metric("ramiel_cache_entries", tier="disk") == 1
            assert server.metric("ramiel_cache_store_failures_total") == 3


def test_read_only_cache_directory_still_answers_compiles_and_says_so(model_dir, tmp_path):
    root = tmp_path / "srv"
    with tmpfs(root / "cache", "64m") as cache:
        with Server(root) as server:
            first = compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "first")
            assert first.returncode == 0, first.stderr
            assert server.metric("ramiel_cache_entries", tier="disk") == 1
            remount(cache, "ro")  # chmod would not stop root; a read-only mount does
            assert_compiles_unstored(server, model_dir, tmp_path, ["m1", "m2", "m3"], "read_only")
            assert_serving(server)
        # A server started on the read-only directory serves what it holds and compiles the rest.
        with Server(root) as server:
            hit = compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "hit")
            assert hit.returncode == 0, hit.stderr
            assert_same_outputs(first.out_dir, hit.out_dir)
            assert server.requests("Lookup")[-1]["cache"] == "hit"
            miss = compile_remote(server.address, model_dir / "m1.onnx", tmp_path / "miss")
            assert miss.returncode == 0, miss.stderr
            assert server.metric("ramiel_cache_store_failures_total", tier="disk",
                                 reason="read_only") == 1
            assert len(store_failure_lines(server)) == 1
        remount(cache, "rw")


def entry_files(cache):
    entries = cache / "entries"
    return [os.path.join(d, f) for d, _, files in os.walk(entries) for f in files]


def kill_during_a_store(server, cache, stores_to_finish, timeout):
    """SIGKILLs the server once `stores_to_finish` more entries than now are in place, as soon as
    a temporary file exists (a store in progress) or one more entry name appears (a store just
    renamed, its directory maybe not yet synced); at `timeout` it kills anyway."""
    tmp = cache / "tmp"
    wanted = len(entry_files(cache)) + stores_to_finish
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and server.proc.poll() is None:
        entries = len(entry_files(cache))
        if entries > wanted or (entries == wanted and os.listdir(tmp)):
            break
    server.proc.kill()


def test_sigkill_during_cache_writes_never_serves_a_damaged_entry(model_dir, tmp_path):
    """Many SIGKILLs at random moments and in the middle of stores; after each restart the
    start-up finds nothing to drop, and every result served is byte-identical to --local's."""
    root = tmp_path / "srv"
    cache = root / "cache"
    names = ["big", "m0", "m1", "m2"]
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    keys = []  # (model name, --workers): one cache key each
    interrupted = 0
    for iteration in range(8):
        # A new --workers value per round: new keys, so every round stores something new.
        workers = iteration + 1
        server = Server(root)
        clients = []
        try:
            # A killed writer's temporary file is gone at start-up, and nothing whole was lost.
            assert os.listdir(cache / "tmp") == []
            assert server.metric("ramiel_cache_corrupt_entries_total") == 0
            for name in names:
                keys.append((name, workers))
                clients.append(subprocess.Popen(
                    [binary("RAMIEL_CLIENT"), "compile", model_dir / f"{name}.onnx", "-o",
                     tmp_path / f"round{iteration}-{name}", "--server", server.address, "-q",
                     "--workers", str(workers)], stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL))
            if iteration % 2 == 0:
                kill_during_a_store(server, cache, iteration // 2, timeout=60 * SLOWDOWN)
            else:
                time.sleep(rng.uniform(0, 1.5 * SLOWDOWN))
                server.proc.kill()
            server.stop()
            # What a dead writer left behind, for the next start-up to clean.
            interrupted += bool(os.listdir(cache / "tmp"))
        finally:
            if server.proc.poll() is None:
                server.stop(signal.SIGKILL)
            for client in clients:
                client.kill()
                client.wait()
    assert interrupted >= 1, f"no kill landed during a store (seed {seed})"

    with Server(root) as server:
        assert os.listdir(cache / "tmp") == []
        stored = len(entry_files(cache))
        assert server.metric("ramiel_cache_entries", tier="disk") == stored
        for name, workers in keys:
            local = compile_local(model_dir / f"{name}.onnx", tmp_path / f"{name}-{workers}-l",
                                  "--workers", workers)
            remote = compile_remote(server.address, model_dir / f"{name}.onnx",
                                    tmp_path / f"{name}-{workers}-r", "--workers", workers)
            assert remote.returncode == 0, remote.stderr
            assert_same_outputs(local.out_dir, remote.out_dir)
        hits = [r for r in server.requests("Lookup") if r["cache"] == "hit"]
        # Every entry stored before the kills was served (and matched), not just recompiled.
        assert len(hits) == stored > 0, f"seed {seed}"
        assert server.metric("ramiel_cache_corrupt_entries_total") == 0
        assert_serving(server)


@pytest.fixture(scope="module")
def proto_dir(tmp_path_factory):
    """Python modules for the API, generated by protoc from the repository's .proto."""
    out = tmp_path_factory.mktemp("proto")
    subprocess.run(["protoc", "-I", os.path.join(REPO, "proto"), f"--python_out={out}",
                    "ramiel/v1/compile_service.proto"], check=True)
    return out


def upload_client(proto_dir, address, model, *args):
    return [sys.executable, UPLOAD_CLIENT, str(proto_dir), address, str(model)] + [
        str(a) for a in args]


def budget_is_taken(address, model):
    """True when a whole upload of `model` is refused RESOURCE_EXHAUSTED: the budget is held."""
    code, _, _ = raw_client.upload(raw_client.channel(address), model.read_bytes(), timeout=30)
    return code == grpc.StatusCode.RESOURCE_EXHAUSTED


@pytest.mark.parametrize("gone_by", ["cancel", "sigkill"])
def test_client_gone_mid_upload_frees_its_upload_budget(start_server, model_dir, proto_dir,
                                                        tmp_path, gone_by):
    model = model_dir / "big.onnx"  # several 1 MiB chunks
    size = os.path.getsize(model)
    # The budget is taken as bytes arrive: room for one whole upload plus 1 MiB, so the half
    # upload's 2 MiB leave too little for another whole one.
    server = start_server("--max-model-bytes", size, "--max-upload-bytes-in-flight",
                          size + (1 << 20))
    partial = subprocess.Popen(
        upload_client(proto_dir, server.address, model, "--send-chunks", 2, "--then",
                      "cancel" if gone_by == "cancel" else "hang"),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert partial.stdout.readline().strip() == "sent", partial.stderr.read()
        # Its chunks hold the budget: the scenario is real.
        wait_until(lambda: budget_is_taken(server.address, model), timeout=30)
        if gone_by == "cancel":
            partial.stdin.write("go\n")
            partial.stdin.flush()
            assert partial.wait(timeout=30 * SLOWDOWN) == 0
        else:
            partial.kill()
            partial.wait()
    finally:
        if partial.poll() is None:
            partial.kill()
            partial.wait()
    # The half upload's call has ended (its header was accepted: model_bytes is set). Its status
    # is CANCELLED or, when the server sees the broken stream before the cancellation, a
    # truncated-upload INVALID_ARGUMENT; the client is gone either way.
    wait_until(lambda: any(r["model_bytes"] == size and r["status"] != "OK"
                           for r in server.requests("Compile")), timeout=30)
    assert_serving(server)
    # Nothing of the half upload was compiled or cached.
    assert server.metric("ramiel_model_size_bytes_count") == 0
    assert server.metric("ramiel_cache_entries", tier="disk") == 0
    # A full-size upload right after gets the budget back, and its Lookup found nothing cached.
    full = compile_remote(server.address, model, tmp_path / "full", "--deadline", 60)
    assert full.returncode == 0, full.stderr
    assert server.requests("Lookup")[-1]["cache"] == "miss"
    assert server.requests("Compile")[-1]["status"] == "OK"
    assert server.metric("ramiel_cache_entries", tier="disk") == 1
