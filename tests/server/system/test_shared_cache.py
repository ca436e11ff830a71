"""The shared cache tier: real ramiel-servers with separate cache directories sharing one real
redis-server on loopback (plain, with a password, with TLS), through outages and restarts.

redis-server and redis-cli come from scripts/install-deps.sh; certificates are made at test time
with the openssl CLI, as in test_security.py."""
import hashlib
import signal
import subprocess

import pytest

import raw_client
from ramiel_harness import (SLOWDOWN, RedisServer, assert_same_outputs, binary, compile_remote,
                            issue, issue_server_certificate, make_ca, read_outputs, wait_until)

PASSWORD = "pw-7d41c9e2b8a6"
MODELS = ["m0.onnx", "m1.onnx", "m2.onnx", "m3.onnx", "big.onnx"]


@pytest.fixture
def redis(tmp_path):
    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("redis-pki")
    make_ca(d)
    issue_server_certificate(d, "redis")
    make_ca(d, name="other-ca", subject="/CN=another CA")
    # Signed by the trusted CA, but for another name.
    issue(d, "elsewhere", "/CN=elsewhere.example", "subjectAltName=DNS:elsewhere.example\n")
    return d


def available(*servers):
    return all(s.metric("ramiel_shared_cache_available") == 1 for s in servers)


def puts(server):
    return server.metric("ramiel_shared_cache_latency_seconds_count", operation="put")


def shared_keys(redis):
    return sorted(k.decode() for k in redis.command("KEYS", "ramiel:v1:*"))


def events(server, name):
    return [r for r in list(server.log) if r.get("event") == name]


def compile_ok(server, model, out_dir):
    run = compile_remote(server.address, model, out_dir)
    assert run.returncode == 0, run.stderr
    return run


def test_a_result_compiled_on_one_server_is_served_by_another(start_server, redis, model_dir,
                                                            tmp_path):
    first = start_server("--redis", redis.url(), cache="first")
    second = start_server("--redis", redis.url(), cache="second")
    wait_until(lambda: available(first, second))
    compile_ok(first, model_dir / "m0.onnx", tmp_path / "out-first")
    wait_until(lambda: puts(first) == 1)
    assert len(shared_keys(redis)) == 1

    compile_ok(second, model_dir / "m0.onnx", tmp_path / "out-second")
    assert second.metric("ramiel_compiles_total") == 0
    assert second.metric("ramiel_shared_cache_requests_total", result="hit") == 1
    assert read_outputs(tmp_path / "out-first") == read_outputs(tmp_path / "out-second")
    assert [r["cache"] for r in second.requests()] == ["hit"]
    # Promoted: the second server's own disk holds it now, and Redis is not asked again.
    assert second.metric("ramiel_cache_entries", tier="disk") == 1
    compile_ok(second, model_dir / "m0.onnx", tmp_path / "out-again")
    assert second.metric("ramiel_shared_cache_requests_total") == 1
    assert second.metric("ramiel_shared_cache_errors_total") == 0
    assert first.metric("ramiel_shared_cache_errors_total") == 0


def test_with_redis_down_compiles_succeed_and_back_off_keeps_errors_few(start_server, redis,
                                                                       model_dir, tmp_path):
    server = start_server("--redis", redis.url())
    wait_until(lambda: available(server))
    redis.stop()
    for name in MODELS:
        compile_ok(server, model_dir / name, tmp_path / ("out-" + name))
    assert server.metric("ramiel_compiles_total", result="ok") == len(MODELS)
    # Lookups of models nobody compiled: each misses memory and disk and would ask Redis.
    channel = raw_client.channel(server.address)
    lookups = 40
    for i in range(lookups):
        code, _ = raw_client.lookup(channel, hashlib.sha256(b"%d" % i).hexdigest())
        assert code.name == "NOT_FOUND"
    # Each compile asked Redis twice (the client's Lookup, then the compile's own check) and
    # queued a put: without back-off every one of these would be an error with its own timeout.
    asked = 3 * len(MODELS) + lookups
    errors = server.metric("ramiel_shared_cache_errors_total")
    assert errors >= 1
    # One error per back-off period (1 s doubling to 30 s), however long this took.
    assert errors <= 10 < asked
    assert server.metric("ramiel_shared_cache_available") == 0
    assert len(events(server, "shared_cache_unavailable")) == 1
    down = events(server, "shared_cache_unavailable")[0]
    assert down["reason"] == "connection" and down["retry_in_ms"] == 1000


