"""String tensors: numpy arrays of Python str (dtype=object) in the generated program, since torch
has no string dtype. StringNormalizer, Cast and CastLike to and from STRING, string initializers
and Constant nodes, graph inputs and outputs, serially and across workers (threads and
processes), against expectations written from the ONNX spec; every other op that meets a string
tensor is refused at compile time with node, op and opset named."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper

from conftest import compile_model, refusal


def strings(values):
    return np.array(values, dtype=object)


def string_model(nodes, inputs, outputs, initializers=(), opset=15, name="strings"):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def parallel_options(directory):
    """Compile flags that make branches pay as two workers: a device profile whose co-running
    workers do not slow each other (the default's 2x, measured on this 2-core machine, keeps
    small models in one cluster)."""
    profile = os.path.join(str(directory), "profile.json")
    with open(profile, "w") as f:
        json.dump({"name": "no-contention", "co_run_slowdown": 1.0}, f)
    return ["--device-profile", profile]


def run_all_modes(model, directory, inputs, name=None, modes=("thread",)):
    """Compiles `model` for 2 workers; runs it serially and in each parallel mode on `inputs`
    (numpy arrays of str for string inputs, torch tensors otherwise); checks every run gives the
    serial run's outputs and returns those (the module too)."""
    onnx_path, module = compile_model(model, directory, name, parallel_options(directory))
    runs = [(1, "thread")] + [(None, mode) for mode in modes]
    results = []
    for workers, mode in runs:
        with module.load(onnx_path, workers=workers, mode=mode) as program:
            results.append(program(*[x.copy() if isinstance(x, np.ndarray) else x.clone()
                                     for x in inputs]))
    for (workers, mode), outputs in zip(runs[1:], results[1:]):
        for serial, parallel in zip(results[0], outputs):
            if isinstance(serial, np.ndarray):
                assert isinstance(parallel, np.ndarray) and parallel.dtype == object, mode
                assert serial.shape == parallel.shape and (serial == parallel).all(), mode
            else:
                assert serial.dtype == parallel.dtype, mode
                np.testing.assert_array_equal(serial.numpy(), parallel.numpy(), err_msg=mode)
    return results[0], module


def assert_strings(expected, actual):
    expected = strings(expected)
    assert isinstance(actual, np.ndarray) and actual.dtype == object, repr(actual)
    assert actual.shape == expected.shape, "shape %s, expected %s" % (actual.shape,
                                                                      expected.shape)
    assert all(isinstance(s, str) for s in actual.reshape(-1)), repr(actual)
    assert actual.tolist() == expected.tolist()


def normalizer_model(shape, **attributes):
    node = helper.make_node("StringNormalizer", ["x"], ["y"], **attributes)
    return string_model([node], [helper.make_tensor_value_info("x", TensorProto.STRING, shape)],
                        [helper.make_tensor_value_info("y", TensorProto.STRING,
                                                       [None] * len(shape))],
                        opset=10, name="normalizer")


def test_normalizer_drops_stopwords_in_any_case_then_lowers(tmp_path):
    model = normalizer_model([1, 6], case_change_action="LOWER", stopwords=["the", "fox"])
    x = strings([["The", "quick", "FOX", "the", "Fox", "Jumps"]])
    (y,), _ = run_all_modes(model, tmp_path, [x])
    assert_strings([["quick", "jumps"]], y)


def test_normalizer_case_sensitive_keeps_other_spellings(tmp_path):
    model = normalizer_model([5], case_change_action="NONE", is_case_sensitive=1,
                             stopwords=["the", "fox"])
    x = strings(["The", "quick", "FOX", "the", "fox"])
    (y,), _ = run_all_modes(model, tmp_path, [x])
    assert_strings(["The", "quick", "FOX"], y)


def test_normalizer_upper_non_ascii_and_non_ascii_stopwords(tmp_path):
    model = normalizer_model([4], case_change_action="UPPER", stopwords=["über"])
    x = strings(["Über", "straße", "éclair", "ÜBER"])
    (y,), _ = run_all_modes(model, tmp_path, [x])
    assert_strings(["STRASSE", "ÉCLAIR"], y)  # Unicode's default upper case: ß is SS


@pytest.mark.parametrize("shape,expected", [([3], [""]), ([1, 3], [[""]])])
def test_normalizer_of_only_stopwords_is_one_empty_string(shape, expected, tmp_path):
    model = normalizer_model(shape, case_change_action="UPPER", stopwords=["monday"])
    x = strings(["Monday", "monday", "MONDAY"]).reshape(shape)
    (y,), _ = run_all_modes(model, tmp_path, [x], name="only_stopwords_%d" % len(shape))
    assert_strings(expected, y)


