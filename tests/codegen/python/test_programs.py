"""Generated programs compute what a direct torch computation does, in every mode."""
import os
import subprocess
import threading

import pytest
import torch

from conftest import PYTHON, assert_outputs_match

# workers=None: one worker per cluster (the schedule's count); 1: serial.
MODES = [("thread", 1), ("thread", None), ("process", 1), ("process", None)]


@pytest.mark.parametrize("name", ["branches", "encoder", "ops", "chain", "layout"])
@pytest.mark.parametrize("mode,workers", MODES)
def test_matches_direct_torch(compiled, name, mode, workers):
    program = compiled(name)
    inputs = program.model.inputs(0)
    expected = program.model.reference(program.model.weights(), *inputs)
    with program.module.load(program.onnx, workers=workers, mode=mode) as p:
        assert p.workers == (workers or len(program.module.CLUSTERS))
        assert p.mode == (mode if workers is None else "serial")
        assert_outputs_match(expected, p(*inputs))
        # Reusable: a second run with other inputs gives the other answer.
        other = program.model.inputs(1)
        assert_outputs_match(program.model.reference(program.model.weights(), *other), p(*other))


def test_every_cluster_gets_a_worker_by_default(compiled):
    program = compiled("encoder")
    with program.module.load(program.onnx) as p:
        assert p.workers == len(program.module.CLUSTERS) == 3
        assert p.mode == "thread"


def test_folded_constants_are_carried_by_the_program(compiled):
    program = compiled("encoder", fold=True)
    source = open(program.path).read()
    assert "MODEL_CONSTANTS = {}" in source  # nothing left to load from the file
    assert "tensor_from_base64(" in source   # the larger weights travel as base64
    assert '"bq": torch.tensor(\n            [\n                -0.83898413, 0.13454053,' in source
    assert "heads_shape" not in source  # read at compile time: q1.reshape(1, 8, 2, 8)
    inputs = program.model.inputs(0)
    expected = program.model.reference(program.model.weights(), *inputs)
    for mode in ("thread", "process"):
        with program.module.load(program.onnx, workers=3, mode=mode) as p:
            assert_outputs_match(expected, p(*inputs))


def test_clusters_share_fewer_workers_when_they_depend_one_way(compiled):
    program = compiled("ops")
    inputs = program.model.inputs(0)
    expected = program.model.reference(program.model.weights(), *inputs)
    with program.module.load(program.onnx, workers=2) as p:
        assert p.workers == 2
        assert_outputs_match(expected, p(*inputs))


def test_clusters_passing_both_ways_need_a_worker_each(compiled):
    program = compiled("chain")
    with pytest.raises(ValueError, match="pass tensors to each other both ways"):
        program.module.load(program.onnx, workers=2)
    with program.module.load(program.onnx, workers=99) as p:
        assert p.workers == 3  # never more workers than clusters


def test_threads_per_worker_fit_the_cores(compiled):
    program = compiled("branches")
    cores = len(os.sched_getaffinity(0))
    with program.module.load(program.onnx, workers=2) as p:
        assert p.threads == max(1, cores // 2)
    with program.module.load(program.onnx, workers=1) as p:
        assert p.threads == cores
    with program.module.load(program.onnx, workers=2, threads=3) as p:
        assert p.threads == 3


def test_inputs_are_checked(compiled):
    program = compiled("lookup")
    with program.module.load(program.onnx) as p:
        ids, x = program.model.inputs(0)
        with pytest.raises(TypeError, match="takes 2 input tensors"):
            p(ids)
        with pytest.raises(TypeError, match="input 'ids' must be torch.int64"):
            p(ids.to(torch.int32), x)
        with pytest.raises(ValueError, match="input 'x' must have shape \\[3, 2\\]"):
            p(ids, x.reshape(2, 3))
        with pytest.raises(TypeError, match="must be a torch.Tensor"):
            p(ids, x.tolist())


def test_closed_programs_refuse_to_run(compiled):
    program = compiled("branches")
    p = program.module.load(program.onnx)
    p.close()
    p.close()  # closing twice is fine
    with pytest.raises(RuntimeError, match="closed"):
        p(*program.model.inputs(0))


def test_concurrent_callers_are_serialised(compiled):
    program = compiled("encoder")
    results = {}
    with program.module.load(program.onnx) as p:
        def call(seed):
            inputs = program.model.inputs(seed)
            results[seed] = (p(*inputs), program.model.reference(program.model.weights(), *inputs))

        callers = [threading.Thread(target=call, args=(seed,)) for seed in range(4)]
        for t in callers:
            t.start()
        for t in callers:
            t.join()
    assert sorted(results) == [0, 1, 2, 3]
    for actual, expected in results.values():
        assert_outputs_match(expected, actual)


def test_process_mode_from_a_script_without_main_guard(compiled, tmp_path):
    # Spawned workers must not run the caller's script again (it has no __main__ guard here).
    program = compiled("chain")
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import importlib.util, torch\n"
        "spec = importlib.util.spec_from_file_location('program', %r)\n"
        "program = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(program)\n"
        "print('script ran')\n"
        "with program.load(%r, mode='process') as p:\n"
        "    print(p.workers, p(torch.ones(3, 4))[0].sum().item())\n" % (program.path, program.onnx))
    result = subprocess.run([PYTHON, str(script)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["script ran", "3 12.0"]


@pytest.mark.parametrize("workers", [1, None])
def test_runtime_helpers_follow_onnx(compiled, workers):
    # Reshape and Unsqueeze of run-time arguments, Gather of negative indices, Slice with a
    # negative step, Expand to a run-time shape.
    program = compiled("helpers")
    inputs = program.model.inputs(0)
    expected = program.model.reference(program.model.weights(), *inputs)
    with program.module.load(program.onnx, workers=workers) as p:
        assert_outputs_match(expected, p(*inputs))


def test_process_mode_needs_static_shapes(compiled):
    program = compiled("helpers")
    with pytest.raises(ValueError, match="process mode needs static shapes, and 'expanded' has none"):
        program.module.load(program.onnx, mode="process")
