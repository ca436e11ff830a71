# Runs compiled conformance cases in one long-lived Python process, so torch is imported once
# for hundreds of cases. run_conformance.py starts a few of these and feeds them one case at a
# time: a JSON request per line on stdin, a JSON result per line on the original stdout (the
# generated programs' own prints go to stderr).
#
# Each case's model.py is imported as its own module and run through its public API,
# `load(onnx_path, workers, mode)`, serially (workers=1) and in parallel (the schedule's worker
# count) in thread mode, and in process mode when the request asks for it; every output is
# compared with the case's expected one.
import gc
import importlib.util
import json
import os
import sys
import time
import traceback

import numpy as np
import onnx
import onnx.numpy_helper
import torch

from conformance_cases import compare, data_sets, numbered_files

_TORCH_TO_ONNX = {
    torch.float32: onnx.TensorProto.FLOAT, torch.float64: onnx.TensorProto.DOUBLE,
    torch.float16: onnx.TensorProto.FLOAT16, torch.bfloat16: onnx.TensorProto.BFLOAT16,
    torch.int8: onnx.TensorProto.INT8, torch.int16: onnx.TensorProto.INT16,
    torch.int32: onnx.TensorProto.INT32, torch.int64: onnx.TensorProto.INT64,
    torch.uint8: onnx.TensorProto.UINT8, torch.bool: onnx.TensorProto.BOOL,
    torch.complex64: onnx.TensorProto.COMPLEX64, torch.complex128: onnx.TensorProto.COMPLEX128,
}

# torch 1.13 lacks uint16/32/64: a program takes and returns them in a signed carrier (uint16 in
# int32, uint32 in int64 with the same values, uint64 in int64 with the same bits).
_UNSIGNED_CARRIERS = {
    onnx.TensorProto.UINT16: (torch.int32, np.int32),
    onnx.TensorProto.UINT32: (torch.int64, np.int64),
    onnx.TensorProto.UINT64: (torch.int64, np.int64),
}


def _carried(array):
    """A uint16/32/64 numpy array as its carrier holds it."""
    if array.dtype == np.uint64:
        return array.view(np.int64)
    return array.astype(np.int32 if array.dtype == np.uint16 else np.int64)


class CaseError(Exception):
    """The program could not be run on the case: a run-time failure."""


class DataError(Exception):
    """The case's test data contradicts its own model (an input of another shape than the
    graph declares): no program compiled for the model can take it."""


def _type_name(elem_type):
    return onnx.TensorProto.DataType.Name(elem_type)


def _read_tensor(path, elem_type):
    """The numpy array of a .pb file, read as the graph declares it. The test data stores
    bfloat16 tensors as their uint16 bits; those become float32 values."""
    proto = onnx.TensorProto()
    with open(path, "rb") as f:
        proto.ParseFromString(f.read())
    array = onnx.numpy_helper.to_array(proto)
    if elem_type == onnx.TensorProto.BFLOAT16 and array.dtype == np.uint16:
        array = (array.astype(np.uint32) << 16).view(np.float32)
    return array


def _to_torch(array, elem_type, name):
    if elem_type == onnx.TensorProto.STRING:  # programs hold strings as numpy arrays of str
        return np.array(array, dtype=object)
    if elem_type in _UNSIGNED_CARRIERS:
        return torch.from_numpy(np.array(_carried(array), copy=True))
    if elem_type == onnx.TensorProto.BFLOAT16:
        # np.array, not np.ascontiguousarray: that makes a 0-d array 1-d.
        return torch.from_numpy(np.array(array, dtype=np.float32)).to(torch.bfloat16)
    try:
        return torch.from_numpy(np.array(array, copy=True))
    except TypeError as e:
        raise CaseError("input %r of type %s cannot be a torch tensor: %s"
                        % (name, _type_name(elem_type), e))


def _to_numpy(tensor):
    tensor = tensor.detach().cpu()
    if tensor.dtype == torch.bfloat16:
        return tensor.float().numpy()
    return tensor.numpy()


