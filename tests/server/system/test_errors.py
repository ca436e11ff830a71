"""Bad input gets an actionable status and never takes the server down; health reports truthfully."""
import signal
import socket
import subprocess
import time

from ramiel_harness import SLOWDOWN, binary, compile_remote, run_client

EXIT_USAGE = 2
EXIT_BAD_MODEL = 3
EXIT_UNAVAILABLE = 4
EXIT_UNREACHABLE = 7


def test_random_bytes_and_truncated_models_are_invalid_argument(start_server, model_dir, tmp_path):
    server = start_server()
    for name in ["random", "truncated"]:
        out = compile_remote(server.address, model_dir / f"{name}.onnx", tmp_path / name)
        assert out.returncode == EXIT_BAD_MODEL, out.stderr
        assert "(INVALID_ARGUMENT)" in out.stderr
    statuses = [r["status"] for r in server.requests("Compile")]
    assert statuses == ["INVALID_ARGUMENT", "INVALID_ARGUMENT"]
    assert all(r.get("message") for r in server.requests("Compile"))
    assert server.metric("ramiel_compiles_total", result="invalid_argument") == 2
    # Still serving, and still compiling.
    assert run_client("health", "--server", server.address).returncode == 0
    good = compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "good")
    assert good.returncode == 0, good.stderr


def test_model_over_the_size_limit_is_refused_before_upload(start_server, model_dir, tmp_path):
    server = start_server("--max-model-bytes", 1 << 20)
    out = compile_remote(server.address, model_dir / "big.onnx", tmp_path / "big")
    assert out.returncode == EXIT_BAD_MODEL
    assert "accepts at most 1048576" in out.stderr
    assert server.metric("ramiel_rejected_requests_total", reason="too_large") == 1
    assert server.metric("ramiel_model_size_bytes_count") == 0


def test_bad_options_name_the_problem(start_server, model_dir, tmp_path):
    server = start_server()
    profile = tmp_path / "profile.json"
    profile.write_text("[1, 2]")
    out = compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "o",
                         "--device-profile", profile)
    # The client validates options before it dials, exactly like --local.
    assert out.returncode != 0
    assert "device profile" in out.stderr


def test_health_reports_serving_and_unreachable(start_server, tmp_path):
    server = start_server()
    serving = run_client("health", "--server", server.address)
    assert serving.returncode == 0 and serving.stdout.strip() == "SERVING"
    address = server.address
    assert server.stop() == 0
    gone = run_client("health", "--server", address, "--deadline", 2)
    assert gone.returncode == EXIT_UNAVAILABLE
    assert "UNAVAILABLE" in gone.stderr or "DEADLINE_EXCEEDED" in gone.stderr


def test_closed_port_fails_within_the_connect_timeout_with_exit_7(model_dir, tmp_path):
    started = time.monotonic()
    out = compile_remote("127.0.0.1:1", model_dir / "m0.onnx", tmp_path / "o",
                         "--connect-timeout", 2, timeout=60)
    elapsed = time.monotonic() - started
    assert out.returncode == EXIT_UNREACHABLE, out.stderr
    assert out.stderr == ("ramiel-client: error: cannot reach the Ramiel server at 127.0.0.1:1 "
                          "within 2 s (connection refused): is it running, and listening on that "
                          "address? [UNAVAILABLE]\n")
    # Without the connect timeout the retries took about 25 s; the machine may be loaded.
    assert elapsed < 12 * SLOWDOWN, elapsed
    assert not (tmp_path / "o").exists()
    # The default is 5 s, and the connect timeout is never longer than the whole deadline.
    started = time.monotonic()
    out = compile_remote("127.0.0.1:1", model_dir / "m0.onnx", tmp_path / "o", timeout=60)
    assert out.returncode == EXIT_UNREACHABLE and "within 5 s" in out.stderr, out.stderr
    assert 4.5 < time.monotonic() - started < 15 * SLOWDOWN
    out = compile_remote("127.0.0.1:1", model_dir / "m0.onnx", tmp_path / "o", "--deadline", 1,
                         timeout=60)
    assert out.returncode == EXIT_UNREACHABLE and "within 1 s" in out.stderr, out.stderr


def test_connect_timeout_waits_for_a_server_that_starts_late(model_dir, tmp_path):
    with socket.socket() as probe:  # a free port, closed until the server takes it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = subprocess.Popen(
        [binary("RAMIEL_CLIENT"), "compile", model_dir / "m0.onnx", "-o", tmp_path / "o",
         "--server", f"127.0.0.1:{port}", "--connect-timeout", "60", "-q"],
        stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    assert client.poll() is None, "the client gave up before its connect timeout"
    server = subprocess.Popen(
        [binary("RAMIEL_SERVER"), "--listen", f"127.0.0.1:{port}", "--metrics-listen",
         "127.0.0.1:0", "--cache-dir", tmp_path / "cache"], stdout=subprocess.DEVNULL)
    try:
        _, stderr = client.communicate(timeout=120 * SLOWDOWN)
        assert client.returncode == 0, stderr
        assert (tmp_path / "o" / "model.py").exists()
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60 * SLOWDOWN) == 0


def test_connect_timeout_must_be_positive(model_dir, tmp_path):
    for value in ["0", "-1", "soon"]:
        out = compile_remote("127.0.0.1:1", model_dir / "m0.onnx", tmp_path / "o",
                             "--connect-timeout", value)
        assert out.returncode == EXIT_USAGE, out.stderr
        assert "--connect-timeout" in out.stderr


def test_plaintext_client_of_a_tls_server_is_told_why(start_server, model_dir, tmp_path):
    key, cert = tmp_path / "server.key", tmp_path / "server.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                           "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                           "subjectAltName=IP:127.0.0.1"], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    server = start_server("--tls-cert", cert, "--tls-key", key)
    plaintext = compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "p",
                               "--connect-timeout", 2)
    assert plaintext.returncode == EXIT_UNAVAILABLE, plaintext.stderr
    assert f"connected to {server.address} but could not open a gRPC session" in plaintext.stderr
    assert "requires TLS (--tls-ca)" in plaintext.stderr
    untrusted = compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "u",
                               "--connect-timeout", 2, "--tls-ca",
                               "/etc/ssl/certs/ca-certificates.crt")
    assert untrusted.returncode == EXIT_UNAVAILABLE, untrusted.stderr
    assert "the TLS handshake failed: check that --tls-ca signed" in untrusted.stderr
    trusted = compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "t", "--tls-ca",
                             cert)
    assert trusted.returncode == 0, trusted.stderr
