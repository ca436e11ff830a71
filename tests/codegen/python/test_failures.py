"""Failures reach the caller as clear exceptions, and nothing hangs (each case runs in a
subprocess with a timeout, so a hang fails the test instead of stalling the suite)."""
import os
import shutil
import subprocess
import textwrap

import pytest

import models
from conftest import TOOL, run_python, write_variant

FAILING_CALL = """
import importlib.util, sys, torch
spec = importlib.util.spec_from_file_location("program", {path!r})
program = importlib.util.module_from_spec(spec)
spec.loader.exec_module(program)
with program.load({onnx!r}, workers={workers}, mode={mode!r}) as p:
    x = torch.ones(3, 2)
    for attempt in range(2):  # the program must stay usable after a failure
        try:
            p(torch.tensor([0, 7, 1]), x)
        except program.NodeError as error:
            print("ERROR", error.node, error.op, error.worker, "|", error)
        else:
            print("NO ERROR")
        good = p(torch.tensor([0, 3, 1]), x)[0]
        print("GOOD", good[1].tolist())
"""


@pytest.mark.parametrize("mode,workers", [("thread", 1), ("thread", None), ("process", None)])
def test_a_failing_node_is_named_and_nobody_hangs(compiled, mode, workers):
    program = compiled("lookup")
    result = run_python(FAILING_CALL.format(path=program.path, onnx=program.onnx,
                                            workers=workers, mode=mode))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    errors = [line for line in lines if line.startswith("ERROR")]
    assert len(errors) == 2, result.stdout
    for line in errors:
        assert line.startswith("ERROR embedding_lookup Gather 0 |"), line
        assert "node 'embedding_lookup' (Gather) failed on worker 0: IndexError" in line, line
    # 1 + table row 3 = [1 + 6, 1 + 7]: the run after each failure is right.
    assert lines.count("GOOD [7.0, 8.0]") == 2, result.stdout


def test_the_original_exception_is_chained_in_thread_mode(compiled):
    program = compiled("lookup")
    import torch
    with program.module.load(program.onnx) as p:
        with pytest.raises(program.module.NodeError) as caught:
            p(torch.tensor([0, -9, 1]), torch.ones(3, 2))
    assert isinstance(caught.value.__cause__, IndexError)
    assert caught.value.node == "embedding_lookup"


def test_a_worker_process_that_dies_is_an_error_not_a_hang(compiled):
    program = compiled("lookup")
    code = textwrap.dedent("""
        import importlib.util, os, signal, torch
        spec = importlib.util.spec_from_file_location("program", {path!r})
        program = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(program)
        p = program.load({onnx!r}, mode="process")
        os.kill(p._runner._processes[1].pid, signal.SIGKILL)
        try:
            p(torch.tensor([0, 1, 2]), torch.ones(3, 2))
        except RuntimeError as error:
            print("ERROR", error)
        try:
            p(torch.tensor([0, 1, 2]), torch.ones(3, 2))
        except RuntimeError as error:
            print("AGAIN", error)
        p.close()
    """).format(path=program.path, onnx=program.onnx)
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert "ERROR worker process 1 died during a run" in result.stdout, result.stdout
    assert "AGAIN this program cannot run any more" in result.stdout, result.stdout


def test_a_different_model_file_is_refused(compiled, tmp_path):
    program = compiled("branches")
    other = compiled("chain")
    with pytest.raises(program.module.ModelMismatchError) as caught:
        program.module.load(other.onnx)
    message = str(caught.value)
    assert program.module.MODEL_SHA256 in message
    assert "is not the model this program was compiled from" in message
    # One flipped byte is enough.
    changed = tmp_path / "changed.onnx"
    data = bytearray(open(program.onnx, "rb").read())
    data[-1] ^= 1
    changed.write_bytes(bytes(data))
    with pytest.raises(program.module.ModelMismatchError):
        program.module.load(str(changed))


def test_a_missing_weight_is_named(compiled, tmp_path):
    # The right bytes under a name the program does not know cannot happen with a matching
    # sha256, so pretend: point the program at a copy whose initializer was renamed.
    program = compiled("lookup")
    import onnx
    model = onnx.load(program.onnx)
    model.graph.initializer[0].name = "renamed"
    path = tmp_path / "renamed.onnx"
    onnx.save(model, str(path))
    module = program.module
    saved = module.MODEL_SHA256
    module.MODEL_SHA256 = module.ramiel._sha256_of(str(path))
    try:
        with pytest.raises(module.ModelMismatchError, match="no initializer or Constant named 'table'"):
            module.load(str(path))
    finally:
        module.MODEL_SHA256 = saved


def test_the_program_needs_its_own_runtime_beside_it(compiled, tmp_path):
    # model.py imports ramiel_runtime.py from its own directory, and only the version it was
    # compiled with: either missing or another version is a clear error, before any torch work.
    program = compiled("chain")
    source = open(program.path).read()
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "model.py").write_text(source)
    result = run_python("import runpy; runpy.run_path(%r, run_name='__main__')"
                        % str(alone / "model.py"))
    assert result.returncode != 0
    assert "needs %s, which its compile wrote beside it" % (alone / "ramiel_runtime.py") in \
        result.stderr
    other = tmp_path / "other"
    other.mkdir()
    path = write_variant(program.path, other, "model.py", source)
    runtime = other / "ramiel_runtime.py"
    runtime.write_text(runtime.read_text().replace('RUNTIME_VERSION = "', 'RUNTIME_VERSION = "old-', 1))
    result = run_python("import importlib.util\n"
                        "spec = importlib.util.spec_from_file_location('p', %r)\n"
                        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n" % path)
    assert result.returncode != 0
    assert "is runtime old-" in result.stderr and "keep the files of one compile together" in \
        result.stderr


def test_a_hand_schedule_that_would_deadlock_is_refused_not_written(tmp_path):
    """c before a on one worker, b on the other: each would wait for the other. The code
    generator checks only coverage; the tool asks the scheduler's simulation (schedule/)."""
    if not TOOL or not os.path.exists(TOOL):
        pytest.fail("set RAMIEL_CODEGEN_TOOL to the ramiel_codegen_tool binary (ctest does)")
    onnx_path = models.by_name("chain").write(str(tmp_path))
    out = tmp_path / "program"
    result = subprocess.run([TOOL, "--onnx", onnx_path, "--out", str(out), "--clusters", "c,a;b;d"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "schedule deadlocks: node 0 ('a')" in result.stderr, result.stderr
    assert not out.exists()
