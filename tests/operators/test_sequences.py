"""Sequences and optionals: small onnx.helper models compiled by the real ramiel-client, their
programs run serially and on several clusters (threads and processes), against numpy written
from the ONNX spec. A sequence is a Python list of tensors, an optional its tensor or None."""
import json
import os

import numpy as np
import pytest
import torch
from onnx import TensorProto, helper

from conftest import compile_model

OPSET = 16
FLOAT = TensorProto.FLOAT
INT64 = TensorProto.INT64


def tensor_info(name, elem_type, shape):
    return helper.make_tensor_value_info(name, elem_type, shape)


def sequence_info(name, elem_type, shape=None):
    return helper.make_value_info(
        name, helper.make_sequence_type_proto(helper.make_tensor_type_proto(elem_type, shape)))


def optional_info(name, elem_type, shape=None):
    return helper.make_value_info(
        name, helper.make_optional_type_proto(helper.make_tensor_type_proto(elem_type, shape)))


def make_model(nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, "sequences", inputs, outputs, list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])


def compile_program(model, directory, name, node_us=None):
    """Compiles for 2 workers; `node_us` gives every node that cost (a --costs table) on a device
    of one core per worker, so that clustering alone decides: independent branches side by
    side."""
    options = []
    if node_us is not None:
        costs = os.path.join(str(directory), name + "_costs.json")
        with open(costs, "w") as f:
            json.dump({node.name: node_us for node in model.graph.node}, f)
        profile = os.path.join(str(directory), "one_core.json")
        with open(profile, "w") as f:
            f.write('{"cores": 1}')
        options = ["--costs", costs, "--device-profile", profile]
    return compile_model(model, directory, name, options)