def test_string_initializer_and_constant_node_are_loaded_as_str_arrays(tmp_path):
    # words (an initializer) and more (a Constant node) are cast to floats and added to x.
    words = numpy_helper.from_array(strings(["1.5", "-INF", "NaN", "2e3"]), "words")
    nodes = [helper.make_node("Constant", [], ["more"],
                              value=helper.make_tensor("more", TensorProto.STRING, [4],
                                                       [b"0.25", b"1", b"inf", b"-0"])),
             helper.make_node("Cast", ["words"], ["w"], to=TensorProto.FLOAT),
             helper.make_node("Cast", ["more"], ["m"], to=TensorProto.FLOAT),
             helper.make_node("Add", ["x", "w"], ["xw"]),
             helper.make_node("Add", ["xw", "m"], ["y"]),
             helper.make_node("Identity", ["words"], ["words_out"])]
    model = string_model(
        nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4]),
         helper.make_tensor_value_info("words_out", TensorProto.STRING, [4])],
        initializers=[words], name="initializer")
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])
    (y, words_out), _ = run_all_modes(model, tmp_path, [x])
    expected = (np.array([1, 2, 3, 4], np.float32) + np.array([1.5, -np.inf, np.nan, 2000.0],
                                                               np.float32) +
                np.array([0.25, 1.0, np.inf, -0.0], np.float32))
    np.testing.assert_array_equal(y.numpy(), expected)
    assert_strings(["1.5", "-INF", "NaN", "2e3"], words_out)


def test_cast_to_string_spells_floats_as_numpy_does(tmp_path):
    nodes = [helper.make_node("Cast", ["x"], ["s"], to=TensorProto.STRING),
             helper.make_node("CastLike", ["i", "s"], ["t"])]
    model = string_model(
        nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3]),
                helper.make_tensor_value_info("i", TensorProto.INT64, [2])],
        [helper.make_tensor_value_info("s", TensorProto.STRING, [2, 3]),
         helper.make_tensor_value_info("t", TensorProto.STRING, [2])], name="to_string")
    x = torch.tensor([[0.1, 1e-8, -3.0], [float("nan"), float("inf"), 123456789.0]])
    (s, t), _ = run_all_modes(model, tmp_path, [x, torch.tensor([7, -2])])
    assert_strings([["0.1", "1e-08", "-3.0"], ["nan", "inf", "123456790.0"]], s)
    assert_strings(["7", "-2"], t)


def parallel_model(parse_x=False):
    """A float path and a string path side by side: t, x's text, feeds two branches that each
    parse it, multiply it by a matrix, print the product and parse it again (Python loops over
    strings, which intra-op threads cannot share, so the branches run on two workers); t is an
    output too, and the string input s is normalized alongside. With parse_x, x is text, parsed
    (node "parse") before it is printed again as t."""
    rng = np.random.default_rng(0)
    weights = [numpy_helper.from_array((rng.standard_normal((64, 64)) / 4).astype(np.float32),
                                       "w%d" % i) for i in range(2)]
    nodes = [helper.make_node("Cast", ["x"], ["x_value"], name="parse", to=TensorProto.FLOAT)]
    nodes = (nodes if parse_x else []) + [
             helper.make_node("Cast", ["x_value" if parse_x else "x"], ["t"],
                              to=TensorProto.STRING),
             helper.make_node("StringNormalizer", ["s"], ["s_norm"], case_change_action="UPPER",
                              stopwords=["and"])]
    for b in range(2):
        nodes += [helper.make_node("Cast", ["t"], ["b%d_in" % b], to=TensorProto.FLOAT),
                  helper.make_node("MatMul", ["b%d_in" % b, "w%d" % b], ["b%d_mm" % b]),
                  helper.make_node("Cast", ["b%d_mm" % b], ["b%d_text" % b], to=TensorProto.STRING),
                  helper.make_node("Cast", ["b%d_text" % b], ["b%d_back" % b], to=TensorProto.FLOAT),
                  helper.make_node("Tanh", ["b%d_back" % b], ["y%d" % b])]
    model = string_model(
        nodes, [helper.make_tensor_value_info("x", TensorProto.STRING if parse_x else
                                              TensorProto.FLOAT, [64, 64]),
                helper.make_tensor_value_info("s", TensorProto.STRING, [3])],
        [helper.make_tensor_value_info("y0", TensorProto.FLOAT, [64, 64]),
         helper.make_tensor_value_info("y1", TensorProto.FLOAT, [64, 64]),
         helper.make_tensor_value_info("t", TensorProto.STRING, [64, 64]),
         helper.make_tensor_value_info("s_norm", TensorProto.STRING, [None])],
        initializers=weights, name="parallel")
    return model, [numpy_helper.to_array(w) for w in weights]


