"""End to end: `ramiel-client compile MODEL.onnx -o OUT --local` writes OUT/model.py, which
computes what PyTorch computed for the reference models (tests/models/export_models.py).

Needs RAMIEL_CLIENT (the built client) and RAMIEL_MODELS_DIR (the exported models); ctest
provides both once the client exists.
"""
import os
import subprocess

import pytest
import torch

from conftest import PYTHON, import_program

MODELS = ["googlenet", "inception_v3", "squeezenet1_0", "resnet50", "densenet121", "transformer"]


def environment():
    client = os.environ.get("RAMIEL_CLIENT", "")
    models = os.environ.get("RAMIEL_MODELS_DIR", "")
    if not os.path.exists(client) or not os.path.isdir(models):
        pytest.fail("RAMIEL_CLIENT and RAMIEL_MODELS_DIR must be set (ctest does)")
    return client, models


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    """name -> (onnx path, program directory), compiled once for 2 workers."""
    client, models = environment()
    out = tmp_path_factory.mktemp("e2e")
    cache = {}

    def get(name):
        if name not in cache:
            onnx_path = os.path.join(models, name + ".onnx")
            target = out / name
            result = subprocess.run([client, "compile", onnx_path, "-o", str(target), "--local",
                                     "--workers", "2"], capture_output=True, text=True,
                                    timeout=600)
            assert result.returncode == 0, result.stderr
            cache[name] = (onnx_path, str(target))
        return cache[name]

    return get


def reference(name):
    _, models = environment()
    inputs = torch.load(os.path.join(models, name + ".input.pt"))
    expected = torch.load(os.path.join(models, name + ".expected.pt"))
    inputs = tuple(inputs) if isinstance(inputs, (list, tuple)) else (inputs,)
    expected = tuple(expected) if isinstance(expected, (list, tuple)) else (expected,)
    return inputs, expected


def close_enough(actual, expected):
    scale = max(expected.abs().max().item(), 1.0)
    return (actual - expected).abs().max().item() <= 1e-4 * scale


@pytest.mark.parametrize("name", MODELS)
def test_program_sits_next_to_the_schedule_and_checks_itself(programs, name):
    onnx_path, directory = programs(name)
    assert sorted(f for f in os.listdir(directory) if f in ("model.py", "schedule.json")) == [
        "model.py", "schedule.json"]
    result = subprocess.run([PYTHON, os.path.join(directory, "model.py"), "--onnx", onnx_path,
                             "--check"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check: passed" in result.stdout


@pytest.mark.parametrize("name", MODELS)
def test_program_computes_what_pytorch_computed(programs, name):
    onnx_path, directory = programs(name)
    module = import_program(os.path.join(directory, "model.py"))
    inputs, expected = reference(name)
    for workers in (1, None):
        with module.load(onnx_path, workers=workers) as program:
            outputs = program(*inputs)
        assert len(outputs) == len(expected)
        for a, e in zip(outputs, expected):
            assert a.shape == e.shape
            assert close_enough(a, e), "%s, workers=%s: max |diff| %g" % (
                name, workers, (a - e).abs().max().item())


@pytest.mark.parametrize("name", ["googlenet", "transformer"])
def test_process_mode_on_reference_models(programs, name):
    onnx_path, directory = programs(name)
    module = import_program(os.path.join(directory, "model.py"))
    inputs, expected = reference(name)
    with module.load(onnx_path, mode="process") as program:
        for a, e in zip(program(*inputs), expected):
            assert close_enough(a, e)
