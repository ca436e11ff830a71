# model.py: the parallel PyTorch program Ramiel compiled from the ONNX model "encoder".
# Generated code: do not edit it, compile the model again instead.
#
# Model:     sha256 560aacf146188cd24f13ec73e999e15ee2025820f70f1cec2450ddedf1a9ce21
# Compiler:  Ramiel 0.0.0-test
# Options:   clusters=embed,add_pos,ln0,q_proj,q_bias,q_heads,q_t,scores,scale_scores,softmax,context,context_t,merge_heads,out_proj,out_bias,residual0,ln1,ff1,ff1_bias,gelu_div,gelu_erf,gelu_add,gelu_mul,gelu_half,ff2,ff2_bias,residual1;k_proj,k_bias,k_heads,k_t;v_proj,v_bias,v_heads,v_t
# Schedule:  3 clusters; predicted serial 350.0 us, critical path 270.0 us, makespan 270.0 us (1.30x)
#   cluster 0: 27 nodes, 270.0 us, threads 1
#   cluster 1: 4 nodes, 40.0 us, threads 1
#   cluster 2: 4 nodes, 40.0 us, threads 1
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
MODEL_NAME = "encoder"
MODEL_SHA256 = "560aacf146188cd24f13ec73e999e15ee2025820f70f1cec2450ddedf1a9ce21"
COMPILER_VERSION = "0.0.0-test"
OPTIONS = "clusters=embed,add_pos,ln0,q_proj,q_bias,q_heads,q_t,scores,scale_scores,softmax,context,context_t,merge_heads,out_proj,out_bias,residual0,ln1,ff1,ff1_bias,gelu_div,gelu_erf,gelu_add,gelu_mul,gelu_half,ff2,ff2_bias,residual1;k_proj,k_bias,k_heads,k_t;v_proj,v_bias,v_heads,v_t"

# Graph inputs and outputs, in order: (ONNX name, variable, dtype, shape).
INPUTS = (("ids", "ids", torch.int64, (1, 8)),)
OUTPUTS = (("y", "y", torch.float32, (1, 8, 16)),)
# Outputs that are constants: variable -> attribute of the constants object.
CONSTANT_OUTPUTS = {}

# Weights read from the model file: attribute -> (initializer or Constant name, dtype).
MODEL_CONSTANTS = {
    "word_emb": ("word_emb", torch.float32), "pos_emb": ("pos_emb", torch.float32), "wq": ("wq", torch.float32),
    "bq": ("bq", torch.float32), "wk": ("wk", torch.float32), "bk": ("bk", torch.float32), "wv": ("wv", torch.float32),
    "bv": ("bv", torch.float32), "wo": ("wo", torch.float32), "bo": ("bo", torch.float32), "w1": ("w1", torch.float32),
    "b1": ("b1", torch.float32), "w2": ("w2", torch.float32), "b2": ("b2", torch.float32),
    "ln0_g": ("ln0.g", torch.float32), "ln0_b": ("ln0.b", torch.float32), "ln1_g": ("ln1.g", torch.float32),
    "ln1_b": ("ln1.b", torch.float32),
}

# Convolution weights, kept channels-last like the activations they meet.
CHANNELS_LAST_CONSTANTS = ()


def folded_constants():
    """Constants the compiler computed, which the model file lacks."""
    return {}


def cluster_0(c, io):
    """Cluster 0: 27 nodes, predicted 270.0 us."""
    ids = io.recv("ids")
    emb = ramiel.onnx_gather(c.word_emb, ids, 0)
    del ids
    h0 = emb + c.pos_emb
    del emb
    h = F.layer_norm(h0, (16,), c.ln0_g, c.ln0_b, eps=1e-05)
    del h0
    io.send("h", h)
    q0 = torch.matmul(h, c.wq)
    q1 = q0.add_(c.bq)
    del q0
    q2 = q1.reshape(1, 8, 2, 8)
    del q1
    q = q2.permute(0, 2, 1, 3)
    del q2
    kt = io.recv("kt")
    s0 = torch.matmul(q, kt)
    del q, kt
    s1 = s0.div_(2.828427)
    del s0
    p = F.softmax(s1, dim=-1)
    del s1
    v = io.recv("v")
    c0 = torch.matmul(p, v)
    del p, v
    c1 = c0.permute(0, 2, 1, 3)
    del c0
    c2 = c1.reshape(1, 8, 16)
    del c1
    o0 = torch.matmul(c2, c.wo)
    del c2
    o1 = o0.add_(c.bo)
    del o0
    r0 = o1.add_(h)
    del o1, h
    r = F.layer_norm(r0, (16,), c.ln1_g, c.ln1_b, eps=1e-05)
    del r0
    f0 = torch.matmul(r, c.w1)
    f1 = f0.add_(c.b1)
    del f0
    g0 = f1 / 1.4142135
    g1 = torch.erf(g0)
    del g0
    g2 = g1 + 1.0
    del g1
    g3 = g2.mul_(f1)
    del f1, g2
    g4 = g3.mul_(0.5)
    del g3
    f2 = torch.matmul(g4, c.w2)
    del g4
    f3 = f2.add_(c.b2)
    del f2
    y = f3.add_(r)
    del f3, r
    io.send("y", y)
    del y


