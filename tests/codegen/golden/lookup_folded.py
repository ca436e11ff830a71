# model.py: the parallel PyTorch program Ramiel compiled from the ONNX model "lookup".
# Generated code: do not edit it, compile the model again instead.
#
# Model:     sha256 a3a6352e40584fbe67442e230025613f95626db8046eb7b3955366ba2ff9673d
# Compiler:  Ramiel 0.0.0-test
# Options:   clusters=embedding_lookup;relu,add
# Schedule:  2 clusters; predicted serial 30.0 us, critical path 20.0 us, makespan 20.0 us (1.50x)
#   cluster 0: 1 nodes, 10.0 us, threads 1
#   cluster 1: 2 nodes, 20.0 us, threads 1
#
# It needs Python 3, PyTorch (1.13 to 2.x), the onnx package, which reads the weights
# from the model file, and ramiel_runtime.py beside it (the code every program shares,
# which this one calls as ramiel.*).
#
#   python3 model.py --onnx MODEL.onnx --check         parallel against serial, random inputs
#   python3 model.py --onnx MODEL.onnx --bench         median latency, serial and parallel
#   python3 model.py --onnx MODEL.onnx --profile FILE  every node's time, for --costs FILE
#   python3 model.py --onnx MODEL.onnx --trace FILE    Chrome/Perfetto trace of one run
#
#   import model
#   with model.load("MODEL.onnx", workers=None, mode="thread") as program:
#       outputs = program(*inputs)  # inputs in INPUTS order -> outputs in OUTPUTS order

# A wide worker runs beside narrow ones (a staged schedule).
STAGED = False
# The ramiel_runtime.py this program was compiled with.
RUNTIME_VERSION = "0.0.0-test+RUNTIME_DIGEST"

import importlib.util
import os
import sys


def _import_runtime():
    """ramiel_runtime.py from this file's directory, loaded by path (no install, no sys.path);
    it must be the version this program was compiled for."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ramiel_runtime.py")
    if not os.path.exists(path):
        raise ImportError("%s needs %s, which its compile wrote beside it" % (__file__, path))
    spec = importlib.util.spec_from_file_location("ramiel_runtime", path)
    runtime = importlib.util.module_from_spec(spec)
    runtime.LIMIT_OPENMP_SPINNING = STAGED  # read before the runtime imports torch
    spec.loader.exec_module(runtime)
    found = getattr(runtime, "RUNTIME_VERSION", "unknown")
    if found != RUNTIME_VERSION:
        raise ImportError("%s is runtime %s, and this program needs %s: keep the files of one "
                          "compile together" % (path, found, RUNTIME_VERSION))
    return runtime


ramiel = _import_runtime()
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# The model this program was compiled from; load() refuses any other file.
MODEL_NAME = "lookup"
MODEL_SHA256 = "a3a6352e40584fbe67442e230025613f95626db8046eb7b3955366ba2ff9673d"
COMPILER_VERSION = "0.0.0-test"
OPTIONS = "clusters=embedding_lookup;relu,add"

# Graph inputs and outputs, in order: (ONNX name, variable, dtype, shape).
INPUTS = (("ids", "ids", torch.int64, (3,)), ("x", "x", torch.float32, (3, 2)))
OUTPUTS = (("y", "y", torch.float32, (3, 2)),)
# Outputs that are constants: variable -> attribute of the constants object.
CONSTANT_OUTPUTS = {}

# Weights read from the model file: attribute -> (initializer or Constant name, dtype).
MODEL_CONSTANTS = {}

# Convolution weights, kept channels-last like the activations they meet.
CHANNELS_LAST_CONSTANTS = ()


def folded_constants():
    """Constants the compiler computed, which the model file lacks."""
    return {
        "table": torch.tensor([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], dtype=torch.float32).reshape(4, 2),
    }


def cluster_0(c, io):
    """Cluster 0: 1 nodes, predicted 10.0 us."""
    ids = io.recv("ids")
    rows = ramiel.onnx_gather(c.table, ids, 0)
    del ids
    io.send("rows", rows)
    del rows


def cluster_1(c, io):
    """Cluster 1: 2 nodes, predicted 20.0 us."""
    x = io.recv("x")
    xr = F.relu(x)
    del x
    rows = io.recv("rows")
    y = xr.add_(rows)
    del xr, rows
    io.send("y", y)
    del y


def run_serial(c, io):
    """The whole graph in one function, nodes in graph order: what workers=1 runs."""
    ids = io.recv("ids")
    rows = ramiel.onnx_gather(c.table, ids, 0)
    del ids
    x = io.recv("x")
    xr = F.relu(x)
    del x
    y = xr.add_(rows)
    del xr, rows
    io.send("y", y)
    del y


# The schedule: (function, predicted us, tensors it receives, tensors it sends).
CLUSTERS = (
    (cluster_0, 10.0, ("ids",), ("rows",)),
    (cluster_1, 20.0, ("x", "rows"), ("y",)),
)
# Intra-op threads of each cluster's worker, set once per worker; () divides the cores
# among the workers.
CLUSTER_THREADS = ()
# How load() runs each cluster by default: "eager" (its function), "frozen" or "prepacked"
# (traced once and frozen at load, runtime/engines.py); measured by --profile, else
# from the op mix (core/codegen/engines.cc).
ENGINES = ("eager", "eager")
# Tensors handed between clusters or to the caller: variable -> (dtype, shape, memory format).
TRANSFERS = {
    "ids": (torch.int64, (3,), torch.contiguous_format),
    "rows": (torch.float32, (3, 2), torch.contiguous_format),
    "x": (torch.float32, (3, 2), torch.contiguous_format),
    "y": (torch.float32, (3, 2), torch.contiguous_format),
}
PREDICTED_SPEEDUP = 1.5


# Line -> (node, op) whose statements start there and run to the next entry (the dels after
# them included); errors and --trace name nodes with it. Hand-offs read ("recv x", "recv").
NODE_LINES = {
    83: ("recv ids", "recv"), 84: ("embedding_lookup", "Gather"), 86: ("send rows", "send"), 92: ("recv x", "recv"),
    93: ("relu", "Relu"), 95: ("recv rows", "recv"), 96: ("add", "Add"), 98: ("send y", "send"),
    104: ("recv ids", "recv"), 105: ("embedding_lookup", "Gather"), 107: ("recv x", "recv"), 108: ("relu", "Relu"),
    110: ("add", "Add"), 112: ("send y", "send"),
}


MODEL = ramiel.Model(globals())
NodeError, ModelMismatchError = ramiel.NodeError, ramiel.ModelMismatchError


def load(onnx_path, workers=None, mode="thread", threads=None, engine=None):
    """Loads the weights from `onnx_path` (it must be the model compiled) and starts the workers:
    None for the schedule's count, 1 for a serial run. mode: "thread" or "process". threads:
    intra-op threads; None for the schedule's. engine: "eager", "frozen" or "prepacked" (each
    cluster traced and frozen at load) or None for ENGINES. See ramiel_runtime.Program."""
    return ramiel.Program(MODEL, onnx_path, workers=workers, mode=mode, threads=threads,
                          engine=engine)


if __name__ == "__main__":
    sys.exit(ramiel.main(MODEL))
if __name__ == "__ramiel_worker__":  # a worker process of mode="process"
    ramiel.process_worker_main(MODEL, globals()["_RAMIEL_WORKER_ARGS"])