def test_float_and_string_paths_in_parallel_branches(tmp_path):
    model, weights = parallel_model()
    x = torch.randn(64, 64, generator=torch.Generator().manual_seed(1))
    s = strings(["cats", "and", "dogs"])
    (y0, y1, t, s_norm), module = run_all_modes(model, tmp_path, [x, s],
                                                modes=("thread", "process"))
    assert len(module.CLUSTERS) == 2
    text = strings([[str(v) for v in row] for row in x.numpy()])  # numpy.float32's str
    assert_strings(text.tolist(), t)
    assert_strings(["CATS", "DOGS"], s_norm)
    parsed = text.astype(np.float32)
    np.testing.assert_array_equal(parsed, x.numpy())  # numpy's spelling reads back exactly
    for branch, y in enumerate((y0, y1)):
        product = parsed @ weights[branch]
        # The product's text reads back as the same float32s.
        np.testing.assert_allclose(y.numpy(), np.tanh(product), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_a_failure_before_a_string_crosses_workers_is_reported_and_the_program_recovers(
        mode, tmp_path):
    model, weights = parallel_model(parse_x=True)
    onnx_path, module = compile_model(model, tmp_path, options=parallel_options(tmp_path))
    assert len(module.CLUSTERS) == 2
    numbers = np.arange(64 * 64, dtype=np.float32).reshape(64, 64) / 1000
    good = strings([[str(v) for v in row] for row in numbers])
    bad = good.copy()
    bad[5, 7] = "seven"
    s = strings(["a", "b", "c"])
    with module.load(onnx_path, mode=mode) as program:
        assert program.workers == 2
        with pytest.raises(module.NodeError, match="seven") as failure:
            program(bad, s)
        assert (failure.value.node, failure.value.op) == ("parse", "Cast")
        y0, _, t, _ = program(good, s)  # nothing of the failed run is left in the mailboxes
    assert_strings(good.tolist(), t)
    np.testing.assert_allclose(y0.numpy(), np.tanh(numbers @ weights[0]), rtol=1e-5, atol=1e-6)


def test_the_command_line_check_runs_string_inputs(tmp_path):
    model, _ = parallel_model()
    onnx_path, module = compile_model(model, tmp_path, options=parallel_options(tmp_path))
    assert len(module.CLUSTERS) == 2
    for mode in ("thread", "process"):
        result = subprocess.run([sys.executable, module.__file__, "--onnx", onnx_path, "--check",
                                 "--mode", mode], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "check: passed" in result.stdout


def test_a_string_input_must_be_a_str_array(tmp_path):
    model = normalizer_model([2])
    onnx_path, module = compile_model(model, tmp_path)
    with module.load(onnx_path, workers=1) as program:
        with pytest.raises(TypeError, match="numpy array of str"):
            program(torch.zeros(2))


def test_other_ops_on_strings_are_refused_with_node_op_and_opset(tmp_path):
    nodes = [helper.make_node("Transpose", ["s"], ["t"], name="flip")]
    model = string_model(nodes, [helper.make_tensor_value_info("s", TensorProto.STRING, [2, 3])],
                         [helper.make_tensor_value_info("t", TensorProto.STRING, [3, 2])],
                         opset=13)
    message = refusal(model, tmp_path)
    assert ("node 'flip' (Transpose, opset 13): string tensors are supported only by Identity, "
            "Cast, CastLike and StringNormalizer") in message


def test_casts_from_strings_to_bool_are_refused(tmp_path):
    nodes = [helper.make_node("Cast", ["s"], ["b"], name="truth", to=TensorProto.BOOL)]
    model = string_model(nodes, [helper.make_tensor_value_info("s", TensorProto.STRING, [2])],
                         [helper.make_tensor_value_info("b", TensorProto.BOOL, [2])], opset=13)
    assert ("node 'truth' (Cast, opset 13): casts from string to bool are not supported"
            in refusal(model, tmp_path))


def test_a_turkish_locale_is_refused(tmp_path):
    model = normalizer_model([2], case_change_action="UPPER", locale="tr_TR")
    message = refusal(model, tmp_path)
    assert "(StringNormalizer, opset 10): attribute locale=tr_TR is not supported" in message