def cluster_1(c, io):
    """Cluster 1: 4 nodes, predicted 40.0 us."""
    h = io.recv("h")
    k0 = torch.matmul(h, c.wk)
    del h
    k1 = k0.add_(c.bk)
    del k0
    k2 = k1.reshape(1, 8, 2, 8)
    del k1
    kt = k2.permute(0, 2, 3, 1)
    del k2
    io.send("kt", kt)
    del kt


def cluster_2(c, io):
    """Cluster 2: 4 nodes, predicted 40.0 us."""
    h = io.recv("h")
    v0 = torch.matmul(h, c.wv)
    del h
    v1 = v0.add_(c.bv)
    del v0
    v2 = v1.reshape(1, 8, 2, 8)
    del v1
    v = v2.permute(0, 2, 1, 3)
    del v2
    io.send("v", v)
    del v


def run_serial(c, io):
    """The whole graph in one function, nodes in graph order: what workers=1 runs."""
    ids = io.recv("ids")
    emb = ramiel.onnx_gather(c.word_emb, ids, 0)
    del ids
    h0 = emb + c.pos_emb
    del emb
    h = F.layer_norm(h0, (16,), c.ln0_g, c.ln0_b, eps=1e-05)
    del h0
    q0 = torch.matmul(h, c.wq)
    q1 = q0.add_(c.bq)
    del q0
    q2 = q1.reshape(1, 8, 2, 8)
    del q1
    q = q2.permute(0, 2, 1, 3)
    del q2
    k0 = torch.matmul(h, c.wk)
    k1 = k0.add_(c.bk)
    del k0
    k2 = k1.reshape(1, 8, 2, 8)
    del k1
    kt = k2.permute(0, 2, 3, 1)
    del k2
    v0 = torch.matmul(h, c.wv)
    v1 = v0.add_(c.bv)
    del v0
    v2 = v1.reshape(1, 8, 2, 8)
    del v1
    v = v2.permute(0, 2, 1, 3)
    del v2
    s0 = torch.matmul(q, kt)
    del q, kt
    s1 = s0.div_(2.828427)
    del s0
    p = F.softmax(s1, dim=-1)
    del s1
    c0 = torch.matmul(p, v)
    del p, v
    c1 = c0.permute(0, 2, 1, 3)
    del c0
    c2 = c1.reshape(1, 8, 16)
    del c1
    o0 = torch.matmul(c2, c.wo)
    del c2
    o1 = o0.add_(c.bo)
    del o0
    r0 = o1.add_(h)
    del o1, h
    r = F.layer_norm(r0, (16,), c.ln1_g, c.ln1_b, eps=1e-05)
    del r0
    f0 = torch.matmul(r, c.w1)
    f1 = f0.add_(c.b1)
    del f0
    g0 = f1 / 1.4142135
    g1 = torch.erf(g0)
    del g0
    g2 = g1 + 1.0
    del g1
    g3 = g2.mul_(f1)
    del f1, g2
    g4 = g3.mul_(0.5)
    del g3
    f2 = torch.matmul(g4, c.w2)
    del g4
    f3 = f2.add_(c.b2)
    del f2
    y = f3.add_(r)
    del f3, r
    io.send("y", y)
    del y


