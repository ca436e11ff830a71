"""Fixtures of the operator suites: build a model with onnx.helper, compile it with the real
`ramiel-client compile --local`, run the generated program.

Needs RAMIEL_CLIENT (the built client); ctest sets it.
"""
import importlib.util
import os
import subprocess
import uuid

import numpy as np
import onnx
import pytest
import torch

CLIENT = os.environ.get("RAMIEL_CLIENT", "")

# torch 1.13 lacks uint16/32/64: programs take and return them in a signed carrier, uint16 in
# int32 and uint32 in int64 holding the same values, uint64 in int64 holding the same bits.
def carried(array):
    """A numpy array as the program takes or returns it, as a torch tensor."""
    array = np.asarray(array)
    if array.dtype == np.uint64:
        array = array.view(np.int64)
    elif array.dtype in (np.uint16, np.uint32):
        array = array.astype(np.int32 if array.dtype == np.uint16 else np.int64)
    return torch.from_numpy(array.copy())  # a contiguous copy that keeps rank 0


def compile_model(model, directory, name=None, options=()):
    """Writes `model` under `directory`, compiles it for 2 workers (and `options`, more
    ramiel-client compile flags); returns (onnx path, program module). A refusal or compiler
    error fails the test with the client's message."""
    if not CLIENT or not os.path.exists(CLIENT):
        pytest.fail("set RAMIEL_CLIENT to the ramiel-client binary (ctest does)")
    name = name or model.graph.name or "model"
    onnx_path = os.path.join(str(directory), name + ".onnx")
    onnx.save(model, onnx_path)
    out = os.path.join(str(directory), name + "_program")
    result = subprocess.run([CLIENT, "compile", onnx_path, "-o", out, "--local", "--workers", "2",
                             "-q", *options], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr or result.stdout
    spec = importlib.util.spec_from_file_location("ramiel_program_" + uuid.uuid4().hex,
                                                  os.path.join(out, "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return onnx_path, module


def refusal(model, directory, name="refused"):
    """Compiles `model`, which the compiler must refuse as unsupported (exit code 3); returns
    the client's message."""
    path = os.path.join(str(directory), name + ".onnx")
    with open(path, "wb") as f:
        f.write(model.SerializeToString())  # as built: no checks on the way
    result = subprocess.run([CLIENT, "compile", path, "-o", os.path.join(str(directory), name),
                             "--local"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 3, result.stderr or result.stdout
    return result.stderr


def run_program(model, directory, inputs, name=None):
    """Compiles `model` and runs its program on `inputs` (numpy arrays, in the graph's input
    order) serially and with the schedule's workers; returns the serial outputs as numpy arrays
    after checking the parallel run gave the same."""
    onnx_path, module = compile_model(model, directory, name)
    tensors = [carried(array) for array in inputs]
    results = []
    for workers in (1, None):
        with module.load(onnx_path, workers=workers) as program:
            results.append(program(*[t.clone() for t in tensors]))
    for serial, parallel in zip(*results):
        assert torch.equal(serial, parallel), "the parallel run differs from the serial one"
    return [t.numpy() for t in results[0]]


def assert_close(expected, actual, rtol=1e-5, atol=1e-6):
    expected = carried(expected).numpy()
    assert actual.dtype == expected.dtype, "dtype %s, expected %s" % (actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, "shape %s, expected %s" % (actual.shape, expected.shape)
    if expected.dtype.kind == "f":
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)
    else:
        np.testing.assert_array_equal(actual, expected)
