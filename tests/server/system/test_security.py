"""Transport security with the real ramiel-server and ramiel-client: TLS, mTLS, bearer tokens
(reloaded on SIGHUP), the refusal of an unprotected non-loopback listen, and one server per port.

Certificates are made at test time with the openssl CLI: a throwaway CA, a server certificate
for 127.0.0.1 and localhost (subjectAltName), and a client certificate."""
import json
import os
import re
import signal
import subprocess

import pytest
import yaml

from ramiel_harness import (SLOWDOWN, binary, compile_remote, issue, issue_server_certificate,
                            make_ca, run_client)

TOKEN = "tok-3f9a1c7e5b2d4e6f"
OTHER_TOKEN = "tok-8c1d2e3f4a5b6c7d"
# A short deadline: a refused TLS handshake is UNAVAILABLE, which the client retries until then.
SHORT_DEADLINE = ["--deadline", "4"]
EXIT_UNAVAILABLE = 4
EXIT_ACCESS_DENIED = 6


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    make_ca(d)
    issue_server_certificate(d, "server")
    issue(d, "client", "/CN=ramiel test client",
          "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n")
    return d


@pytest.fixture
def token_file(tmp_path):
    path = tmp_path / "tokens"
    path.write_text(f"# tokens for the test\n\n{TOKEN}\n")
    return path


def assert_no_secret(server, *secrets):
    """Neither the server's log lines nor its stderr ever show a token."""
    text = "\n".join(str(record) for record in server.log) + server.stderr()
    for secret in secrets:
        assert secret not in text


def client_token_file(tmp_path, token, name="client-token"):
    path = tmp_path / name
    path.write_text(token + "\n")
    return path