# The schedule: (function, predicted us, tensors it receives, tensors it sends).
CLUSTERS = (
    (cluster_0, 270.0, ("ids", "kt", "v"), ("h", "y")),
    (cluster_1, 40.0, ("h",), ("kt",)),
    (cluster_2, 40.0, ("h",), ("v",)),
)
# Intra-op threads of each cluster's worker, set once per worker; () divides the cores
# among the workers.
CLUSTER_THREADS = ()
# How load() runs each cluster by default: "eager" (its function), "frozen" or "prepacked"
# (traced once and frozen at load, runtime/engines.py); measured by --profile, else
# from the op mix (core/codegen/engines.cc).
ENGINES = ("eager", "eager", "eager")
# Tensors handed between clusters or to the caller: variable -> (dtype, shape, memory format).
TRANSFERS = {
    "h": (torch.float32, (1, 8, 16), torch.contiguous_format),
    "ids": (torch.int64, (1, 8), torch.contiguous_format),
    "kt": (torch.float32, (1, 2, 8, 8), torch.contiguous_format),
    "v": (torch.float32, (1, 2, 8, 8), torch.contiguous_format),
    "y": (torch.float32, (1, 8, 16), torch.contiguous_format),
}
PREDICTED_SPEEDUP = 1.3


# Line -> (node, op) whose statements start there and run to the next entry (the dels after
# them included); errors and --trace name nodes with it. Hand-offs read ("recv x", "recv").
NODE_LINES = {
    89: ("recv ids", "recv"), 90: ("embed", "Gather"), 92: ("add_pos", "Add"), 94: ("ln0", "LayerNormalization"),
    96: ("send h", "send"), 97: ("q_proj", "MatMul"), 98: ("q_bias", "Add"), 100: ("q_heads", "Reshape"),
    102: ("q_t", "Transpose"), 104: ("recv kt", "recv"), 105: ("scores", "MatMul"), 107: ("scale_scores", "Div"),
    109: ("softmax", "Softmax"), 111: ("recv v", "recv"), 112: ("context", "MatMul"), 114: ("context_t", "Transpose"),
    116: ("merge_heads", "Reshape"), 118: ("out_proj", "MatMul"), 120: ("out_bias", "Add"), 122: ("residual0", "Add"),
    124: ("ln1", "LayerNormalization"), 126: ("ff1", "MatMul"), 127: ("ff1_bias", "Add"), 129: ("gelu_div", "Div"),
    130: ("gelu_erf", "Erf"), 132: ("gelu_add", "Add"), 134: ("gelu_mul", "Mul"), 136: ("gelu_half", "Mul"),
    138: ("ff2", "MatMul"), 140: ("ff2_bias", "Add"), 142: ("residual1", "Add"), 144: ("send y", "send"),
    150: ("recv h", "recv"), 151: ("k_proj", "MatMul"), 153: ("k_bias", "Add"), 155: ("k_heads", "Reshape"),
    157: ("k_t", "Transpose"), 159: ("send kt", "send"), 165: ("recv h", "recv"), 166: ("v_proj", "MatMul"),
    168: ("v_bias", "Add"), 170: ("v_heads", "Reshape"), 172: ("v_t", "Transpose"), 174: ("send v", "send"),
    180: ("recv ids", "recv"), 181: ("embed", "Gather"), 183: ("add_pos", "Add"), 185: ("ln0", "LayerNormalization"),
    187: ("q_proj", "MatMul"), 188: ("q_bias", "Add"), 190: ("q_heads", "Reshape"), 192: ("q_t", "Transpose"),
    194: ("k_proj", "MatMul"), 195: ("k_bias", "Add"), 197: ("k_heads", "Reshape"), 199: ("k_t", "Transpose"),
    201: ("v_proj", "MatMul"), 202: ("v_bias", "Add"), 204: ("v_heads", "Reshape"), 206: ("v_t", "Transpose"),
    208: ("scores", "MatMul"), 210: ("scale_scores", "Div"), 212: ("softmax", "Softmax"), 214: ("context", "MatMul"),
    216: ("context_t", "Transpose"), 218: ("merge_heads", "Reshape"), 220: ("out_proj", "MatMul"),
    222: ("out_bias", "Add"), 224: ("residual0", "Add"), 226: ("ln1", "LayerNormalization"), 228: ("ff1", "MatMul"),
    229: ("ff1_bias", "Add"), 231: ("gelu_div", "Div"), 232: ("gelu_erf", "Erf"), 234: ("gelu_add", "Add"),
    236: ("gelu_mul", "Mul"), 238: ("gelu_half", "Mul"), 240: ("ff2", "MatMul"), 242: ("ff2_bias", "Add"),
    244: ("residual1", "Add"), 246: ("send y", "send"),
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
