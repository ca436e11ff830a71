"""The conformance worker's conversions of test data into program inputs: they must keep every
shape (a 0-d input stays 0-d) and turn each type into what programs take."""
import numpy as np
import onnx
import torch

from conformance_worker import _to_torch


def test_bfloat16_inputs_keep_their_shape_even_at_rank_0():
    for shape in [(), (1,), (2, 3)]:
        array = np.full(shape, 1.5, dtype=np.float32)
        tensor = _to_torch(array, onnx.TensorProto.BFLOAT16, "x")
        assert tensor.dtype == torch.bfloat16
        assert tuple(tensor.shape) == shape
        assert (tensor.float() == 1.5).all()


def test_string_inputs_become_numpy_arrays_of_str():
    array = np.array([["a", "b"]], dtype=object)
    value = _to_torch(array, onnx.TensorProto.STRING, "s")
    assert isinstance(value, np.ndarray) and value.dtype == object
    assert value.tolist() == [["a", "b"]] and value is not array
