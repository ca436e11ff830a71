"""The optimizers of ai.onnx.preview.training (Adagrad, Adam, Momentum standard and Nesterov)
as one optimizer step, against the spec's formulas written here in numpy; the domain's other
operator, Gradient, stays refused with node, op and opset named."""

import numpy as np
import pytest
from onnx import TensorProto, helper

from conftest import assert_close, refusal, run_program

TRAINING = "ai.onnx.preview.training"
ONNX_TYPES = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE}


def optimizer_model(op, groups, dtype, attributes, n=2):
    """One `op` node over n tensors (shapes [3] and [2, 2]); `groups` names the input groups
    after R and T (X, G, then the states), the outputs are X and each state, new."""
    shapes = [[3], [2, 2], [4]][:n]
    inputs = [helper.make_tensor_value_info("R", ONNX_TYPES[dtype], []),
              helper.make_tensor_value_info("T", TensorProto.INT64, [])]
    outputs = []
    for group in groups:
        inputs += [helper.make_tensor_value_info("%s%d" % (group, i), ONNX_TYPES[dtype], shape)
                   for i, shape in enumerate(shapes)]
    for group in [groups[0]] + groups[2:]:
        outputs += [helper.make_tensor_value_info("%s%d_new" % (group, i), ONNX_TYPES[dtype],
                                                  shape) for i, shape in enumerate(shapes)]
    node = helper.make_node(op, [v.name for v in inputs], [v.name for v in outputs],
                            domain=TRAINING, **attributes)
    graph = helper.make_graph([node], op.lower(), inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid(TRAINING, 1)])
    return model, shapes


def random_inputs(shapes, groups, dtype, rate, step, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [np.array(rate, dtype=dtype), np.array(step, dtype=np.int64)]
    for group in groups:
        for shape in shapes:
            values = rng.standard_normal(shape)
            arrays.append((np.abs(values) if group == "H" else values).astype(dtype))
    return arrays


def split(arrays, groups, n):
    return [arrays[2 + k * n:2 + (k + 1) * n] for k in range(len(groups))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adagrad(dtype, tmp_path):
    groups = ["X", "G", "H"]
    attributes = {"norm_coefficient": 0.01, "epsilon": 1e-5, "decay_factor": 0.1}
    model, shapes = optimizer_model("Adagrad", groups, dtype, attributes)
    arrays = random_inputs(shapes, groups, dtype, rate=0.5, step=3)
    outputs = run_program(model, tmp_path, arrays, name="adagrad_" + np.dtype(dtype).name)
    rate = 0.5 / (1 + 3 * 0.1)
    new_x, new_h = [], []
    for x, g, h in zip(*split(arrays, groups, 2)):
        g = 0.01 * x + g
        h = h + g * g
        new_x.append(x - rate * g / (np.sqrt(h) + 1e-5))
        new_h.append(h)
    for want, got in zip(new_x + new_h, outputs):
        assert_close(want.astype(dtype), got, rtol=1e-5)


@pytest.mark.parametrize("step", [0, 4])
def test_adam_corrects_bias_after_the_first_step(step, tmp_path):
    groups = ["X", "G", "V", "H"]
    attributes = {"alpha": 0.9, "beta": 0.99, "epsilon": 1e-3, "norm_coefficient": 0.02,
                  "norm_coefficient_post": 0.1}
    model, shapes = optimizer_model("Adam", groups, np.float32, attributes, n=3)
    arrays = random_inputs(shapes, groups, np.float32, rate=0.1, step=step)
    outputs = run_program(model, tmp_path, arrays, name="adam_%d" % step)
    rate = 0.1 * np.sqrt(1 - 0.99 ** step) / (1 - 0.9 ** step) if step > 0 else 0.1
    new = [[], [], []]
    for x, g, v, h in zip(*split(arrays, groups, 3)):
        g = 0.02 * x + g
        v = 0.9 * v + 0.1 * g
        h = 0.99 * h + 0.01 * g * g
        new[0].append((1 - 0.1) * (x - rate * v / (np.sqrt(h) + 1e-3)))
        new[1].append(v)
        new[2].append(h)
    for want, got in zip(new[0] + new[1] + new[2], outputs):
        assert_close(want.astype(np.float32), got, rtol=1e-5)


@pytest.mark.parametrize("mode", ["standard", "nesterov"])
@pytest.mark.parametrize("step", [0, 2])
def test_momentum(mode, step, tmp_path):
    groups = ["X", "G", "V"]
    attributes = {"alpha": 0.9, "beta": 0.5, "mode": mode, "norm_coefficient": 0.01}
    model, shapes = optimizer_model("Momentum", groups, np.float32, attributes)
    arrays = random_inputs(shapes, groups, np.float32, rate=0.2, step=step)
    outputs = run_program(model, tmp_path, arrays, name="momentum_%s_%d" % (mode, step))
    beta = 0.5 if step > 0 else 1.0  # the first step takes the whole gradient
    new_x, new_v = [], []
    for x, g, v in zip(*split(arrays, groups, 2)):
        g = 0.01 * x + g
        v = 0.9 * v + beta * g
        new_x.append(x - 0.2 * (g + 0.9 * v) if mode == "nesterov" else x - 0.2 * v)
        new_v.append(v)
    for want, got in zip(new_x + new_v, outputs):
        assert_close(want.astype(np.float32), got, rtol=1e-5)


def test_gradient_is_refused_by_name(tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
    dx = helper.make_tensor_value_info("dx", TensorProto.FLOAT, [2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
    nodes = [helper.make_node("Relu", ["x"], ["y"]),
             helper.make_node("Gradient", ["x"], ["dx"], name="grad", domain=TRAINING,
                              xs=["x"], y="y")]
    graph = helper.make_graph(nodes, "gradient", [x], [y, dx])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                    helper.make_opsetid(TRAINING, 1)])
    message = refusal(model, tmp_path)
    assert ("node 'grad' (Gradient, ai.onnx.preview.training opset 1): only ai.onnx operators"
            in message), message


def test_errors_name_the_training_domain_and_its_opset(tmp_path):
    # The model imports ai.onnx opset 13 too: the message names the node's own domain's opset.
    model, _ = optimizer_model("Momentum", ["X", "G", "V"], np.float32,
                               {"alpha": 0.9, "beta": 0.1, "norm_coefficient": 0.0,
                                "mode": "sideways"})
    model.opset_import.append(helper.make_opsetid("", 13))
    model.graph.node[0].name = "step"
    message = refusal(model, tmp_path)
    assert ("node 'step' (Momentum, ai.onnx.preview.training opset 1): attribute mode=sideways "
            "is not supported" in message), message
