# model.py: the parallel PyTorch program Ramiel compiled from the ONNX model "branches".
# Generated code: do not edit it, compile the model again instead.
#
# Model:     sha256 62443237acf1198f619085ac1d6d189348909dd4b1629626f00e20ee667e55ed
# Compiler:  Ramiel 0.0.0-test
# Options:   clusters=conv_a,relu_a,concat,gap,flatten,fc,softmax;conv_b,relu_b,pool_b
# Schedule:  2 clusters; predicted serial 100.0 us, critical path 70.0 us, makespan 70.0 us (1.43x)
#   cluster 0: 7 nodes, 70.0 us, threads 1
#   cluster 1: 3 nodes, 30.0 us, threads 1
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
MODEL_NAME = "branches"
MODEL_SHA256 = "62443237acf1198f619085ac1d6d189348909dd4b1629626f00e20ee667e55ed"
COMPILER_VERSION = "0.0.0-test"
OPTIONS = "clusters=conv_a,relu_a,concat,gap,flatten,fc,softmax;conv_b,relu_b,pool_b"

# Graph inputs and outputs, in order: (ONNX name, variable, dtype, shape).
INPUTS = (("x", "x", torch.float32, (1, 3, 8, 8)),)
OUTPUTS = (("prob", "prob", torch.float32, (1, 5)),)
# Outputs that are constants: variable -> attribute of the constants object.
CONSTANT_OUTPUTS = {}

# Weights read from the model file: attribute -> (initializer or Constant name, dtype).
MODEL_CONSTANTS = {
    "conv_a_weight": ("conv_a.weight", torch.float32), "conv_a_bias": ("conv_a.bias", torch.float32),
    "conv_b_weight": ("conv_b.weight", torch.float32), "fc_weight": ("fc.weight", torch.float32),
    "fc_bias": ("fc.bias", torch.float32),
}

# Convolution weights, kept channels-last like the activations they meet.
CHANNELS_LAST_CONSTANTS = ("conv_a_weight", "conv_b_weight")


def folded_constants():
    """Constants the compiler computed, which the model file lacks."""
    return {}


def cluster_0(c, io):
    """Cluster 0: 7 nodes, predicted 70.0 us."""
    x = io.recv("x")
    x = x.contiguous(memory_format=torch.channels_last)
    a = F.conv2d(x, c.conv_a_weight, c.conv_a_bias, padding=1)
    del x
    a_relu = F.relu(a, inplace=True)
    del a
    b_pool = io.recv("b_pool")
    cat = torch.cat([a_relu, b_pool], dim=1)
    del a_relu, b_pool
    gap = F.adaptive_avg_pool2d(cat, 1)
    del cat
    flat = torch.flatten(gap, 1)
    del gap
    logits = torch.addmv(c.fc_bias, c.fc_weight, flat[0]).unsqueeze(0)
    del flat
    prob = F.softmax(logits, dim=1)
    del logits
    io.send("prob", prob)
    del prob


def cluster_1(c, io):
    """Cluster 1: 3 nodes, predicted 30.0 us."""
    x = io.recv("x")
    x = x.contiguous(memory_format=torch.channels_last)
    b = F.conv2d(x, c.conv_b_weight)
    del x
    b_relu = F.relu(b, inplace=True)
    del b
    b_pool = F.max_pool2d(b_relu, 3, stride=1, padding=1)
    del b_relu
    io.send("b_pool", b_pool)
    del b_pool


def run_serial(c, io):
    """The whole graph in one function, nodes in graph order: what workers=1 runs."""
    x = io.recv("x")
    x = x.contiguous(memory_format=torch.channels_last)
    a = F.conv2d(x, c.conv_a_weight, c.conv_a_bias, padding=1)
    a_relu = F.relu(a, inplace=True)
    del a
    b = F.conv2d(x, c.conv_b_weight)
    del x
    b_relu = F.relu(b, inplace=True)
    del b
    b_pool = F.max_pool2d(b_relu, 3, stride=1, padding=1)
    del b_relu
    cat = torch.cat([a_relu, b_pool], dim=1)
    del a_relu, b_pool
    gap = F.adaptive_avg_pool2d(cat, 1)
    del cat
    flat = torch.flatten(gap, 1)
    del gap
    logits = torch.addmv(c.fc_bias, c.fc_weight, flat[0]).unsqueeze(0)
    del flat
    prob = F.softmax(logits, dim=1)
    del logits
    io.send("prob", prob)
    del prob


# The schedule: (function, predicted us, tensors it receives, tensors it sends).
CLUSTERS = (
    (cluster_0, 70.0, ("x", "b_pool"), ("prob",)),
    (cluster_1, 30.0, ("x",), ("b_pool",)),
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
    "b_pool": (torch.float32, (1, 4, 8, 8), torch.channels_last),
    "prob": (torch.float32, (1, 5), torch.contiguous_format),
    "x": (torch.float32, (1, 3, 8, 8), torch.channels_last),
}
PREDICTED_SPEEDUP = 1.43


# Line -> (node, op) whose statements start there and run to the next entry (the dels after
# them included); errors and --trace name nodes with it. Hand-offs read ("recv x", "recv").
NODE_LINES = {
    85: ("recv x", "recv"), 87: ("conv_a", "Conv"), 89: ("relu_a", "Relu"), 91: ("recv b_pool", "recv"),
    92: ("concat", "Concat"), 94: ("gap", "GlobalAveragePool"), 96: ("flatten", "Flatten"), 98: ("fc", "Gemm"),
    100: ("softmax", "Softmax"), 102: ("send prob", "send"), 108: ("recv x", "recv"), 110: ("conv_b", "Conv"),
    112: ("relu_b", "Relu"), 114: ("pool_b", "MaxPool"), 116: ("send b_pool", "send"), 122: ("recv x", "recv"),
    124: ("conv_a", "Conv"), 125: ("relu_a", "Relu"), 127: ("conv_b", "Conv"), 129: ("relu_b", "Relu"),
    131: ("pool_b", "MaxPool"), 133: ("concat", "Concat"), 135: ("gap", "GlobalAveragePool"),
    137: ("flatten", "Flatten"), 139: ("fc", "Gemm"), 141: ("softmax", "Softmax"), 143: ("send prob", "send"),
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
