"""Connection hygiene against clients that misbehave on purpose: stalled uploads, headers that
promise more than they send, one client taking every slot, many streams on one connection. Each
limit is crossed by a test, with the real server and a raw gRPC client (raw_client.py)."""
import time

import grpc

import raw_client
from ramiel_harness import assert_serving, compile_remote, wait_until

MIB = 1 << 20


def test_an_idle_upload_is_ended(start_server):
    server = start_server("--upload-idle-timeout", "1")
    stalled = raw_client.StalledUpload(raw_client.channel(server.address), [raw_client.header(4096)])
    assert stalled.done.wait(timeout=30)
    assert stalled.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert "sent nothing for 1 s" in stalled.details()
    assert server.metric("ramiel_rejected_requests_total", reason="upload_idle") == 1
    # A header-less stall is ended too.
    silent = raw_client.StalledUpload(raw_client.channel(server.address), [])
    assert silent.done.wait(timeout=30)
    assert silent.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert_serving(server)


def test_stalled_headers_hold_no_upload_budget(start_server, model_dir, tmp_path):
    # Four headers each declaring the largest model, then silence: the attack that used to take the
    # whole budget. The budget is taken as bytes arrive, so a real upload still gets through.
    limit = 8 * MIB
    server = start_server("--max-model-bytes", limit, "--max-upload-bytes-in-flight", limit,
                          "--max-uploads-per-peer", 8)
    stalled = [raw_client.StalledUpload(raw_client.channel(server.address),
                                        [raw_client.header(limit)]) for _ in range(4)]
    wait_until(lambda: server.metric("ramiel_inflight_requests") >= 4)
    run = compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    for upload in stalled:
        upload.release()
        assert upload.done.wait(timeout=30)
        assert upload.code() == grpc.StatusCode.INVALID_ARGUMENT  # truncated, said so


def test_bytes_beyond_the_budget_are_refused(start_server):
    limit = 2 * MIB
    server = start_server("--max-model-bytes", limit, "--max-upload-bytes-in-flight", limit)
    holder = raw_client.StalledUpload(raw_client.channel(server.address),
                                      [raw_client.header(limit), raw_client.chunk(b"\0" * (limit - 1000))])
    wait_until(lambda: server.metric("ramiel_inflight_requests") >= 1)
    time.sleep(0.5)  # the chunk reaches the server
    code, details, _ = raw_client.upload(raw_client.channel(server.address), b"\1" * 4096)
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "too many uploads in progress" in details
    assert server.metric("ramiel_rejected_requests_total", reason="upload_budget") == 1
    holder.release()
    assert holder.done.wait(timeout=30)
    # Released with the call: the same upload now fits (and fails later, as garbage).
    code, details, _ = raw_client.upload(raw_client.channel(server.address), b"\1" * 4096)
    assert code == grpc.StatusCode.INVALID_ARGUMENT, details


def test_one_client_cannot_take_every_upload_slot(start_server):
    server = start_server("--max-uploads-per-peer", "2")
    stalled = [raw_client.StalledUpload(raw_client.channel(server.address),
                                        [raw_client.header(4096)]) for _ in range(2)]
    wait_until(lambda: server.metric("ramiel_inflight_requests") >= 2)
    time.sleep(0.3)  # both headers taken
    third = raw_client.StalledUpload(raw_client.channel(server.address), [raw_client.header(4096)])
    assert third.done.wait(timeout=30)
    assert third.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "2 uploads open (--max-uploads-per-peer)" in third.details()
    assert server.metric("ramiel_rejected_requests_total", reason="peer_uploads") == 1
    for upload in stalled:
        upload.release()
        assert upload.done.wait(timeout=30)
    # Slots come back when the uploads end.
    again = raw_client.StalledUpload(raw_client.channel(server.address), [raw_client.header(4096)])
    again.release()
    assert again.done.wait(timeout=30)
    assert again.code() == grpc.StatusCode.INVALID_ARGUMENT  # truncated upload, not refused


def test_one_client_cannot_take_every_compile(start_server, model_dir, tmp_path):
    server = start_server("--max-compiles-per-peer", "2", "--debug-compile-delay-ms", "3000")
    models = [(model_dir / f"m{i}.onnx").read_bytes() for i in range(3)]
    slow = [raw_client.StalledUpload(raw_client.channel(server.address),
                                     [raw_client.header(len(m)), raw_client.chunk(m)])
            for m in models[:2]]
    for call in slow:
        call.release()
    wait_until(lambda: server.metric("ramiel_compile_duration_seconds_count", stage="queue") >= 2)
    code, details, _ = raw_client.upload(raw_client.channel(server.address), models[2])
    assert code == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "2 compiles open (--max-compiles-per-peer)" in details
    for call in slow:
        assert call.done.wait(timeout=60)
        assert call.code() == grpc.StatusCode.OK, call.details()
    code, details, _ = raw_client.upload(raw_client.channel(server.address), models[2])
    assert code == grpc.StatusCode.OK, details


def test_streams_per_connection_are_capped(start_server):
    server = start_server("--max-streams-per-connection", "2", "--max-uploads-per-peer", "8")
    shared = raw_client.channel(server.address)
    stalled = [raw_client.StalledUpload(shared, [raw_client.header(4096)]) for _ in range(3)]
    wait_until(lambda: server.metric("ramiel_inflight_requests") >= 2)
    time.sleep(1)  # a third stream would have arrived by now
    assert server.metric("ramiel_inflight_requests") == 2
    # Ending the calls frees their streams: the waiting call reaches the server and ends too.
    for upload in stalled:
        upload.release()
    for upload in stalled:
        assert upload.done.wait(timeout=30)
        assert upload.code() == grpc.StatusCode.INVALID_ARGUMENT  # truncated, said so
    assert server.metric("ramiel_grpc_requests_total", method="/ramiel.v1.CompileService/Compile") == 3
    assert_serving(server)
