"""If, Loop and Scan end to end: models with control flow (exported from PyTorch with
torch.jit.script, or built with onnx.helper where PyTorch emits no such op), compiled by the real
client serially and under a two-cluster schedule, their programs compared with PyTorch's own
output (or a reference loop written here in PyTorch). Every model holds an independent branch
beside its control flow, so that the two-cluster schedule is real: the control-flow node is one
task in one cluster, the branch runs in the other."""

import numpy as np
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from conftest import Beside, control_flow_node, export_scripted

torch.manual_seed(2024)


class LoopRNN(torch.nn.Module):
    """An RNN stepped over the sequence by a scripted loop: exports to Loop with the hidden
    state carried from step to step."""

    def __init__(self):
        super().__init__()
        self.ih = torch.nn.Linear(4, 8)
        self.hh = torch.nn.Linear(8, 8)
        self.beside = Beside()

    def forward(self, x, z):
        h = torch.zeros(1, 8)
        for t in range(x.size(0)):
            h = torch.tanh(self.ih(x[t:t + 1]) + self.hh(h))
        return h, self.beside(z)


class DataDependentBranch(torch.nn.Module):
    """A branch on the data: exports to If, whose branches read the module's weights."""

    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(4, 4)
        self.b = torch.nn.Linear(4, 4)
        self.beside = Beside()

    def forward(self, x, z):
        if bool(x.sum() > 0):
            y = self.a(x) * 2.0
        else:
            y = torch.relu(self.b(x)) - 1.0
        return y, self.beside(z)


class BranchInsideLoop(torch.nn.Module):
    """A loop whose body branches on the data: If nested in Loop, the If's branches reading a
    weight and the loop's state from two levels up."""

    def __init__(self):
        super().__init__()
        self.step = torch.nn.Linear(4, 4)
        self.beside = Beside()

    def forward(self, x, z):
        h = torch.zeros(1, 4)
        for t in range(x.size(0)):
            if bool(x[t].sum() > 0):
                h = torch.tanh(self.step(x[t:t + 1]) + h)
            else:
                h = h * 0.5
        return h, self.beside(z)


def check_schedules(compiled, op):
    """One control-flow task; serially one cluster, in parallel two, with the branch beside it
    in the other cluster."""
    assert len(compiled.serial_schedule["clusters"]) == 1
    node = control_flow_node(compiled.serial_schedule)
    assert node["op"] == op
    assert len(compiled.parallel_schedule["clusters"]) == 2
    clusters = compiled.clusters_of(compiled.parallel_schedule)
    cf = control_flow_node(compiled.parallel_schedule)["name"]
    beside = {clusters[name] for name in clusters if "beside" in name}
    assert beside and clusters[cf] not in beside, "the branch beside the control flow shares its cluster"


def assert_matches(expected, results, rtol=1e-5, atol=1e-6):
    for outputs in results:
        assert len(outputs) == len(expected)
        for e, a in zip(expected, outputs):
            assert a.shape == e.shape and a.dtype == e.dtype
            torch.testing.assert_close(a, e, rtol=rtol, atol=atol)


def loop_input(steps, both_signs):
    x = torch.randn(steps, 4)
    if both_signs:  # steps of either sign, so that both branches of a nested If run
        x[1], x[2] = x[1].abs(), -x[2].abs()
    return x


@pytest.mark.parametrize("module_class,both_signs", [(LoopRNN, False), (BranchInsideLoop, True)],
                         ids=["loop_stepped_rnn", "branch_nested_in_a_loop"])
def test_scripted_loop_matches_pytorch(compiled, module_class, both_signs):
    module = module_class().eval()
    x, z = loop_input(6, both_signs), torch.randn(2, 6)
    model = export_scripted(module, (x, z), ["x", "z"], ["h", "w"])
    assert "Loop" in [n.op_type for n in model.graph.node]
    program = compiled(model, module_class.__name__)
    check_schedules(program, "Loop")
    with torch.no_grad():
        expected = module(x, z)
    assert_matches(expected, program.run([x, z]))


def test_data_dependent_branch_taken_both_ways(compiled):
    module = DataDependentBranch().eval()
    z = torch.randn(2, 6)
    positive, negative = torch.rand(2, 4) + 0.1, -torch.rand(2, 4) - 0.1
    model = export_scripted(module, (positive, z), ["x", "z"], ["y", "w"])
    assert "If" in [n.op_type for n in model.graph.node]
    program = compiled(model, "branch")
    check_schedules(program, "If")
    outputs = []
    for x in (positive, negative):
        with torch.no_grad():
            expected = module(x, z)
        results = program.run([x, z])
        assert_matches(expected, results)
        outputs.append(results[0][0])
    # The two inputs took different branches: a*2 on one, relu(b)-1 (>= -1) on the other.
    assert not torch.allclose(outputs[0], outputs[1])


# --- Scan: PyTorch emits none; built with onnx.helper, compared with a loop written here -----

