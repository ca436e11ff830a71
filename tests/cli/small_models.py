"""Small ONNX models built with onnx.helper for CLI tests."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(model, path):
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def chain(path, length=6):
    """x -> (Relu -> Sigmoid)* : a pure chain with no parallelism at all."""
    nodes, prev = [], "x"
    for i in range(length):
        op = "Relu" if i % 2 == 0 else "Sigmoid"
        out = "y" if i == length - 1 else f"t{i}"
        nodes.append(helper.make_node(op, [prev], [out], name=f"{op.lower()}_{i}"))
        prev = out
    graph = helper.make_graph(
        nodes, "chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64])])
    return save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def foldable(path):
    """The three things the optimiser must remove, as torch.onnx.export leaves them:

    - a shape chain: Shape(x) -> Gather(0) -> Unsqueeze -> Concat([-1]) feeding a Reshape,
    - a constant subexpression: Mul(c1, c2) -> Add(c3) feeding an Add,
    - a dead branch: Exp(x) -> Neg whose result nobody reads.
    """
    c1 = numpy_helper.from_array(np.full((1, 8), 2.0, np.float32), "c1")
    c2 = numpy_helper.from_array(np.full((1, 8), 3.0, np.float32), "c2")
    c3 = numpy_helper.from_array(np.full((1, 8), 1.0, np.float32), "c3")
    index = numpy_helper.from_array(np.array(0, np.int64), "index")
    minus_one = numpy_helper.from_array(np.array([-1], np.int64), "minus_one")
    axes = numpy_helper.from_array(np.array([0], np.int64), "axes")
    nodes = [
        helper.make_node("Shape", ["x"], ["x_shape"], name="shape"),
        helper.make_node("Gather", ["x_shape", "index"], ["batch"], name="gather", axis=0),
        helper.make_node("Unsqueeze", ["batch", "axes"], ["batch_1d"], name="unsqueeze"),
        helper.make_node("Concat", ["batch_1d", "minus_one"], ["new_shape"], name="concat", axis=0),
        helper.make_node("Reshape", ["x", "new_shape"], ["flat"], name="reshape"),
        helper.make_node("Mul", ["c1", "c2"], ["c12"], name="const_mul"),
        helper.make_node("Add", ["c12", "c3"], ["bias"], name="const_add"),
        helper.make_node("Add", ["flat", "bias"], ["y"], name="add_bias"),
        helper.make_node("Exp", ["x"], ["dead1"], name="dead_exp"),
        helper.make_node("Neg", ["dead1"], ["dead2"], name="dead_neg"),
    ]
    graph = helper.make_graph(
        nodes, "foldable",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])],
        initializer=[c1, c2, c3, index, minus_one, axes])
    return save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)