def test_a_frozen_redis_costs_one_timeout_not_one_per_request(start_server, redis, tmp_path):
    server = start_server("--redis", redis.url(), "--redis-timeout-ms", "200")
    wait_until(lambda: available(server))
    channel = raw_client.channel(server.address)
    # SIGSTOP: connections are still accepted by the kernel, but nothing is ever answered.
    redis.proc.send_signal(signal.SIGSTOP)
    try:
        for i in range(30):
            code, _ = raw_client.lookup(channel, hashlib.sha256(b"%d" % i).hexdigest())
            assert code.name == "NOT_FOUND"
        assert server.metric("ramiel_shared_cache_errors_total", reason="timeout") >= 1
        assert server.metric("ramiel_shared_cache_errors_total") <= 8
        assert events(server, "shared_cache_unavailable")[0]["reason"] == "timeout"
    finally:
        redis.proc.send_signal(signal.SIGCONT)
    wait_until(lambda: available(server), timeout=60)


def test_sharing_resumes_after_a_redis_restart_without_restarting_the_servers(
        start_server, redis, model_dir, tmp_path):
    first = start_server("--redis", redis.url(), cache="first")
    second = start_server("--redis", redis.url(), cache="second")
    wait_until(lambda: available(first, second))
    redis.stop()
    compile_ok(first, model_dir / "m0.onnx", tmp_path / "out-during")
    assert first.metric("ramiel_shared_cache_errors_total") >= 1
    assert first.metric("ramiel_shared_cache_available") == 0
    redis.start()  # same port, empty
    # No request is needed: each server probes when its back-off period ends.
    wait_until(lambda: available(first), timeout=60)
    compile_ok(first, model_dir / "m1.onnx", tmp_path / "out-first")
    wait_until(lambda: len(shared_keys(redis)) == 1)
    compile_ok(second, model_dir / "m1.onnx", tmp_path / "out-second")
    assert second.metric("ramiel_compiles_total") == 0
    assert read_outputs(tmp_path / "out-first") == read_outputs(tmp_path / "out-second")
    assert len(events(first, "shared_cache_unavailable")) == 1
    assert len(events(first, "shared_cache_available")) == 2  # at start, and back


def test_a_password_from_a_file_and_a_wrong_one(start_server, model_dir, tmp_path):
    right_file, wrong_file = tmp_path / "right-password", tmp_path / "wrong-password"
    right_file.write_text(PASSWORD + "\n")
    wrong_file.write_text("not-" + PASSWORD + "\n")
    with RedisServer(tmp_path / "redis", password=PASSWORD) as redis:
        right = start_server("--redis", redis.url(), "--redis-password-file", right_file,
                             cache="right")
        wrong = start_server("--redis", redis.url(), "--redis-password-file", wrong_file,
                             cache="wrong")
        wait_until(lambda: available(right))
        compile_ok(right, model_dir / "m0.onnx", tmp_path / "out-right")
        wait_until(lambda: len(shared_keys(redis)) == 1)

        compile_ok(wrong, model_dir / "m0.onnx", tmp_path / "out-wrong")
        assert wrong.metric("ramiel_compiles_total") == 1  # nothing shared without the password
        assert wrong.metric("ramiel_shared_cache_errors_total", operation="connect",
                            reason="auth") >= 1
        assert wrong.metric("ramiel_shared_cache_available") == 0
        assert events(wrong, "shared_cache_unavailable")[0]["reason"] == "auth"
    for server in (right, wrong):
        server.stop()
        logs = repr(server.log) + server.stderr()
        assert PASSWORD not in logs