def _value_type(value_info, what):
    """The graph value's TypeProto: a tensor, a sequence of tensors, or an optional of those."""
    kind = value_info.type.WhichOneof("value")
    inner = value_info.type
    if kind == "optional_type":
        inner = value_info.type.optional_type.elem_type
    if inner.WhichOneof("value") == "sequence_type":
        inner = inner.sequence_type.elem_type
    if inner.WhichOneof("value") != "tensor_type":
        raise CaseError("%s %r is of type %s, which the worker cannot read"
                        % (what, value_info.name, kind))
    return value_info.type


def _elem_type(type_proto):
    """The element type of the tensors a tensor, sequence or optional type holds."""
    if type_proto.HasField("optional_type"):
        return _elem_type(type_proto.optional_type.elem_type)
    if type_proto.HasField("sequence_type"):
        return _elem_type(type_proto.sequence_type.elem_type)
    return type_proto.tensor_type.elem_type


def _read_value(path, type_proto):
    """A .pb file as onnx's backend test runner reads it: a numpy array, a list of them (a
    SequenceProto) or, for an optional (an OptionalProto), either one or None."""
    if type_proto.HasField("tensor_type"):
        return _read_tensor(path, type_proto.tensor_type.elem_type)
    with open(path, "rb") as f:
        content = f.read()
    if type_proto.HasField("sequence_type"):
        proto = onnx.SequenceProto()
        proto.ParseFromString(content)
        return onnx.numpy_helper.to_list(proto)
    proto = onnx.OptionalProto()
    proto.ParseFromString(content)
    return onnx.numpy_helper.to_optional(proto)


def _value_to_torch(value, elem_type, name):
    if value is None:
        return None
    if isinstance(value, list):
        return [_to_torch(array, elem_type, name) for array in value]
    return _to_torch(value, elem_type, name)