def as_torch(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [torch.from_numpy(np.array(array, copy=True)) for array in value]
    return torch.from_numpy(np.array(value, copy=True))


def as_numpy(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [tensor.numpy() for tensor in value]
    return value.numpy()


def assert_same(expected, actual, what):
    """Numpy references (arrays, lists of arrays, None) against a program's outputs."""
    if expected is None:
        assert actual is None, "%s: expected None, got %r" % (what, actual)
        return
    if isinstance(expected, list):
        assert isinstance(actual, list), "%s: expected a list, got %r" % (what, type(actual))
        assert len(actual) == len(expected), "%s: %d tensors, expected %d" % (
            what, len(actual), len(expected))
        for index, (want, got) in enumerate(zip(expected, actual)):
            assert_same(want, got, "%s[%d]" % (what, index))
        return
    got = as_numpy(actual)
    assert got.dtype == expected.dtype, "%s: dtype %s, expected %s" % (what, got.dtype,
                                                                        expected.dtype)
    assert got.shape == expected.shape, "%s: shape %s, expected %s" % (what, got.shape,
                                                                        expected.shape)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7, err_msg=what)


def run_everywhere(model, directory, inputs, expected, name, node_us=None, modes=("thread",)):
    """Runs the program serially and with the schedule's workers in each of `modes`; every run
    must give `expected`. Returns the program module."""
    onnx_path, module = compile_program(model, directory, name, node_us)
    runs = [(1, "thread")] + [(None, mode) for mode in modes]
    for workers, mode in runs:
        with module.load(onnx_path, workers=workers, mode=mode) as program:
            outputs = program(*[as_torch(value) for value in inputs])
        label = "%s (%s workers)" % (mode, workers or len(module.CLUSTERS))
        assert len(outputs) == len(expected)
        for index, (want, got) in enumerate(zip(expected, outputs)):
            assert_same(want, got, "%s output %d" % (label, index))
    return module


# --- references from the spec -------------------------------------------------------------------

def split_to_sequence(x, split=None, axis=0, keepdims=1):
    if split is None:
        parts = [np.take(x, [i], axis=axis) for i in range(x.shape[axis])]
        return parts if keepdims else [np.squeeze(p, axis=axis) for p in parts]
    split = np.asarray(split)
    if split.ndim == 0:  # equal parts of that length, the last one shorter
        bounds = list(range(int(split), x.shape[axis], int(split)))
    else:
        bounds = list(np.cumsum(split)[:-1])
    return np.split(x, bounds, axis=axis)


# --- the ops, one model each ---------------------------------------------------------------------

X = np.arange(30, dtype=np.float32).reshape(5, 6) / 7


@pytest.mark.parametrize("keepdims", [0, 1])
def test_split_to_sequence_without_split_gives_pieces_of_one(keepdims, tmp_path):
    node = helper.make_node("SplitToSequence", ["x"], ["parts"], axis=1, keepdims=keepdims,
                            name="split")
    model = make_model([node], [tensor_info("x", FLOAT, [5, 6])], [sequence_info("parts", FLOAT)])
    run_everywhere(model, tmp_path, [X], [split_to_sequence(X, axis=1, keepdims=keepdims)],
                   "split_plain_%d" % keepdims)


def test_split_to_sequence_scalar_split_leaves_a_shorter_last_piece(tmp_path):
    split = helper.make_tensor("split", INT64, [], [2])
    node = helper.make_node("SplitToSequence", ["x", "split"], ["parts"], axis=0, name="split")
    model = make_model([node], [tensor_info("x", FLOAT, [5, 6])], [sequence_info("parts", FLOAT)],
                       [split])
    expected = split_to_sequence(X, np.array(2), axis=0)
    assert [p.shape[0] for p in expected] == [2, 2, 1]
    run_everywhere(model, tmp_path, [X], [expected], "split_scalar")


@pytest.mark.parametrize("constant", [True, False])
def test_split_to_sequence_by_lengths(constant, tmp_path):
    lengths = np.array([1, 3, 2], dtype=np.int64)
    node = helper.make_node("SplitToSequence", ["x", "lengths"], ["parts"], axis=-1,
                            name="split")
    inputs = [tensor_info("x", FLOAT, [5, 6])]
    initializers = [helper.make_tensor("lengths", INT64, [3], lengths)] if constant else []
    if not constant:
        inputs.append(tensor_info("lengths", INT64, [3]))
    model = make_model([node], inputs, [sequence_info("parts", FLOAT)], initializers)
    given = [X] if constant else [X, lengths]
    run_everywhere(model, tmp_path, given, [split_to_sequence(X, lengths, axis=1)],
                   "split_lengths_%s" % constant)


@pytest.mark.parametrize("new_axis,axis", [(0, 0), (0, -1), (1, 0), (1, 2), (1, -1)])
def test_concat_from_sequence(new_axis, axis, tmp_path):
    parts = [X[:2, :3], X[2:4, 3:], X[3:5, :3] * 2]
    expected = np.stack(parts, axis=axis) if new_axis else np.concatenate(parts, axis=axis)
    node = helper.make_node("ConcatFromSequence", ["parts"], ["y"], axis=axis, new_axis=new_axis,
                            name="concat")
    model = make_model([node], [sequence_info("parts", FLOAT, [2, 3])],
                       [tensor_info("y", FLOAT, list(expected.shape))])
    run_everywhere(model, tmp_path, [parts], [expected], "concat_%d_%d" % (new_axis, axis))


def test_erase_length_and_at_count_negative_positions_from_the_back(tmp_path):
    minus = lambda name, value: helper.make_tensor(name, INT64, [], [value])
    nodes = [
        helper.make_node("SequenceErase", ["s", "minus_two"], ["erased"], name="erase"),
        helper.make_node("SequenceErase", ["erased"], ["erased_last"], name="erase_last"),
        helper.make_node("SequenceLength", ["erased_last"], ["length"], name="length"),
        helper.make_node("SequenceAt", ["erased", "minus_one"], ["last"], name="at_last"),
        helper.make_node("SequenceAt", ["s", "index"], ["picked"], name="at_index"),
        helper.make_node("SequenceInsert", ["erased_last", "last", "minus_one"], ["inserted"],
                         name="insert"),
    ]
    model = make_model(
        nodes, [sequence_info("s", FLOAT, [2]), tensor_info("index", INT64, [])],
        [sequence_info("erased", FLOAT), tensor_info("length", INT64, []),
         tensor_info("last", FLOAT, [2]), tensor_info("picked", FLOAT, [2]),
         sequence_info("inserted", FLOAT)],
        [minus("minus_two", -2), minus("minus_one", -1)])
    s = [np.array([i, -i], dtype=np.float32) for i in range(1, 5)]
    erased = s[:2] + s[3:]  # position -2 of 4 is 2
    erased_last = erased[:-1]
    inserted = erased_last[:-1] + [erased[-1]] + erased_last[-1:]  # before the last one
    expected = [erased, np.array(len(erased_last), dtype=np.int64), erased[-1], s[-3], inserted]
    run_everywhere(model, tmp_path, [s, np.array(-3, dtype=np.int64)], expected, "erase_at")


def test_sequence_construct_and_empty(tmp_path):
    nodes = [
        helper.make_node("SequenceConstruct", ["a", "b"], ["ab"], name="construct"),
        helper.make_node("SequenceEmpty", [], ["empty"], dtype=FLOAT, name="empty"),
        helper.make_node("SequenceInsert", ["empty", "b"], ["just_b"], name="insert"),
        helper.make_node("SequenceLength", ["empty"], ["none"], name="length"),
    ]
    model = make_model(nodes, [tensor_info("a", FLOAT, [2]), tensor_info("b", FLOAT, [3])],
                       [sequence_info("ab", FLOAT), sequence_info("just_b", FLOAT),
                        tensor_info("none", INT64, [])])
    a, b = X[0, :2], X[1, :3]
    run_everywhere(model, tmp_path, [a, b], [[a, b], [b], np.array(0, dtype=np.int64)],
                   "construct")


def test_optional_with_and_without_a_value(tmp_path):
    tensor_type = helper.make_tensor_type_proto(FLOAT, [5, 6])
    nodes = [
        helper.make_node("Optional", ["x"], ["some"], name="some"),
        helper.make_node("Optional", [], ["nothing"], type=tensor_type, name="nothing"),
        helper.make_node("OptionalHasElement", ["some"], ["has_some"], name="has_some"),
        helper.make_node("OptionalHasElement", ["nothing"], ["has_nothing"], name="has_nothing"),
        helper.make_node("OptionalGetElement", ["some"], ["value"], name="get"),
        helper.make_node("OptionalHasElement", ["given"], ["has_given"], name="has_given"),
    ]
    model = make_model(
        nodes, [tensor_info("x", FLOAT, [5, 6]), optional_info("given", FLOAT, [2])],
        [tensor_info("has_some", TensorProto.BOOL, []),
         tensor_info("has_nothing", TensorProto.BOOL, []), tensor_info("value", FLOAT, [5, 6]),
         optional_info("nothing", FLOAT, [5, 6]), tensor_info("has_given", TensorProto.BOOL, []),
         optional_info("given_back", FLOAT, [2])],
        [])
    model.graph.node.append(helper.make_node("Identity", ["given"], ["given_back"], name="back"))
    for given in (None, np.ones(2, dtype=np.float32)):
        expected = [np.array(True), np.array(False), X, None, np.array(given is not None), given]
        run_everywhere(model, tmp_path, [X, given], expected,
                       "optional_%s" % ("none" if given is None else "some"))


def test_insert_out_of_range_and_get_of_an_empty_optional_are_errors(tmp_path):
    """ONNX allows SequenceInsert positions -n..n only (slicing would clamp any other), and
    OptionalGetElement of an empty optional is an error (not None)."""
    nodes = [helper.make_node("SequenceInsert", ["s", "x", "position"], ["inserted"],
                              name="insert"),
             helper.make_node("OptionalGetElement", ["maybe"], ["got"], name="get")]
    model = make_model(
        nodes, [sequence_info("s", FLOAT, [2]), tensor_info("x", FLOAT, [2]),
                tensor_info("position", INT64, []), optional_info("maybe", FLOAT, [2])],
        [sequence_info("inserted", FLOAT), tensor_info("got", FLOAT, [2])])
    onnx_path, module = compile_program(model, tmp_path, "checks")
    s = [torch.full((2,), float(i)) for i in range(3)]
    x, some = torch.full((2,), 9.0), torch.ones(2)
    with module.load(onnx_path, workers=1) as program:
        for position in (-3, 0, 3):  # both ends are valid
            inserted, got = program(s, x, torch.tensor(position), some)
            assert [float(t[0]) for t in inserted] == [float(t[0]) for t in
                                                       s[:position] + [x] + s[position:]]
            assert torch.equal(got, some)
        # The program names the node that failed and says why.
        for position in (-4, 4):
            with pytest.raises(module.ramiel.NodeError, match=r"node 'insert' \(SequenceInsert\)"
                               r".*position %d is outside \[-3, 3\]" % position):
                program(s, x, torch.tensor(position), some)
        with pytest.raises(module.ramiel.NodeError,
                           match=r"node 'get' \(OptionalGetElement\).*the optional is empty"):
            program(s, x, torch.tensor(0), None)


def test_program_refuses_a_tensor_for_a_sequence_input(tmp_path):
    node = helper.make_node("SequenceLength", ["s"], ["n"], name="length")
    model = make_model([node], [sequence_info("s", FLOAT, [2])], [tensor_info("n", INT64, [])])
    onnx_path, module = compile_program(model, tmp_path, "refuse")
    with module.load(onnx_path, workers=1) as program:
        with pytest.raises(TypeError, match="list of tensors"):
            program(torch.zeros(2))
        with pytest.raises(TypeError, match=r"'s'\[1\] must be torch.float32"):
            program([torch.zeros(2), torch.zeros(2, dtype=torch.int64)])


# --- lists crossing clusters ---------------------------------------------------------------------

def branching_model():
    """Two branches that each make a list from x, consumed on the other side of the schedule:
    lists travel between workers, and back to the caller."""
    nodes = [
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("SplitToSequence", ["r"], ["rows"], axis=0, keepdims=0, name="rows"),
        helper.make_node("Neg", ["x"], ["n"], name="neg"),
        helper.make_node("SplitToSequence", ["n", "two"], ["cols"], axis=1, name="cols"),
        helper.make_node("ConcatFromSequence", ["rows"], ["stacked_any"], axis=1, new_axis=1,
                         name="stack"),
        helper.make_node("ConcatFromSequence", ["cols"], ["joined_any"], axis=1, name="join"),
        # Inference cannot size a concatenated list; process mode hands over only tensors
        # of static shapes (lists of any), so the tensors get theirs before they cross.
        helper.make_node("Reshape", ["stacked_any", "square"], ["stacked"], name="stacked"),
        helper.make_node("Reshape", ["joined_any", "square"], ["joined"], name="joined"),
        helper.make_node("Add", ["stacked", "joined"], ["y"], name="add"),
        helper.make_node("SequenceAt", ["rows", "minus_one"], ["last_row"], name="last_row"),
        helper.make_node("SequenceConstruct", ["y", "last_row"], ["both"], name="both"),
    ]
    return make_model(
        nodes, [tensor_info("x", FLOAT, [6, 6])],
        [tensor_info("y", FLOAT, [6, 6]), sequence_info("cols", FLOAT), sequence_info("both", FLOAT)],
        [helper.make_tensor("two", INT64, [], [2]), helper.make_tensor("minus_one", INT64, [], [-1]),
         helper.make_tensor("square", INT64, [2], [6, 6])])


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_lists_cross_clusters(mode, tmp_path):
    x = (np.arange(36, dtype=np.float32).reshape(6, 6) - 17) / 5
    rows = list(np.maximum(x, 0))
    cols = split_to_sequence(-x, np.array(2), axis=1)
    y = np.stack(rows, axis=1) + np.concatenate(cols, axis=1)
    module = run_everywhere(branching_model(), tmp_path, [x], [y, cols, [y, rows[-1]]],
                            "branches_" + mode, node_us=500.0, modes=(mode,))
    assert len(module.CLUSTERS) > 1
    sent = {name: index for index, cluster in enumerate(module.CLUSTERS) for name in cluster[3]}
    crossing = [name for index, cluster in enumerate(module.CLUSTERS) for name in cluster[2]
                if name in module.VALUE_KINDS and sent.get(name, index) != index]
    assert crossing, "no list crosses clusters in this schedule: %s" % (module.CLUSTERS,)