def test_tls_with_a_ca_bundle(start_server, model_dir, tmp_path, pki):
    tls = (pki / "redis.pem", pki / "redis.key", pki / "ca.pem")
    with RedisServer(tmp_path / "redis", tls=tls) as redis:
        flags = ["--redis", redis.url(), "--redis-tls-ca", pki / "ca.pem"]
        assert flags[1].startswith("rediss://")
        first = start_server(*flags, cache="first")
        second = start_server(*flags, cache="second")
        wait_until(lambda: available(first, second))
        compile_ok(first, model_dir / "m2.onnx", tmp_path / "out-first")
        wait_until(lambda: puts(first) == 1)
        assert redis.cli("--scan", "--pattern", "ramiel:v1:*").strip().startswith("ramiel:v1:")
        compile_ok(second, model_dir / "m2.onnx", tmp_path / "out-second")
        assert second.metric("ramiel_compiles_total") == 0
        assert read_outputs(tmp_path / "out-first") == read_outputs(tmp_path / "out-second")

        # A server certificate the given CA did not sign is refused; compiles go on.
        untrusted = start_server("--redis", redis.url(), "--redis-tls-ca", pki / "other-ca.pem",
                                 cache="untrusted")
        wait_until(lambda: untrusted.metric("ramiel_shared_cache_errors_total", reason="tls") >= 1)
        compile_ok(untrusted, model_dir / "m2.onnx", tmp_path / "out-untrusted")
        assert untrusted.metric("ramiel_compiles_total") == 1
        assert "certificate" in events(untrusted, "shared_cache_unavailable")[0]["error"]

        # By name: the certificate's DNS name is checked (and sent as SNI).
        by_name = start_server("--redis", redis.url().replace("127.0.0.1", "localhost"),
                               "--redis-tls-ca", pki / "ca.pem", cache="by-name")
        wait_until(lambda: available(by_name))


def test_tls_refuses_a_certificate_for_another_name(start_server, model_dir, tmp_path, pki):
    tls = (pki / "elsewhere.pem", pki / "elsewhere.key", pki / "ca.pem")
    with RedisServer(tmp_path / "redis", tls=tls) as redis:
        for host in ("127.0.0.1", "localhost"):
            server = start_server("--redis", redis.url().replace("127.0.0.1", host),
                                  "--redis-tls-ca", pki / "ca.pem", cache=host)
            wait_until(lambda: server.metric("ramiel_shared_cache_errors_total", reason="tls") >= 1)
            # The metric moves before the log line is written: wait for the line too.
            wait_until(lambda: events(server, "shared_cache_unavailable"))
            assert "mismatch" in events(server, "shared_cache_unavailable")[0]["error"]
            compile_ok(server, model_dir / "m1.onnx", tmp_path / ("out-" + host))
            assert server.metric("ramiel_shared_cache_available") == 0