def _clone(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [_clone(tensor) for tensor in value]
    return value.copy() if isinstance(value, np.ndarray) else value.clone()  # strings: numpy


def _check_declared_shape(value_info, array):
    if not value_info.type.HasField("tensor_type"):
        return  # a sequence's or an optional's elements may have any shape
    dims = value_info.type.tensor_type.shape.dim
    declared = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    if value_info.type.tensor_type.HasField("shape") and (
            len(declared) != array.ndim or
            any(want is not None and want != got for want, got in zip(declared, array.shape))):
        raise DataError("the test data's input %r has shape %s, the model declares %s"
                        % (value_info.name, list(array.shape), declared))


def _static_transfers(module):
    """Whether every tensor handed between workers has a static shape (process mode needs
    that to preallocate its shared buffers). TRANSFERS entries are (dtype, shape, ...)."""
    return all(entry[1] is not None and None not in entry[1]
               for entry in module.TRANSFERS.values())


def _import_program(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules[name]
        raise
    return module


def _check_tensor(name, actual, want, elem_type):
    if elem_type == onnx.TensorProto.STRING:
        if not (isinstance(actual, np.ndarray) and actual.dtype == object):
            return "output %r is a %s, not a numpy array of str" % (name, type(actual).__name__)
        problem = compare(want, actual)
        return "output %r: %s" % (name, problem) if problem else None
    if not isinstance(actual, torch.Tensor):
        return "output %r is a %s, not a tensor" % (name, type(actual).__name__)
    if elem_type in _UNSIGNED_CARRIERS:
        if actual.dtype != _UNSIGNED_CARRIERS[elem_type][0]:
            return "output %r is %s, expected %s in %s" % (
                name, actual.dtype, _type_name(elem_type), _UNSIGNED_CARRIERS[elem_type][0])
        want = _carried(want)
    elif _TORCH_TO_ONNX.get(actual.dtype) != elem_type:
        return "output %r is %s, expected %s" % (name, actual.dtype, _type_name(elem_type))
    problem = compare(want, _to_numpy(actual))
    if problem:
        return "output %r: %s" % (name, problem)
    return None


def _check_value(name, actual, want, elem_type):
    """A tensor against an array; a list of tensors against a list of arrays; None only
    against None (an empty optional)."""
    if want is None or actual is None:
        if want is None and actual is None:
            return None
        return "output %r is %s, expected %s" % (
            name, "None" if actual is None else "a value", "None" if want is None else "a value")
    if isinstance(want, list):
        if not isinstance(actual, list):
            return "output %r is a %s, not a list" % (name, type(actual).__name__)
        if len(actual) != len(want):
            return "output %r has %d tensors, expected %d" % (name, len(actual), len(want))
        for index, (tensor, array) in enumerate(zip(actual, want)):
            problem = _check_tensor("%s[%d]" % (name, index), tensor, array, elem_type)
            if problem:
                return problem
        return None
    return _check_tensor(name, actual, want, elem_type)


def _check_outputs(outputs, expected, names):
    if not isinstance(outputs, tuple) or len(outputs) != len(expected):
        return "returned %r, expected a tuple of %d values" % (type(outputs).__name__, len(expected))
    for i, (actual, (want, elem_type)) in enumerate(zip(outputs, expected)):
        problem = _check_value(names[i], actual, want, elem_type)
        if problem:
            return problem
    return None


def run_case(request, serial_number):
    """Runs one compiled case; returns (status, detail) with status pass / wrong / runtime."""
    model = onnx.load(request["model"], load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    graph_inputs = [v for v in model.graph.input if v.name not in initializers]
    input_types = [_value_type(v, "input") for v in graph_inputs]
    output_types = [_value_type(v, "output") for v in model.graph.output]
    module = _import_program(os.path.join(request["dir"], "model.py"),
                             "conformance_case_%d" % serial_number)
    try:
        order = [entry[0] for entry in module.INPUTS]
        names = [entry[0] for entry in module.OUTPUTS]
        if names != [v.name for v in model.graph.output]:
            raise CaseError("the program's outputs %s are not the graph's %s"
                            % (names, [v.name for v in model.graph.output]))
        runs = [("serial", 1, "thread")]
        if len(module.CLUSTERS) > 1:
            runs.append(("parallel", None, "thread"))
            if request.get("process") and _static_transfers(module):
                runs.append(("process", None, "process"))
        for data_set in data_sets(request["data"]):
            given = {}
            for value, type_proto, path in zip(graph_inputs, input_types,
                                               numbered_files(data_set, "input")):
                data = _read_value(path, type_proto)
                if type_proto.HasField("tensor_type"):
                    _check_declared_shape(value, data)
                given[value.name] = _value_to_torch(data, _elem_type(type_proto), value.name)
            missing = [name for name in order if name not in given]
            if missing:
                raise CaseError("no test data for the program's inputs %s" % missing)
            inputs = [given[name] for name in order]
            expected = [(_read_value(path, type_proto), _elem_type(type_proto))
                        for type_proto, path in zip(output_types,
                                                    numbered_files(data_set, "output"))]
            for label, workers, mode in runs:
                with module.load(request["model"], workers=workers, mode=mode, threads=1) as program:
                    outputs = program(*[_clone(value) for value in inputs])
                problem = _check_outputs(outputs, expected, names)
                if problem:
                    return "wrong", "%s run: %s" % (label, problem)
        return "pass", "+".join(label for label, _, _ in runs)
    finally:
        sys.modules.pop(module.__name__, None)


def main():
    results = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever a program prints goes to stderr, never into the results
    sys.stdout = sys.stderr
    torch.set_num_threads(1)
    for serial_number, line in enumerate(sys.stdin):
        request = json.loads(line)
        start = time.perf_counter()
        try:
            status, detail = run_case(request, serial_number)
        except CaseError as e:
            status, detail = "runtime", str(e)
        except DataError as e:
            status, detail = "data", str(e)
        except Exception as e:  # the program failed: what and where, in one line
            frames = traceback.extract_tb(e.__traceback__)
            where = frames[-1] if frames else None
            detail = "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else "")
            if where is not None:
                detail += " (%s:%d)" % (os.path.basename(where.filename), where.lineno)
            status = "runtime"
        gc.collect()
        results.write(json.dumps({"case": request["case"], "status": status, "detail": detail,
                                  "seconds": round(time.perf_counter() - start, 4)}) + "\n")


if __name__ == "__main__":
    main()
