"""Every hostile model through the real local compiler (`ramiel-client compile --local`): a clear
error (exit 3, the listed status code and text, at most 4 KiB of valid UTF-8), no crash, no hang,
and no output written."""
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile_cases  # noqa: E402

CASES = hostile_cases.read_cases()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    return hostile_cases.corpus_dir(tmp_path_factory)


def client():
    path = os.environ.get("RAMIEL_CLIENT")
    if not path:
        pytest.skip("RAMIEL_CLIENT is not set (run through ctest)")
    return path


def test_the_corpus_is_large_and_varied():
    assert len(CASES) >= 50
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_model_is_refused_locally(case, corpus, tmp_path):
    model = os.path.join(corpus, case.name + ".onnx")
    out_dir = tmp_path / "out"
    proc = subprocess.run([client(), "compile", model, "-o", str(out_dir), "--local", "-q"],
                          capture_output=True, timeout=hostile_cases.CASE_TIMEOUT_S)
    hostile_cases.error_message(case, proc.returncode, proc.stderr)
    assert not out_dir.exists() or not any(out_dir.iterdir()), "a refused model wrote output"
