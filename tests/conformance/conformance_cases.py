# The conformance cases: where they live, what they read and expect, and how outputs compare.
#
# A case is a directory with model.onnx and test_data_set_*/{input,output}_N.pb (ONNX
# TensorProtos). Shared by the orchestrator (run_conformance.py) and the worker processes that
# run the generated programs (conformance_worker.py).
import os
import re

DEFAULT_DATA_DIR = "/usr/share/libonnx-testdata/data/node"

# ONNX's tolerance for its backend tests, as the issue asks.
RTOL = 1e-3
ATOL = 1e-5


def list_cases(data_dir, pattern=None):
    """Case names (directory names) in sorted order, optionally only those matching a regex."""
    names = sorted(n for n in os.listdir(data_dir)
                   if os.path.isfile(os.path.join(data_dir, n, "model.onnx")))
    if pattern:
        regex = re.compile(pattern)
        names = [n for n in names if regex.search(n)]
    return names


def data_sets(case_dir):
    """The test_data_set_N directories of a case, in numeric order."""
    sets = [d for d in os.listdir(case_dir) if d.startswith("test_data_set_")]
    return [os.path.join(case_dir, d) for d in sorted(sets, key=lambda d: int(d.rsplit("_", 1)[1]))]


def numbered_files(data_set, prefix):
    """input_0.pb, input_1.pb, ... (or output_N.pb) in numeric order."""
    files = [f for f in os.listdir(data_set) if f.startswith(prefix + "_") and f.endswith(".pb")]
    return [os.path.join(data_set, f)
            for f in sorted(files, key=lambda f: int(f[len(prefix) + 1:-3]))]


def _snake(op_type):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", op_type).lower()


def _op_types(graph, out):
    for node in graph.node:
        out.append(node.op_type)
        for attribute in node.attribute:
            if attribute.HasField("g"):
                _op_types(attribute.g, out)
            for sub in attribute.graphs:
                _op_types(sub, out)
    return out


def case_ops(model):
    """The op types of a model's nodes, subgraphs included, first appearance first."""
    seen = []
    for op in _op_types(model.graph, []):
        if op not in seen:
            seen.append(op)
    return seen


def primary_op(case, ops, sibling_op=None):
    """The operator a case tests, for the report's per-op table. Expanded cases (the op written
    as a function of simpler ops) count for the op of the case they expand; otherwise the one
    op that is not a Constant, or the op whose snake_case name best matches the case name."""
    if sibling_op:
        return sibling_op
    real = [op for op in ops if op != "Constant"] or ops
    if len(real) == 1:
        return real[0]
    stem = case[len("test_"):] if case.startswith("test_") else case

    def shared_prefix(op):
        snake = _snake(op)
        n = 0
        while n < min(len(snake), len(stem)) and snake[n] == stem[n]:
            n += 1
        return n

    return max(real, key=shared_prefix) if real else "?"


def compare(expected, actual, rtol=RTOL, atol=ATOL):
    """None when `actual` (a numpy array from the program) matches `expected` (from the .pb):
    same dtype, same shape, values within tolerance with NaNs equal; else what differs."""
    import numpy as np

    if actual.dtype != expected.dtype:
        return "dtype %s, expected %s" % (actual.dtype, expected.dtype)
    if actual.shape != expected.shape:
        return "shape %s, expected %s" % (list(actual.shape), list(expected.shape))
    if expected.size == 0:
        return None
    if expected.dtype.kind in "fc":
        close = np.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        close = actual == expected
    if close.all():
        return None
    bad = int((~close).sum())
    where = tuple(int(i) for i in np.argwhere(~close)[0])
    return "%d of %d values differ (first at %s: got %r, expected %r)" % (
        bad, expected.size, list(where), actual[where].item(), expected[where].item())


def open_input_shapes(model, case_dir):
    """`NAME=DIMxDIM...` for each tensor input whose declared shape leaves a dim open (a
    dim_param or no value), from the test data when all its data sets agree: as a user
    compiles for the shapes they run (ramiel-client --input-shape), where the compiler would
    otherwise bind an open dim to 1."""
    import onnx  # the orchestrator imports onnx late, after the variants are made

    initializers = {tensor.name for tensor in model.graph.initializer}
    inputs = [value for value in model.graph.input if value.name not in initializers]
    bindings = []
    for index, value in enumerate(inputs):
        tensor_type = value.type.tensor_type if value.type.HasField("tensor_type") else None
        if tensor_type is None or not tensor_type.HasField("shape") or all(
                dim.HasField("dim_value") for dim in tensor_type.shape.dim):
            continue
        shapes = set()
        for data_set in data_sets(case_dir):
            path = os.path.join(data_set, "input_%d.pb" % index)
            if not os.path.isfile(path):
                break
            proto = onnx.TensorProto()
            with open(path, "rb") as f:
                proto.ParseFromString(f.read())
            shapes.add(tuple(proto.dims))
        if len(shapes) == 1:
            dims = shapes.pop()
            if dims and all(dim > 0 for dim in dims):
                bindings.append("%s=%s" % (value.name, "x".join(str(dim) for dim in dims)))
    return bindings