def test_a_corrupt_entry_in_redis_is_not_served(start_server, redis, model_dir, tmp_path):
    first = start_server("--redis", redis.url(), cache="first")
    compile_ok(first, model_dir / "m0.onnx", tmp_path / "out-first")
    wait_until(lambda: len(shared_keys(redis)) == 1)
    [key] = shared_keys(redis)
    good = redis.command("GET", key)
    assert good.startswith(b"ramiel-cache 1 ")

    # Garbage, written by hand with redis-cli.
    redis.cli("SET", key, "not a cache entry")
    second = start_server("--redis", redis.url(), cache="second")
    compile_ok(second, model_dir / "m0.onnx", tmp_path / "out-second")
    assert second.metric("ramiel_compiles_total", result="ok") == 1
    assert second.metric("ramiel_shared_cache_errors_total", operation="get",
                         reason="corrupt") == 1
    assert events(second, "cache_entry_dropped")[0]["tier"] == "shared"
    assert_same_outputs(tmp_path / "out-first", tmp_path / "out-second")

    # One flipped bit in the payload: the checksum catches it.
    wait_until(lambda: puts(second) == 1)  # its recompiled result must not land after ours
    flipped = bytearray(good)
    flipped[-10] ^= 1
    redis.command("SET", key, bytes(flipped))
    third = start_server("--redis", redis.url(), cache="third")
    compile_ok(third, model_dir / "m0.onnx", tmp_path / "out-third")
    assert third.metric("ramiel_compiles_total", result="ok") == 1
    assert third.metric("ramiel_shared_cache_errors_total", reason="corrupt") == 1
    assert third.metric("ramiel_shared_cache_requests_total", result="hit") == 0
    # The damaged value was deleted, and the recompiled result took its place.
    wait_until(lambda: puts(third) == 1)
    assert redis.command("GET", key).startswith(b"ramiel-cache 1 ")
    assert redis.command("GET", key) != bytes(flipped)


def start_fails(tmp_path, *flags):
    """ramiel-server with `flags` must refuse to start: its exit status and stderr."""
    args = [binary("RAMIEL_SERVER"), "--listen", "127.0.0.1:0", "--metrics-listen", "",
            "--cache-dir", tmp_path / "cache", "--workers", "1"] + [str(f) for f in flags]
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          timeout=60 * SLOWDOWN)
    return proc.returncode, proc.stderr


def test_bad_redis_settings_stop_the_start_naming_the_flag(tmp_path, pki):
    missing = tmp_path / "missing"
    empty = tmp_path / "empty"
    empty.write_text("\n")
    cases = [
        (["--redis", "http://127.0.0.1:6379"], "--redis"),
        (["--redis", "redis://:" + PASSWORD + "@127.0.0.1:99999"], "--redis"),
        (["--redis", "redis://127.0.0.1:6379", "--redis-password-file", missing],
         "--redis-password-file"),
        (["--redis", "redis://127.0.0.1:6379", "--redis-password-file", empty],
         "--redis-password-file"),
        (["--redis", "rediss://127.0.0.1:6379", "--redis-tls-ca", missing], "--redis-tls-ca"),
        (["--redis", "redis://127.0.0.1:6379", "--redis-tls-ca", pki / "ca.pem"],
         "--redis-tls-ca"),
        (["--redis", "redis://127.0.0.1:6379", "--redis-timeout-ms", "0"], "--redis-timeout-ms"),
        (["--redis", "redis://127.0.0.1:6379", "--redis-ttl", "0"], "--redis-ttl"),
        (["--redis-password-file", empty], "--redis"),
    ]
    for flags, named in cases:
        code, stderr = start_fails(tmp_path, *flags)
        assert code == 1, (flags, stderr)
        assert named in stderr, (flags, stderr)
        assert PASSWORD not in stderr


def test_the_json_config_keys(start_server, model_dir, tmp_path):
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD)
    with RedisServer(tmp_path / "redis-pw", password=PASSWORD) as protected:
        config = tmp_path / "server.json"
        config.write_text(
            '{"redis": "%s", "redis_password_file": "%s", "redis_ttl_seconds": 120, '
            '"redis_timeout_ms": 500}' % (protected.url(), password_file))
        server = start_server("--config", config)
        wait_until(lambda: available(server))
        compile_ok(server, model_dir / "m3.onnx", tmp_path / "out")
        wait_until(lambda: len(shared_keys(protected)) == 1)
        [key] = shared_keys(protected)
        assert 100 < protected.command("TTL", key) <= 120
        line = events(server, "shared_cache")[0]
        assert line["ttl_seconds"] == 120 and line["timeout_ms"] == 500
        assert line["authenticated"] is True and PASSWORD not in repr(line)
