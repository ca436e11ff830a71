"""Bad input gets an actionable status and never takes the server down; health reports truthfully."""
from ramiel_harness import compile_remote, run_client

EXIT_BAD_MODEL = 3
EXIT_UNAVAILABLE = 4


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


def test_unreachable_server_fails_fast_with_exit_4(model_dir, tmp_path):
    out = compile_remote("127.0.0.1:1", model_dir / "m0.onnx", tmp_path / "o", "--deadline", 5,
                         timeout=60)
    assert out.returncode == EXIT_UNAVAILABLE
    assert "127.0.0.1:1" in out.stderr
