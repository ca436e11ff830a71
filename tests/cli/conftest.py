"""Fixtures for CLI tests: the client binary, the exported reference models, small ONNX models."""
import json
import os
import subprocess

import pytest


def client_path():
    path = os.environ.get("RAMIEL_CLIENT")
    if not path or not os.path.exists(path):
        pytest.fail("RAMIEL_CLIENT must name the built ramiel-client (run through ctest)")
    return path


class Compiled:
    """The outcome of one `ramiel-client compile` run."""

    def __init__(self, proc, out_dir):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.out_dir = out_dir

    def file(self, name):
        with open(os.path.join(self.out_dir, name), "rb") as f:
            return f.read()

    @property
    def schedule(self):
        return json.loads(self.file("schedule.json"))


@pytest.fixture
def compile_model(tmp_path):
    """compile_model(model_path, *flags) -> Compiled; output in a fresh temporary directory."""
    counter = [0]

    def run(model, *flags, local=True):
        counter[0] += 1
        out_dir = tmp_path / f"out{counter[0]}"
        args = [client_path(), "compile", str(model), "-o", str(out_dir)]
        if local:
            args.append("--local")
        proc = subprocess.run(args + [str(f) for f in flags], capture_output=True, text=True,
                              timeout=300)
        return Compiled(proc, out_dir)

    return run


@pytest.fixture
def models_dir():
    path = os.environ.get("RAMIEL_MODELS_DIR")
    if not path or not os.path.isdir(path):
        pytest.fail("RAMIEL_MODELS_DIR must hold the exported reference models (ctest fixture)")
    return path