def start_raw_server(tmp_path, *flags):
    """ramiel-server with exactly these addresses and flags (the harness fixes them to loopback)."""
    args = [binary("RAMIEL_SERVER"), "--cache-dir", tmp_path / "raw-cache", "--workers", "1",
            *flags]
    return subprocess.Popen([str(a) for a in args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_tokens_over_plaintext_loopback(start_server, model_dir, tmp_path, token_file):
    server = start_server("--auth-token-file", token_file)
    model = model_dir / "m0.onnx"
    assert server.log[0]["event"] == "listening"  # still the first line, as documented
    assert server.wait_for_event("auth_tokens_loaded", timeout=30 * SLOWDOWN)["tokens"] == 1

    good = compile_remote(server.address, model, tmp_path / "good", "--token-file",
                          client_token_file(tmp_path, TOKEN))
    assert good.returncode == 0, good.stderr
    assert (tmp_path / "good" / "model.py").exists()

    missing = compile_remote(server.address, model, tmp_path / "missing")
    assert missing.returncode == EXIT_ACCESS_DENIED, missing.stderr
    assert missing.stderr.startswith("ramiel-client: error: ")
    assert "[UNAUTHENTICATED]" in missing.stderr
    assert not (tmp_path / "missing").exists()

    wrong = compile_remote(server.address, model, tmp_path / "wrong", "--token-file",
                           client_token_file(tmp_path, OTHER_TOKEN))
    assert wrong.returncode == EXIT_ACCESS_DENIED, wrong.stderr
    assert "[UNAUTHENTICATED]" in wrong.stderr
    assert OTHER_TOKEN not in wrong.stderr

    # The refused calls never reached the service: one Lookup each, counted as auth failures.
    assert server.metric("ramiel_auth_failures_total") == 2
    assert [r["status"] for r in server.requests()] == ["NOT_FOUND", "OK"]
    # Health stays open to probes that carry no credentials.
    health = run_client("health", "--server", server.address)
    assert health.returncode == 0 and health.stdout.strip() == "SERVING", health.stderr
    assert_no_secret(server, TOKEN, OTHER_TOKEN)


def test_the_environment_supplies_the_token_and_the_flag_wins(start_server, model_dir, tmp_path,
                                                               token_file):
    server = start_server("--auth-token-file", token_file)
    client = binary("RAMIEL_CLIENT")
    base = [client, "compile", str(model_dir / "m1.onnx"), "--server", server.address, "-q"]

    env = dict(os.environ, RAMIEL_TOKEN=TOKEN)
    from_env = subprocess.run(base + ["-o", str(tmp_path / "env")], env=env, capture_output=True,
                              text=True, timeout=300 * SLOWDOWN)
    assert from_env.returncode == 0, from_env.stderr

    flag_wins = subprocess.run(
        base + ["-o", str(tmp_path / "flag"), "--token-file",
                str(client_token_file(tmp_path, OTHER_TOKEN))],
        env=env, capture_output=True, text=True, timeout=300 * SLOWDOWN)
    assert flag_wins.returncode == EXIT_ACCESS_DENIED, flag_wins.stderr


def test_sighup_rereads_the_token_file(start_server, model_dir, tmp_path, token_file):
    server = start_server("--auth-token-file", token_file)
    server.wait_for_event("auth_tokens_loaded", timeout=30 * SLOWDOWN)  # the start's own
    old = client_token_file(tmp_path, TOKEN, "old")
    new = client_token_file(tmp_path, OTHER_TOKEN, "new")
    model = model_dir / "m2.onnx"
    assert compile_remote(server.address, model, tmp_path / "a", "--token-file", old).returncode == 0

    token_file.write_text(f"# rotated\n{OTHER_TOKEN}\nspare-token\n")
    server.proc.send_signal(signal.SIGHUP)
    loaded = server.wait_for_event("auth_tokens_loaded", timeout=30 * SLOWDOWN)
    assert loaded["tokens"] == 2
    assert compile_remote(server.address, model, tmp_path / "b", "--token-file",
                          new).returncode == 0
    refused = compile_remote(server.address, model, tmp_path / "c", "--token-file", old)
    assert refused.returncode == EXIT_ACCESS_DENIED, refused.stderr

    # A reload that fails (no token left) logs an error and keeps the tokens it had.
    token_file.write_text("# everything removed\n")
    server.proc.send_signal(signal.SIGHUP)
    failed = server.wait_for_event("auth_tokens_reload_failed", timeout=30 * SLOWDOWN)
    assert failed["level"] == "error" and "no tokens" in failed["error"]
    assert compile_remote(server.address, model, tmp_path / "d", "--token-file",
                          new).returncode == 0
    assert_no_secret(server, TOKEN, OTHER_TOKEN, "spare-token")


def test_tls_with_tokens(start_server, model_dir, tmp_path, pki, token_file):
    server = start_server("--tls-cert", pki / "server.pem", "--tls-key", pki / "server.key",
                          "--auth-token-file", token_file)
    model = model_dir / "m3.onnx"
    tls = ["--tls-ca", pki / "ca.pem"]

    good = compile_remote(server.address, model, tmp_path / "good", *tls, "--token-file",
                          client_token_file(tmp_path, TOKEN))
    assert good.returncode == 0, good.stderr
    # By name too: the certificate names localhost as well as 127.0.0.1.
    by_name = compile_remote(f"localhost:{server.port}", model, tmp_path / "by-name", *tls,
                             "--token-file", client_token_file(tmp_path, TOKEN))
    assert by_name.returncode == 0, by_name.stderr

    no_token = compile_remote(server.address, model, tmp_path / "no-token", *tls)
    assert no_token.returncode == EXIT_ACCESS_DENIED, no_token.stderr
    assert "[UNAUTHENTICATED]" in no_token.stderr

    plaintext = compile_remote(server.address, model, tmp_path / "plain", "--token-file",
                               client_token_file(tmp_path, TOKEN), *SHORT_DEADLINE)
    assert plaintext.returncode == EXIT_UNAVAILABLE, plaintext.stderr
    assert not (tmp_path / "plain").exists()
    # A client that does not trust the server's CA (here: the system roots) refuses it.
    untrusted = compile_remote(server.address, model, tmp_path / "untrusted", "--tls-cert",
                               pki / "client.pem", "--tls-key", pki / "client.key",
                               "--token-file", client_token_file(tmp_path, TOKEN),
                               *SHORT_DEADLINE)
    assert untrusted.returncode == EXIT_UNAVAILABLE, untrusted.stderr

    assert run_client("health", "--server", server.address, *tls).returncode == 0
    assert run_client("health", "--server", server.address, "--deadline", "3").returncode \
        == EXIT_UNAVAILABLE
    assert_no_secret(server, TOKEN)


def test_mtls_requires_a_client_certificate(start_server, model_dir, tmp_path, pki):
    server = start_server("--tls-cert", pki / "server.pem", "--tls-key", pki / "server.key",
                          "--tls-client-ca", pki / "ca.pem")
    model = model_dir / "m0.onnx"
    tls = ["--tls-ca", pki / "ca.pem"]

    with_cert = compile_remote(server.address, model, tmp_path / "cert", *tls, "--tls-cert",
                               pki / "client.pem", "--tls-key", pki / "client.key")
    assert with_cert.returncode == 0, with_cert.stderr

    without = compile_remote(server.address, model, tmp_path / "none", *tls, *SHORT_DEADLINE)
    assert without.returncode == EXIT_UNAVAILABLE, without.stderr
    assert not (tmp_path / "none").exists()
    # A client certificate from another CA is refused as well.
    other = tmp_path / "other-ca"
    other.mkdir()
    make_ca(other, subject="/CN=other")
    issue(other, "client", "/CN=intruder", "basicConstraints=CA:FALSE\n")
    intruder = compile_remote(server.address, model, tmp_path / "intruder", *tls, "--tls-cert",
                              other / "client.pem", "--tls-key", other / "client.key",
                              *SHORT_DEADLINE)
    assert intruder.returncode == EXIT_UNAVAILABLE, intruder.stderr
    assert [r["status"] for r in server.requests()] == ["NOT_FOUND", "OK"]


def test_a_second_server_on_a_taken_port_exits_non_zero(start_server, tmp_path):
    first = start_server()
    second = start_raw_server(tmp_path, "--listen", first.address, "--metrics-listen", "")
    out, err = second.communicate(timeout=60 * SLOWDOWN)
    assert second.returncode == 1, out + err
    assert f"cannot listen for gRPC on {first.address}" in err
    assert run_client("health", "--server", first.address).returncode == 0


def test_an_unprotected_non_loopback_listen_needs_insecure(tmp_path, token_file, pki):
    refused = start_raw_server(tmp_path, "--listen", "0.0.0.0:0", "--metrics-listen", "")
    out, err = refused.communicate(timeout=60 * SLOWDOWN)
    assert refused.returncode == 1, out + err
    assert "--insecure" in err and "0.0.0.0:0" in err
    assert '"listening"' not in out

    # TLS alone is not enough (no authentication), nor tokens in clear text.
    for flags in (["--tls-cert", pki / "server.pem", "--tls-key", pki / "server.key"],
                  ["--auth-token-file", token_file, "--insecure"]):
        proc = start_raw_server(tmp_path, "--listen", "0.0.0.0:0", "--metrics-listen", "", *flags)
        out, err = proc.communicate(timeout=60 * SLOWDOWN)
        assert proc.returncode == 1, out + err

    accepted = start_raw_server(tmp_path, "--listen", "0.0.0.0:0", "--metrics-listen", "",
                                "--insecure")
    try:
        first, second = accepted.stdout.readline(), accepted.stdout.readline()
        assert '"listening"' in first, first
        assert '"insecure"' in second and '"warning"' in second, second
    finally:
        accepted.send_signal(signal.SIGTERM)
        out, err = accepted.communicate(timeout=60 * SLOWDOWN)
    assert accepted.returncode == 0, err


def test_tls_and_tokens_on_a_non_loopback_listen_start(tmp_path, token_file, pki):
    proc = start_raw_server(tmp_path, "--listen", "0.0.0.0:0", "--metrics-listen", "",
                            "--tls-cert", pki / "server.pem", "--tls-key", pki / "server.key",
                            "--auth-token-file", token_file)
    try:
        for line in proc.stdout:
            if '"listening"' in line:
                break
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60 * SLOWDOWN)
    assert proc.returncode == 0, err
    assert TOKEN not in out + err


def deploy_file(*parts):
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
    return os.path.join(root, *parts)


def starts_with(tmp_path, flags):
    """Whether ramiel-server starts with `flags` (ports set to 0, cache moved to tmp_path)."""
    flags = [re.sub(r":\d+$", ":0", f) for f in flags]
    if "--cache-dir" in flags:  # start_raw_server gives a temporary one
        at = flags.index("--cache-dir")
        del flags[at:at + 2]
    proc = start_raw_server(tmp_path, *flags)
    try:
        for line in proc.stdout:
            if '"listening"' in line:
                return True
        return False
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60 * SLOWDOWN)


