"""uint16, uint32 and uint64, which torch 1.13 lacks, through their carriers (conftest.carried):
arithmetic wraps modulo 2^n as ONNX says, right shifts are logical, casts wrap, and constants of
those types (read from the model file or folded by the compiler) hold the right values.
References are numpy's own unsigned arithmetic."""
import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

from conftest import assert_close, run_program

ONNX_TYPES = {np.uint16: TensorProto.UINT16, np.uint32: TensorProto.UINT32,
              np.uint64: TensorProto.UINT64, np.int32: TensorProto.INT32,
              np.float32: TensorProto.FLOAT}


def tensor(name, dtype, shape):
    return helper.make_tensor_value_info(name, ONNX_TYPES[dtype], shape)


def model(name, nodes, inputs, outputs, initializers=(), opset=14):  # 14: Add of uint16
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def near_top(dtype):
    """Values at both ends of the type's range, so sums, differences and products wrap."""
    top = np.iinfo(dtype).max
    return np.array([top, top - 1, top // 2 + 3, 0, 1, 12345], dtype=dtype)


@pytest.mark.parametrize("dtype", [np.uint16, np.uint32, np.uint64])
def test_arithmetic_and_shifts_wrap(dtype, tmp_path):
    a = near_top(dtype)
    b = np.array([2, dtype(np.iinfo(dtype).max), 7, 1, 0, 3], dtype=dtype)
    shift = np.array([0, 1, 7, 15, 3, 9], dtype=dtype)
    ops = [("Add", "sum", ["a", "b"], {}), ("Sub", "difference", ["a", "b"], {}),
           ("Mul", "product", ["a", "b"], {}),
           ("BitShift", "left", ["a", "s"], {"direction": "LEFT"}),
           ("BitShift", "right", ["a", "s"], {"direction": "RIGHT"})]
    nodes = [helper.make_node(op, inputs, [out], **attrs) for op, out, inputs, attrs in ops]
    m = model("unsigned_" + np.dtype(dtype).name, nodes,
              [tensor(n, dtype, [6]) for n in ("a", "b", "s")],
              [tensor(out, dtype, [6]) for _, out, _, _ in ops])
    outputs = run_program(m, tmp_path, [a, b, shift])
    with np.errstate(over="ignore"):
        expected = [a + b, a - b, a * b, a << shift, a >> shift]
    for want, got in zip(expected, outputs):
        assert_close(want, got)


def test_uint64_order_past_2_to_the_63(tmp_path):
    """uint64 values from 2^63 on are negative in the int64 carrier; comparisons, Max and Min
    still order them as unsigned."""
    a = np.array([2**64 - 1, 2**63, 5, 2**63 + 7], dtype=np.uint64)
    b = np.array([3, 2**63 - 1, 2**64 - 2, 2**63 + 7], dtype=np.uint64)
    nodes = [helper.make_node("Max", ["a", "b"], ["max"]),
             helper.make_node("Min", ["a", "b"], ["min"]),
             helper.make_node("Less", ["a", "b"], ["less"]),
             helper.make_node("GreaterOrEqual", ["a", "b"], ["greater_or_equal"])]
    flags = [helper.make_tensor_value_info(n, TensorProto.BOOL, [4])
             for n in ("less", "greater_or_equal")]
    m = model("uint64_order", nodes, [tensor("a", np.uint64, [4]), tensor("b", np.uint64, [4])],
              [tensor("max", np.uint64, [4]), tensor("min", np.uint64, [4])] + flags, opset=16)
    outputs = run_program(m, tmp_path, [a, b])
    for want, got in zip([np.maximum(a, b), np.minimum(a, b), a < b, a >= b], outputs):
        assert_close(want, got)


def test_casts_wrap(tmp_path):
    signed = np.array([-1, 70000, -70000, 5], dtype=np.int32)
    unsigned = np.array([4294967295, 2147483648, 7, 0], dtype=np.uint32)
    nodes = [helper.make_node("Cast", ["x"], ["to_u16"], to=TensorProto.UINT16),
             helper.make_node("Cast", ["x"], ["to_u32"], to=TensorProto.UINT32),
             helper.make_node("Cast", ["x"], ["to_u64"], to=TensorProto.UINT64),
             helper.make_node("Cast", ["u"], ["to_i32"], to=TensorProto.INT32),
             helper.make_node("Cast", ["u"], ["to_f32"], to=TensorProto.FLOAT)]
    m = model("unsigned_casts", nodes, [tensor("x", np.int32, [4]), tensor("u", np.uint32, [4])],
              [tensor("to_u16", np.uint16, [4]), tensor("to_u32", np.uint32, [4]),
               tensor("to_u64", np.uint64, [4]), tensor("to_i32", np.int32, [4]),
               tensor("to_f32", np.float32, [4])])
    outputs = run_program(m, tmp_path, [signed, unsigned])
    expected = [np.array([65535, 4464, 61072, 5], dtype=np.uint16),
                np.array([4294967295, 70000, 4294897296, 5], dtype=np.uint32),
                np.array([2**64 - 1, 70000, 2**64 - 70000, 5], dtype=np.uint64),
                np.array([-1, -2147483648, 7, 0], dtype=np.int32),
                np.array([4294967295.0, 2147483648.0, 7.0, 0.0], dtype=np.float32)]
    for want, got in zip(expected, outputs):
        assert_close(want, got)


def test_reduce_sum_wraps(tmp_path):
    x = np.full((3, 4), 2**31 + 5, dtype=np.uint32)
    axes = numpy_helper.from_array(np.array([1], dtype=np.int64), "axes")
    m = model("unsigned_reduce", [helper.make_node("ReduceSum", ["x", "axes"], ["y"], keepdims=0)],
              [tensor("x", np.uint32, [3, 4])], [tensor("y", np.uint32, [3])], [axes])
    (y,) = run_program(m, tmp_path, [x])
    assert_close(x.sum(axis=1, dtype=np.uint32), y)


def test_constants_from_the_model_and_folded(tmp_path):
    """A uint32 weight the program reads from the model file, and a uint16 product of two
    weights the compiler folds (more elements than a literal lists, so stored as bytes)."""
    rng = np.random.default_rng(7)
    w32 = rng.integers(2**31, 2**32, size=100, dtype=np.uint32)
    w16 = rng.integers(2**8, 2**16, size=100, dtype=np.uint16)
    nodes = [helper.make_node("Add", ["x32", "w32"], ["y32"]),
             helper.make_node("Mul", ["w16", "w16"], ["w16_squared"]),
             helper.make_node("Add", ["x16", "w16_squared"], ["y16"])]
    m = model("unsigned_constants", nodes,
              [tensor("x32", np.uint32, [100]), tensor("x16", np.uint16, [100])],
              [tensor("y32", np.uint32, [100]), tensor("y16", np.uint16, [100])],
              [numpy_helper.from_array(w32, "w32"), numpy_helper.from_array(w16, "w16")])
    x32 = rng.integers(0, 2**32, size=100, dtype=np.uint32)
    x16 = rng.integers(0, 2**16, size=100, dtype=np.uint16)
    y32, y16 = run_program(m, tmp_path, [x32, x16])
    with np.errstate(over="ignore"):
        assert_close(x32 + w32, y32)
        assert_close(x16 + w16 * w16, y16)