def scan_rnn_model(direction, input_axis, output_axis, steps=5):
    """h_t = tanh(x_t @ W + h_{t-1}) scanned over `input_axis` of x (3 x 4 per step), W an
    initializer of the main graph read inside the body; outputs the final h and every h_t
    stacked along `output_axis` (in scan order, reversed when `direction` is 1), and beside it
    relu(z @ V) from an independent branch."""
    body = helper.make_graph(
        [helper.make_node("MatMul", ["x_t", "W"], ["xw"]),
         helper.make_node("Add", ["xw", "h_prev"], ["pre"]),
         helper.make_node("Tanh", ["pre"], ["h_next"]),
         helper.make_node("Identity", ["h_next"], ["h_out"])],
        "scan_body",
        [helper.make_tensor_value_info("h_prev", TensorProto.FLOAT, [3, 8]),
         helper.make_tensor_value_info("x_t", TensorProto.FLOAT, [3, 4])],
        [helper.make_tensor_value_info("h_next", TensorProto.FLOAT, [3, 8]),
         helper.make_tensor_value_info("h_out", TensorProto.FLOAT, [3, 8])])
    x_shape = [3, 4]
    x_shape.insert(input_axis, steps)
    out_shape = [3, 8]
    out_shape.insert(output_axis, steps)
    rng = np.random.default_rng(7)
    weights = [numpy_helper.from_array(rng.standard_normal((4, 8)).astype(np.float32), "W"),
               numpy_helper.from_array(rng.standard_normal((6, 6)).astype(np.float32), "V")]
    graph = helper.make_graph(
        [helper.make_node("Scan", ["h0", "x"], ["h_final", "h_all"], body=body,
                          num_scan_inputs=1, scan_input_axes=[input_axis],
                          scan_input_directions=[direction], scan_output_axes=[output_axis],
                          scan_output_directions=[direction], name="scan"),
         helper.make_node("MatMul", ["z", "V"], ["zv"], name="beside_matmul"),
         helper.make_node("Relu", ["zv"], ["w"], name="beside_relu")],
        "scan_rnn",
        [helper.make_tensor_value_info("h0", TensorProto.FLOAT, [3, 8]),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 6])],
        [helper.make_tensor_value_info("h_final", TensorProto.FLOAT, [3, 8]),
         helper.make_tensor_value_info("h_all", TensorProto.FLOAT, out_shape),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [2, 6])],
        initializer=weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])
    return model, [torch.from_numpy(numpy_helper.to_array(w).copy()) for w in weights]


@pytest.mark.parametrize("direction,input_axis,output_axis", [(0, 0, 0), (1, 1, 2)])
def test_scan_matches_a_pytorch_loop(compiled, direction, input_axis, output_axis):
    model, (w, v) = scan_rnn_model(direction, input_axis, output_axis)
    program = compiled(model, "scan_%d%d%d" % (direction, input_axis, output_axis))
    check_schedules(program, "Scan")
    h0 = torch.randn(3, 8)
    x = torch.randn([d.dim_value for d in model.graph.input[1].type.tensor_type.shape.dim])
    z = torch.randn(2, 6)
    # The reference: the loop the ONNX spec describes, in PyTorch.
    h, steps = h0, []
    order = range(x.shape[input_axis])
    for t in (reversed(order) if direction else order):
        h = torch.tanh(x.select(input_axis, t) @ w + h)
        steps.append(h)
    if direction:
        steps.reverse()
    expected = (h, torch.stack(steps, dim=output_axis), torch.relu(z @ v))
    assert_matches(expected, program.run([h0, x, z]))


# --- Loop forms PyTorch does not export: a while loop, and a loop that runs no iteration ----

def counting_loop_model(trip_count, with_condition):
    """Doubles s while its sum stays under 100 (when `with_condition`), at most `trip_count`
    times (None: no bound); scans out every new s and the iteration number."""
    body = helper.make_graph(
        [helper.make_node("Mul", ["s_in", "two"], ["s_out"]),
         helper.make_node("ReduceSum", ["s_out"], ["total"], keepdims=0),
         helper.make_node("Less", ["total", "limit"], ["cond_out"]),
         helper.make_node("Identity", ["s_out"], ["s_scan"]),
         helper.make_node("Identity", ["i"], ["i_scan"])],
        "loop_body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("s_in", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("s_out", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("s_scan", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("i_scan", TensorProto.INT64, [])])
    initializers = [numpy_helper.from_array(np.array(2.0, np.float32), "two"),
                    numpy_helper.from_array(np.array(100.0, np.float32), "limit"),
                    numpy_helper.from_array(np.array(True), "keep_going")]
    if trip_count is not None:
        initializers.append(numpy_helper.from_array(np.array(trip_count, np.int64), "M"))
    loop = helper.make_node("Loop", ["M" if trip_count is not None else "",
                                     "keep_going" if with_condition else "", "s0"],
                            ["s_final", "s_all", "i_all"], body=body, name="loop")
    graph = helper.make_graph(
        [loop, helper.make_node("Neg", ["z"], ["w"], name="beside_neg")], "counting_loop",
        [helper.make_tensor_value_info("s0", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 6])],
        [helper.make_tensor_value_info("s_final", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("s_all", TensorProto.FLOAT, [None, 2]),
         helper.make_tensor_value_info("i_all", TensorProto.INT64, [None]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [2, 6])],
        initializer=initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 16)])


def reference_counting_loop(s, trip_count, with_condition):
    """ONNX Loop's semantics for the body above, step by step."""
    steps, numbers, i, cond = [], [], 0, True
    while (trip_count is None or i < trip_count) and (cond or not with_condition):
        s = s * 2
        cond = bool(s.sum() < 100)
        steps.append(s)
        numbers.append(i)
        i += 1
    stacked = torch.stack(steps) if steps else torch.empty(0, 2)
    return s, stacked, torch.tensor(numbers, dtype=torch.int64)


@pytest.mark.parametrize("trip_count,with_condition",
                         [(None, True), (3, False), (20, True), (0, True), (0, False)])
def test_loop_trip_count_and_condition(compiled, trip_count, with_condition):
    model = counting_loop_model(trip_count, with_condition)
    program = compiled(model, "loop_%s_%s" % (trip_count, with_condition))
    check_schedules(program, "Loop")
    s0, z = torch.tensor([1.0, 2.0]), torch.randn(2, 6)
    expected = reference_counting_loop(s0, trip_count, with_condition) + (-z,)
    assert_matches(expected, program.run([s0, z]))