def test_deploy_files_pass_the_start_up_rule(tmp_path):
    """The Dockerfile, compose file and ConfigMap listen on all interfaces; the server must accept
    their security settings as written (their addresses keep the host, the port becomes 0)."""
    with open(deploy_file("docker", "Dockerfile")) as f:
        cmd = next(line for line in f if line.startswith("CMD "))
    assert starts_with(tmp_path, json.loads(cmd[4:]))

    with open(deploy_file("deploy", "docker-compose.yml")) as f:
        compose = yaml.safe_load(f)
    for replica in ["server-a", "server-b"]:
        assert starts_with(tmp_path, compose["services"][replica]["command"]), replica

    with open(deploy_file("deploy", "kubernetes", "configmap.yaml")) as f:
        settings = json.loads(yaml.safe_load(f)["data"]["server.json"])
    settings["listen"] = re.sub(r":\d+$", ":0", settings["listen"])
    settings["metrics_listen"] = re.sub(r":\d+$", ":0", settings["metrics_listen"])
    config = tmp_path / "server.json"
    config.write_text(json.dumps(settings))
    assert starts_with(tmp_path, ["--config", str(config)])
    # Without the override, the same settings are refused.
    settings.pop("insecure")
    config.write_text(json.dumps(settings))
    assert not starts_with(tmp_path, ["--config", str(config)])


