"""The hostile-model corpus (tests/hostile/cases.tsv) against the real ramiel-server, sent by the
real ramiel-client: each case gets a clear error, the server answers health with SERVING after
each, and the server process's peak memory stays bounded."""
import os
import subprocess
import sys

from ramiel_harness import SLOWDOWN, binary, peak_rss_bytes, run_client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "hostile"))
import hostile_cases  # noqa: E402

# The server's own peak resident memory (VmHWM) over the whole corpus.
MAX_SERVER_PEAK_BYTES = 1.5e9


def compile_remote(address, model, out_dir):
    return subprocess.run([binary("RAMIEL_CLIENT"), "compile", model, "-o", out_dir, "--server",
                           address, "-q"], capture_output=True,
                          timeout=hostile_cases.CASE_TIMEOUT_S * SLOWDOWN)


def test_every_hostile_model_is_refused_and_the_server_keeps_serving(start_server, tmp_path_factory,
                                                                     tmp_path):
    corpus = hostile_cases.corpus_dir(tmp_path_factory)
    server = start_server()
    messages = {}
    for case in hostile_cases.read_cases():
        proc = compile_remote(server.address, os.path.join(corpus, case.name + ".onnx"),
                              tmp_path / case.name)
        messages[case.name] = hostile_cases.error_message(case, proc.returncode, proc.stderr)
        assert server.proc.poll() is None, f"ramiel-server died on {case.name}"
        health = run_client("health", "--server", server.address)
        assert health.returncode == 0 and health.stdout.strip() == "SERVING", \
            f"after {case.name}: {health.stdout} {health.stderr}"
    peak = peak_rss_bytes(server.proc.pid)
    print(f"ramiel-server peak RSS over {len(messages)} hostile models: {peak / 1e6:.0f} MB")
    assert peak < MAX_SERVER_PEAK_BYTES, f"server peak RSS {peak / 1e6:.0f} MB"
    # Every refusal is an answered request, counted by its status.
    statuses = [r["status"] for r in server.requests("Compile")]
    assert len(statuses) >= len(messages) - 1  # the client may refuse the empty file itself
    assert all(s in ("INVALID_ARGUMENT", "UNIMPLEMENTED") for s in statuses), statuses
    # No file-existence oracle: a path that exists and one that does not read the same.
    for exists, missing in [("external_initializer_existing_path", "external_initializer_missing_path"),
                            ("external_in_if_branch_initializer", "external_in_if_branch_missing_path")]:
        assert messages[exists] == messages[missing]
        assert "passwd" not in messages[exists]
