# --- loading: errors, the constants object, the model's weights ----------------------------------

class ModelMismatchError(ValueError):
    """The ONNX file is not the one this program was compiled from."""


class NodeError(RuntimeError):
    """A node of the graph failed while the program ran.

    `node` and `op` name it (None when the failure was outside any node), `worker` is the worker
    it ran on; the original exception is chained as __cause__ (thread mode and serial runs) or
    described in the message (process mode).
    """

    def __init__(self, message, node=None, op=None, worker=None):
        super().__init__(message)
        self.node = node
        self.op = op
        self.worker = worker


class Constants:
    """The model's constants as attributes: weights read from the ONNX file and folded values."""

    def __init__(self, tensors):
        self.__dict__.update(tensors)


class _Aborted(Exception):
    """Raised in a worker waiting for a tensor that will never come because another failed."""


def _sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _constant_node_array(node, numpy_helper, np):
    for attribute in node.attribute:
        if attribute.name == "value":
            return numpy_helper.to_array(attribute.t)
        if attribute.name == "value_float":
            return np.array(attribute.f, dtype=np.float32)
        if attribute.name == "value_floats":
            return np.array(list(attribute.floats), dtype=np.float32)
        if attribute.name == "value_int":
            return np.array(attribute.i, dtype=np.int64)
        if attribute.name == "value_ints":
            return np.array(list(attribute.ints), dtype=np.int64)
        if attribute.name == "value_string":
            return np.array(attribute.s.decode("utf-8"), dtype=object)
        if attribute.name == "value_strings":
            return np.array([s.decode("utf-8") for s in attribute.strings], dtype=object)
    raise ModelMismatchError("Constant node %r has no value this program can read" % node.name)


def load_constants(model, onnx_path):
    """Reads the model's weights from `onnx_path`, after checking it is the compiled model."""
    actual = _sha256_of(onnx_path)
    if actual != model.MODEL_SHA256:
        raise ModelMismatchError(
            "%s is not the model this program was compiled from: its sha256 is %s, expected %s "
            "(%s); compile this file with ramiel-client to get its program"
            % (onnx_path, actual, model.MODEL_SHA256, model.MODEL_NAME))
    tensors = {}
    if model.MODEL_CONSTANTS:
        import numpy as np
        import onnx
        from onnx import numpy_helper

        graph = onnx.load(onnx_path).graph
        initializers = {t.name: t for t in graph.initializer}
        constant_nodes = {n.output[0]: n for n in graph.node
                          if n.op_type == "Constant" and n.domain in ("", "ai.onnx")}
        for attribute, (onnx_name, dtype) in model.MODEL_CONSTANTS.items():
            if onnx_name in initializers:
                array = numpy_helper.to_array(initializers[onnx_name])
            elif onnx_name in constant_nodes:
                array = _constant_node_array(constant_nodes[onnx_name], numpy_helper, np)
            else:
                raise ModelMismatchError("%s has no initializer or Constant named %r"
                                         % (onnx_path, onnx_name))
            if dtype is str:  # a string tensor stays a numpy array of str
                tensors[attribute] = np.array(array, dtype=object)
                continue
            if array.dtype in (np.uint16, np.uint32, np.uint64):  # torch lacks: carry as int64
                array = array.view(np.int64) if array.itemsize == 8 else array.astype(np.int64)
            tensors[attribute] = torch.from_numpy(np.array(array, copy=True)).to(dtype)
    tensors.update(model.folded_constants())
    for attribute in model.CHANNELS_LAST_CONSTANTS:  # as the activations the convolutions read
        tensors[attribute] = tensors[attribute].contiguous(memory_format=torch.channels_last)
    derive = getattr(model, "derived_constants", None)  # absent where the program has none
    if derive is not None:
        tensors.update(derive(Constants(tensors)))
    return tensors


def _available_cores():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