def test_unusable_credentials_stop_the_start(tmp_path, pki):
    comments_only = tmp_path / "comments-only"
    comments_only.write_text("# revoked everything\n\n")
    spaced = tmp_path / "spaced"
    spaced.write_text(f"{TOKEN} {OTHER_TOKEN}\n")
    cases = [
        (["--auth-token-file", tmp_path / "missing"], "cannot read token file"),
        (["--auth-token-file", comments_only], "holds no tokens"),
        (["--auth-token-file", spaced], "line 1"),
        (["--tls-cert", pki / "server.pem"], "tls_cert and tls_key go together"),
        (["--tls-cert", pki / "server.pem", "--tls-key", spaced], "is not a PEM file"),
        # A key that does not belong to the certificate: gRPC refuses it when the port is added.
        (["--tls-cert", pki / "server.pem", "--tls-key", pki / "client.key"],
         "TLS certificate and key do not load or do not match"),
        (["--tls-client-ca", pki / "ca.pem"], "tls_client_ca needs TLS"),
    ]
    for flags, reason in cases:
        proc = start_raw_server(tmp_path, "--listen", "127.0.0.1:0", "--metrics-listen", "",
                                *flags)
        out, err = proc.communicate(timeout=60 * SLOWDOWN)
        assert proc.returncode == 1, (flags, out, err)
        assert reason in err, (flags, err)
        assert TOKEN not in out + err and OTHER_TOKEN not in out + err


def test_a_malformed_client_token_is_a_usage_error(start_server, model_dir, tmp_path,
                                                   token_file):
    server = start_server("--auth-token-file", token_file)
    spaced = client_token_file(tmp_path, f"{TOKEN} trailing-words")
    run = compile_remote(server.address, model_dir / "m0.onnx", tmp_path / "o", "--token-file",
                         spaced)
    assert run.returncode == 2, run.stderr
    assert TOKEN not in run.stderr
    assert server.requests() == []
