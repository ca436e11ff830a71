"""Models at ai.onnx opsets 1-6, as older exporters wrote them (IR version 3, initializers also
listed as graph inputs, legacy attributes: broadcast/axis, consumed_inputs, is_test, spatial,
Reshape's shape attribute, Concat without axis). Each compiles through the version converter and
Ramiel's own rules around it and matches numpy written from each op's spec at that opset."""
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from onnx import TensorProto, helper, numpy_helper

from conftest import assert_close, run_program

RNG = np.random.default_rng(2024)


def data(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def old_model(name, nodes, inputs, outputs, weights, opset):
    """Graph inputs and outputs are (name, shape[, ONNX type]) tuples, weights a dict name ->
    array; IR version 3 lists every initializer among the inputs too."""
    def value(name, shape, elem_type=TensorProto.FLOAT):
        return helper.make_tensor_value_info(name, elem_type, list(shape))

    initializers = [numpy_helper.from_array(array, n) for n, array in weights.items()]
    weight_inputs = [value(n, a.shape, numpy_helper.from_array(a).data_type)
                     for n, a in weights.items()]
    graph = helper.make_graph(nodes, name, [value(*v) for v in inputs] + weight_inputs,
                              [value(*v) for v in outputs], initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 3
    return model


def compile_and_run(name, nodes, inputs, outputs, weights, opset, tmp_path):
    """inputs: (name, array) pairs; outputs: (name, shape[, ONNX type]) tuples."""
    model = old_model(name, nodes, [(n, a.shape, numpy_helper.from_array(a).data_type)
                                    for n, a in inputs], outputs, weights, opset)
    return run_program(model, tmp_path, [a for _, a in inputs], name="%s_opset%d" % (name, opset))


@pytest.mark.parametrize("opset", [1, 6])
def test_gemm_broadcasts_c(opset, tmp_path):
    a, b, c = data(2, 3), data(4, 3), data(4)
    node = helper.make_node("Gemm", ["a", "b", "c"], ["y"], broadcast=1, transB=1, alpha=0.5,
                            beta=2.0)
    (y,) = compile_and_run("gemm", [node], [("a", a)], [("y", [2, 4])], {"b": b, "c": c}, opset,
                           tmp_path)
    assert_close(0.5 * a @ b.T + 2.0 * c[None, :], y, rtol=1e-5)


@pytest.mark.parametrize("opset", [1, 6])
def test_prelu_slope_is_per_channel_before_opset_7(opset, tmp_path):
    """A slope of C values applies along axis 1 at these opsets; the slope here has as many
    values as the last axis too, so numpy broadcasting would silently read it wrong."""
    x, slope = data(1, 3, 4, 3), data(3)
    (y,) = compile_and_run("prelu", [helper.make_node("PRelu", ["x", "slope"], ["y"])],
                           [("x", x)], [("y", x.shape)], {"slope": slope}, opset, tmp_path)
    assert_close(np.where(x < 0, x * slope[None, :, None, None], x), y)


def test_prelu_slope_broadcasts_as_numpy_from_opset_7(tmp_path):
    x, slope = data(1, 3, 4, 3), data(3)
    (y,) = compile_and_run("prelu", [helper.make_node("PRelu", ["x", "slope"], ["y"])],
                           [("x", x)], [("y", x.shape)], {"slope": slope}, 9, tmp_path)
    assert_close(np.where(x < 0, x * slope, x), y)


@pytest.mark.parametrize("opset", [1, 6])
def test_softsign(opset, tmp_path):
    x = data(2, 5)
    (y,) = compile_and_run("softsign", [helper.make_node("Softsign", ["x"], ["y"])], [("x", x)],
                           [("y", x.shape)], {}, opset, tmp_path)
    assert_close(x / (1 + np.abs(x)), y)


@pytest.mark.parametrize("opset", [1, 6])
def test_add_of_a_constant_node(opset, tmp_path):
    x = data(2, 3)
    nodes = [helper.make_node("Constant", [], ["k"],
                              value=numpy_helper.from_array(np.array([1.5], np.float32))),
             helper.make_node("Add", ["x", "k"], ["y"], broadcast=1)]
    (y,) = compile_and_run("add_constant", nodes, [("x", x)], [("y", x.shape)], {}, opset,
                           tmp_path)
    assert_close(x + np.float32(1.5), y)


@pytest.mark.parametrize("opset", [1, 6])
def test_broadcast_with_axis_places_the_operand_there(opset, tmp_path):
    """broadcast=1 with `axis`: B's dims match A's from `axis` on; without it, A's last ones."""
    x, b, c, d = data(2, 3, 4, 5), data(3, 4), data(5), data(2)
    z = data(2, 3)
    nodes = [helper.make_node("Add", ["x", "b"], ["sum"], broadcast=1, axis=1),
             helper.make_node("Mul", ["x", "c"], ["product"], broadcast=1),
             helper.make_node("Sub", ["z", "d"], ["difference"], broadcast=1, axis=0)]
    outputs = compile_and_run("broadcast_axis", nodes, [("x", x), ("z", z)],
                              [("sum", x.shape), ("product", x.shape), ("difference", z.shape)],
                              {"b": b, "c": c, "d": d}, opset, tmp_path)
    expected = [x + b[None, :, :, None], x * c, z - d[:, None]]
    for want, got in zip(expected, outputs):
        assert_close(want, got)


@pytest.mark.parametrize("opset", [1, 4])
def test_reshape_with_a_shape_attribute_and_concat_without_axis(opset, tmp_path):
    """Reshape took its shape as an attribute before opset 5; Concat's axis defaulted to 1
    before opset 4 (required from then on, so opset 4 names it)."""
    x, z = data(2, 3), data(3, 4)
    concat = dict(axis=1) if opset >= 4 else {}
    nodes = [helper.make_node("Reshape", ["x"], ["reshaped"], shape=[3, -1]),
             helper.make_node("Concat", ["reshaped", "z"], ["y"], **concat)]
    (y,) = compile_and_run("reshape_concat", nodes, [("x", x), ("z", z)], [("y", [3, 6])], {},
                           opset, tmp_path)
    assert_close(np.concatenate([x.reshape(3, 2), z], axis=1), y)


def conv2d(x, w, b, pad):
    """Cross-correlation, stride 1, as ONNX's Conv: x [N, C, H, W], w [M, C, kH, kW]."""
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = sliding_window_view(padded, w.shape[2:], axis=(2, 3))  # N, C, H, W, kH, kW
    return np.einsum("nchwij,mcij->nmhw", windows, w) + b[None, :, None, None]


@pytest.mark.parametrize("opset", [1, 6])
def test_a_small_cnn_as_old_exporters_wrote_it(opset, tmp_path):
    """Conv, BatchNormalization (is_test, spatial; consumed_inputs at opset 1), Relu, MaxPool,
    Dropout (is_test), Reshape, Gemm with broadcast, Softmax: a PyTorch 0.3-era classifier."""
    x = data(1, 2, 6, 6)
    weights = {"w": data(4, 2, 3, 3), "wb": data(4), "scale": data(4), "bias": data(4),
               "mean": data(4), "var": np.abs(data(4)) + 0.5, "fc": data(3, 36), "fcb": data(3)}
    legacy = {"consumed_inputs": [0, 0, 0, 1, 1]} if opset == 1 else {}
    shape = numpy_helper.from_array(np.array([1, 36], np.int64))
    reshape = ([helper.make_node("Reshape", ["dropped"], ["flat"], shape=[1, 36])]
               if opset < 5 else [])
    nodes = [helper.make_node("Conv", ["x", "w", "wb"], ["conv"], kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1]),
             helper.make_node("BatchNormalization", ["conv", "scale", "bias", "mean", "var"],
                              ["normed"], is_test=1, spatial=1, epsilon=1e-3, **legacy),
             helper.make_node("Relu", ["normed"], ["relu"]),
             helper.make_node("MaxPool", ["relu"], ["pooled"], kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("Dropout", ["pooled"], ["dropped"], is_test=1, ratio=0.5)]
    if opset < 5:
        nodes += reshape
    else:
        nodes += [helper.make_node("Constant", [], ["shape"], value=shape),
                  helper.make_node("Reshape", ["dropped", "shape"], ["flat"])]
    nodes += [helper.make_node("Gemm", ["flat", "fc", "fcb"], ["logits"], broadcast=1, transB=1),
              helper.make_node("Softmax", ["logits"], ["y"])]
    (y,) = compile_and_run("small_cnn", nodes, [("x", x)], [("y", [1, 3])], weights, opset,
                           tmp_path)
    conv = conv2d(x, weights["w"], weights["wb"], 1)
    per_channel = lambda v: v[None, :, None, None]  # noqa: E731
    normed = (conv - per_channel(weights["mean"])) / np.sqrt(per_channel(weights["var"]) + 1e-3)
    relu = np.maximum(normed * per_channel(weights["scale"]) + per_channel(weights["bias"]), 0)
    pooled = relu.reshape(1, 4, 3, 2, 3, 2).max(axis=(3, 5))
    logits = pooled.reshape(1, 36) @ weights["fc"].T + weights["fcb"]
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    assert_close(expected.astype(np.float32), y, rtol=1e-4, atol=1e-6)


def test_ops_onnxs_converter_has_no_adapter_for(tmp_path):
    """Opset 1's Cast (`to` a type name), Pad (`paddings`), Split (sizes as an input) and
    GlobalLpPool (a float p): Ramiel adapts them itself."""
    x, image = data(2, 3) * 4, data(1, 2, 3, 3)
    nodes = [helper.make_node("Cast", ["x"], ["cast"], to="INT32"),
             helper.make_node("Pad", ["x"], ["padded"], paddings=[0, 1, 0, 2], value=0.5),
             helper.make_node("Split", ["x", "sizes"], ["left", "right"], axis=1),
             helper.make_node("GlobalLpPool", ["image"], ["norms"], p=2.0)]
    outputs = compile_and_run(
        "no_adapter", nodes, [("x", x), ("image", image)],
        [("cast", [2, 3], TensorProto.INT32), ("padded", [2, 6]), ("left", [2, 1]),
         ("right", [2, 2]), ("norms", [1, 2, 1, 1])],
        {"sizes": np.array([1, 2], np.int64)}, 1, tmp_path)
    expected = [np.trunc(x).astype(np.int32),
                np.pad(x, ((0, 0), (1, 2)), constant_values=0.5), x[:, :1], x[:, 1:],
                np.sqrt((image ** 2).sum(axis=(2, 3), keepdims=True))]
    for want, got in zip(expected, outputs):
        assert_close(want, got)


@pytest.mark.parametrize("opset", [1, 6])
def test_comparisons_with_broadcast(opset, tmp_path):
    """Greater, Less and Equal had broadcast/axis attributes before opset 7 and no adapter."""
    x, b, c = data(2, 3, 4), data(3), data(4)
    nodes = [helper.make_node("Greater", ["x", "b"], ["greater"], broadcast=1, axis=1),
             helper.make_node("Less", ["x", "c"], ["less"], broadcast=1),
             helper.make_node("Equal", ["xi", "xi"], ["equal"])]
    xi = (x * 3).astype(np.int32)
    outputs = compile_and_run(
        "comparisons", nodes, [("x", x), ("xi", xi)],
        [("greater", x.shape, TensorProto.BOOL), ("less", x.shape, TensorProto.BOOL),
         ("equal", x.shape, TensorProto.BOOL)], {"b": b, "c": c}, opset, tmp_path)
    for want, got in zip([x > b[None, :, None], x < c, np.ones(x.shape, bool)], outputs):
        assert_close(want, got)
