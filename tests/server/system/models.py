"""Small ONNX models for the server's system tests, built with onnx.helper (no torch needed)."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def branchy(path, branches=3, width=16, depth=2, seed=0):
    """x -> `branches` independent MatMul/Relu/Sigmoid chains -> Sum -> y.

    Independent branches give the scheduler something to parallelise; `seed` changes the weights
    (and so the model's bytes) without changing its shape; `width` sets the size (4*width^2 bytes
    per weight).
    """
    rng = np.random.default_rng(seed)
    nodes, initializers, tails = [], [], []
    for b in range(branches):
        prev = "x"
        for d in range(depth):
            weight = f"w{b}_{d}"
            initializers.append(numpy_helper.from_array(
                rng.standard_normal((width, width)).astype(np.float32), weight))
            nodes.append(helper.make_node("MatMul", [prev, weight], [f"mm{b}_{d}"], name=f"mm{b}_{d}"))
            act = "Relu" if d % 2 == 0 else "Sigmoid"
            nodes.append(helper.make_node(act, [f"mm{b}_{d}"], [f"a{b}_{d}"], name=f"act{b}_{d}"))
            prev = f"a{b}_{d}"
        tails.append(prev)
    nodes.append(helper.make_node("Sum", tails, ["y"], name="sum"))
    graph = helper.make_graph(
        nodes, f"branchy{branches}x{depth}",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, width])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, width])],
        initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path
