"""End to end: `ramiel-client compile MODEL.onnx -o OUT --local` writes OUT/model.py, which
computes what PyTorch computed for the reference models (tests/models/export_models.py).

Needs RAMIEL_CLIENT (the built client) and RAMIEL_MODELS_DIR (the exported models); ctest
provides both once the client exists.
"""
import json
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


# Device profiles that shape the schedule, so every kind of program is checked: the default
# (this machine's), one core (narrow clusters only, one per worker), and weak intra-op
# scaling (staged: serial stretches on a wide worker with every core, branches on narrow ones).
PROFILES = {
    "default": None,
    "narrow": {"cores": 1},
    "staged": {"intra_op_efficiency": 0.5, "intra_op_half_us": 300, "co_run_slowdown": 1},
}


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    """(name, profile) -> (onnx path, program directory), compiled once for 2 workers."""
    client, models = environment()
    out = tmp_path_factory.mktemp("e2e")
    cache = {}

    def get(name, profile="default"):
        if (name, profile) not in cache:
            onnx_path = os.path.join(models, name + ".onnx")
            target = out / profile / name
            command = [client, "compile", onnx_path, "-o", str(target), "--local", "--workers", "2"]
            if PROFILES[profile] is not None:
                profile_path = out / (profile + ".json")
                profile_path.write_text(json.dumps(PROFILES[profile]))
                command += ["--device-profile", str(profile_path)]
            result = subprocess.run(command, capture_output=True, text=True, timeout=600)
            assert result.returncode == 0, result.stderr
            cache[(name, profile)] = (onnx_path, str(target))
        return cache[(name, profile)]

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


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("name", MODELS)
def test_program_computes_what_pytorch_computed(programs, name, profile):
    """Serially, with the schedule's workers in threads, and in processes when it has more than
    one cluster: the same outputs as PyTorch's own, within 1e-4 of the output's scale."""
    onnx_path, directory = programs(name, profile)
    module = import_program(os.path.join(directory, "model.py"))
    inputs, expected = reference(name)
    runs = [(1, "thread"), (None, "thread")]
    if len(module.CLUSTERS) > 1:
        runs.append((None, "process"))
    for workers, mode in runs:
        with module.load(onnx_path, workers=workers, mode=mode) as program:
            outputs = program(*inputs)
        assert len(outputs) == len(expected)
        for a, e in zip(outputs, expected):
            assert a.shape == e.shape
            assert close_enough(a, e), "%s (%s profile), workers=%s, %s: max |diff| %g" % (
                name, profile, workers, mode, (a - e).abs().max().item())


@pytest.mark.parametrize("name", ["googlenet", "inception_v3"])
def test_profiles_give_parallel_schedules(programs, name):
    """The narrow and staged profiles really exercise the parallel drivers on these models."""
    for profile in ("narrow", "staged"):
        _, directory = programs(name, profile)
        with open(os.path.join(directory, "schedule.json")) as f:
            schedule = json.load(f)
        assert len(schedule["clusters"]) >= 2, profile
        staged = any(c["kind"] == "wide" for c in schedule["clusters"])
        with open(os.path.join(directory, "model.py")) as f:
            source = f.read()
        # Staged programs keep the wide worker's idle OpenMP threads from spinning.
        assert ('os.environ.setdefault("GOMP_SPINCOUNT"' in source) == staged, profile
