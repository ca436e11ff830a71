"""Fixtures of the code generator's Python suite: compile small models, import the programs.

The programs are compiled by ramiel_codegen_tool (path in RAMIEL_CODEGEN_TOOL), which imports
an ONNX file and schedules it by hand (clusters listed by node name).
"""
import importlib.util
import os
import shutil
import subprocess
import sys
import uuid

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

TOOL = os.environ.get("RAMIEL_CODEGEN_TOOL", "")
PYTHON = sys.executable


def compile_model(model, directory, clusters=None, fold=False, threads=None):
    """Writes `model` to directory/<name>.onnx and compiles it; returns (onnx path, model.py).
    `threads`: each cluster's intra-op threads ("2,1,1"), Schedule::cluster_threads."""
    if not TOOL or not os.path.exists(TOOL):
        pytest.fail("set RAMIEL_CODEGEN_TOOL to the ramiel_codegen_tool binary (ctest does)")
    onnx_path = model.write(str(directory))
    out = os.path.join(str(directory), model.name + ("_folded" if fold else "") + "_program")
    command = [TOOL, "--onnx", onnx_path, "--out", out,
               "--clusters", model.clusters if clusters is None else clusters]
    if fold:
        command.append("--fold-initializers")
    if threads:
        command += ["--threads", threads]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return onnx_path, os.path.join(out, "model.py")


def import_program(path):
    """Imports a generated model.py as a fresh module (not registered in sys.modules)."""
    spec = importlib.util.spec_from_file_location("ramiel_program_" + uuid.uuid4().hex, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_variant(program_path, directory, name, source):
    """Writes `source`, a changed copy of the model.py at `program_path`, to directory/name,
    beside a copy of the ramiel_runtime.py it imports; returns the new file's path."""
    runtime = os.path.join(os.path.dirname(program_path), "ramiel_runtime.py")
    shutil.copy(runtime, os.path.join(str(directory), "ramiel_runtime.py"))
    path = os.path.join(str(directory), name)
    with open(path, "w") as f:
        f.write(source)
    return path


class Compiled:
    def __init__(self, model, onnx_path, program_path):
        self.model = model
        self.onnx = onnx_path
        self.path = program_path
        self.module = import_program(program_path)


@pytest.fixture(scope="session")
def compiled(tmp_path_factory):
    """name -> Compiled, for every model in models.ALL (compiled once per session)."""
    directory = tmp_path_factory.mktemp("programs")
    cache = {}

    def get(name, fold=False):
        key = (name, fold)
        if key not in cache:
            model = models.by_name(name)
            cache[key] = Compiled(model, *compile_model(model, directory, fold=fold))
        return cache[key]

    return get


def assert_outputs_match(expected, actual, rtol=1e-4, atol=1e-5):
    assert len(expected) == len(actual)
    for index, (e, a) in enumerate(zip(expected, actual)):
        assert a.shape == e.shape, "output %d: shape %s, expected %s" % (index, a.shape, e.shape)
        assert a.dtype == e.dtype, "output %d: dtype %s, expected %s" % (index, a.dtype, e.dtype)
        if e.dtype.is_floating_point:
            assert (a - e).abs().max().item() <= atol + rtol * e.abs().max().item(), \
                "output %d differs by %g" % (index, (a - e).abs().max().item())
        else:
            assert (a == e).all(), "output %d differs" % index


def run_python(code, timeout=180):
    """Runs `code` in a fresh interpreter (a hang becomes a test failure, not a stuck suite)."""
    try:
        return subprocess.run([PYTHON, "-c", code], capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as error:
        pytest.fail("timed out after %ss (a hang?): %s" % (timeout, error.stdout))
