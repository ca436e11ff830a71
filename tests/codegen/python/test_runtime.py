"""What the runtime does for speed keeps the program's answers and promises: conv nets run
channels-last in the layouts the program announces, each worker keeps the intra-op thread count
the schedule gave its cluster, and in-place ops never touch a tensor anyone else can see."""
import os
import re
import subprocess

import pytest
import torch
import torch.nn.functional as F

import models
from conftest import PYTHON, compile_model, import_program, write_variant

CHANNELS_LAST = torch.channels_last


def test_conv_weights_are_loaded_channels_last(compiled):
    program = compiled("layout")
    module = program.module
    assert sorted(module.CHANNELS_LAST_CONSTANTS) == ["wa", "wb"]
    assert module.TRANSFERS["x"][2] == CHANNELS_LAST  # converted once, at the entry
    for mode in ("thread", "process"):
        with module.load(program.onnx, mode=mode) as p:
            for name in ("wa", "wb"):  # (wb is 1x1: both layouts at once)
                assert getattr(p.constants, name).is_contiguous(memory_format=CHANNELS_LAST)
            assert not p.constants.wa.is_contiguous()
            assert p.constants.fc_weight.is_contiguous()


def test_tensors_have_the_layouts_the_program_announces(compiled):
    # TRANSFERS says which layout each tensor crossing workers arrives in (process mode sizes
    # its shared buffers by it); the tensors torch makes must agree, views of channels-last
    # tensors (split, slice) included.
    program = compiled("layout")
    module = program.module
    inputs = program.model.inputs(0)
    expected_formats = {"b": CHANNELS_LAST, "r1": CHANNELS_LAST, "ap": CHANNELS_LAST,
                        "cat": CHANNELS_LAST, "rt": torch.contiguous_format,
                        "y": torch.contiguous_format}
    for key, memory_format in expected_formats.items():
        assert module.TRANSFERS[key][2] == memory_format, key
    with module.load(program.onnx) as p:
        values = p._runner.run(p._check_inputs(inputs), None)
    for key, memory_format in expected_formats.items():
        assert values[key].is_contiguous(memory_format=memory_format), key
    with module.load(program.onnx, mode="process") as p:
        buffers = p._runner._buffers
        assert set(buffers) >= {"b", "r1", "ap", "y"}
        for key, buffer in buffers.items():
            assert buffer.is_contiguous(memory_format=module.TRANSFERS[key][2]), key
        # ... and what comes back through them is still right.
        expected = program.model.reference(program.model.weights(), *inputs)
        for e, a in zip(expected, p(*inputs)):
            assert torch.allclose(e, a, rtol=1e-4, atol=1e-5)


def test_in_place_ops_leave_inputs_views_and_sent_tensors_alone(compiled):
    program = compiled("layout")
    source = open(program.path).read()
    assert "ar = F.relu(a, inplace=True)" in source  # a: fresh, read once, on its worker
    assert "r1 = F.relu(s1)\n" in source  # s1 is a view of ar, which s2 shares
    assert "br = F.relu(b)\n" in source  # b comes from the other worker
    assert "sum_ = br.add_(ap)" in source  # br is private, ap was sent
    inputs = program.model.inputs(0)
    original = [t.clone() for t in inputs]
    weights = program.model.weights()
    for mode, workers in (("thread", None), ("thread", 1), ("process", None)):
        with program.module.load(program.onnx, mode=mode, workers=workers) as p:
            values = p._runner.run(p._check_inputs(inputs), None)
            if mode == "thread" and workers is None:
                # conv_b's output went to the other worker before relu_b read it: unchanged.
                b = F.conv2d(inputs[0], weights["wb"])
                assert (values["b"] < 0).any() and torch.allclose(values["b"], b, atol=1e-6)
        for before, after in zip(original, inputs):
            assert torch.equal(before, after), "an input was overwritten (%s)" % mode


def _reporting_copy(path, directory):
    """model.py whose cluster functions (and run_serial) first write their worker's intra-op
    thread count to RAMIEL_THREADS_REPORT/<function>; on the docstring's line, so that the
    lines of nodes do not move."""
    source = open(path).read()
    report = ('; open(os.path.join(os.environ["RAMIEL_THREADS_REPORT"], "{0}"), "w")'
              '.write(str(torch.get_num_threads()))')
    patched, count = re.subn(
        r'(def (cluster_\d+|run_serial)\(c, io\):\n    """[^\n]*""")',
        lambda m: m.group(1) + report.format(m.group(2)), source)
    assert count >= 2
    return write_variant(path, directory, "reporting.py", patched)


def _thread_counts(copy, onnx_path, report_dir, **options):
    code = ("import importlib.util, json, os, sys\n"
            "spec = importlib.util.spec_from_file_location('program', %r)\n"
            "program = importlib.util.module_from_spec(spec)\n"
            "spec.loader.exec_module(program)\n"
            "with program.load(%r, **%r) as p:\n"
            "    inputs = program.ramiel.random_inputs(program.MODEL, 0)\n"
            "    p(*inputs)\n"
            "    p(*inputs)\n"
            "    print(json.dumps(p.worker_threads))\n" % (copy, onnx_path, options))
    for name in os.listdir(report_dir):
        os.remove(os.path.join(report_dir, name))
    env = dict(os.environ, RAMIEL_THREADS_REPORT=str(report_dir))
    result = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=300,
                            env=env)
    assert result.returncode == 0, result.stderr
    seen = {}
    for name in os.listdir(report_dir):
        with open(os.path.join(report_dir, name)) as f:
            seen[name] = int(f.read())
    return seen, result.stdout.strip()


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_each_cluster_runs_with_the_schedules_thread_count(tmp_path, mode):
    # encoder's three clusters: a wide one (2 threads, at most the cores) and two narrow ones.
    cores = len(os.sched_getaffinity(0))
    wide = min(2, cores)
    onnx_path, path = compile_model(models.by_name("encoder"), tmp_path, threads="2,1,1")
    assert import_program(path).CLUSTER_THREADS == (2, 1, 1)
    copy = _reporting_copy(path, tmp_path)
    report = tmp_path / "report"
    report.mkdir()
    seen, _ = _thread_counts(copy, onnx_path, report, mode=mode)
    assert seen == {"cluster_0": wide, "cluster_1": 1, "cluster_2": 1}
    # An explicit count replaces the narrow clusters' (on one core nothing is wide).
    seen, _ = _thread_counts(copy, onnx_path, report, mode=mode, threads=3)
    assert seen == {"cluster_0": wide if wide > 1 else 3, "cluster_1": 3, "cluster_2": 3}


def test_serial_runs_use_every_core_and_no_table_divides_them(tmp_path):
    cores = len(os.sched_getaffinity(0))
    onnx_path, path = compile_model(models.by_name("encoder"), tmp_path)
    assert import_program(path).CLUSTER_THREADS == ()
    copy = _reporting_copy(path, tmp_path)
    report = tmp_path / "report"
    report.mkdir()
    seen, workers = _thread_counts(copy, onnx_path, report, workers=1)
    assert seen == {"run_serial": cores} and workers == "[%d]" % cores
    seen, _ = _thread_counts(copy, onnx_path, report)
    assert seen == {"cluster_%d" % c: max(1, cores // 3) for c in range(3)}
