"""Small ONNX models for the code generator's tests, each with a torch reference.

Every model is built with onnx.helper from seeded random weights, so the files are the same
on every run. `python3 models.py DIR` writes them all as DIR/<name>.onnx.
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


class Model:
    """An ONNX model plus how to schedule it and how to compute it with torch directly."""

    def __init__(self, name, proto, clusters, reference, inputs):
        self.name = name
        self.proto = proto
        self.clusters = clusters      # "a,b;c": node names per cluster
        self.reference = reference    # reference(weights: dict name -> tensor, *inputs) -> tuple
        self.inputs = inputs          # inputs(seed) -> list of tensors

    def write(self, directory):
        path = os.path.join(directory, self.name + ".onnx")
        with open(path, "wb") as f:
            f.write(self.proto.SerializeToString())
        return path

    def weights(self):
        return {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
                for t in self.proto.graph.initializer}


def _weights(seed, shapes):
    rng = np.random.default_rng(seed)
    return {name: (rng.standard_normal(shape) * 0.5).astype(np.float32)
            for name, shape in shapes.items()}


def _model(name, nodes, inputs, outputs, initializers, opset=OPSET):
    graph = helper.make_graph(nodes, name, inputs, outputs,
                              [numpy_helper.from_array(a, n) for n, a in initializers.items()])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="ramiel-tests")
    proto.ir_version = 8
    onnx.checker.check_model(proto)
    return proto


def _float_inputs(*shapes):
    def make(seed):
        g = torch.Generator().manual_seed(seed)
        return [torch.randn(shape, generator=g) for shape in shapes]
    return make


def branches():
    """Two convolution branches that meet in a Concat, then a classifier head."""
    w = _weights(1, {"conv_a.weight": (4, 3, 3, 3), "conv_a.bias": (4,),
                     "conv_b.weight": (4, 3, 1, 1), "fc.weight": (5, 8), "fc.bias": (5,)})
    nodes = [
        helper.make_node("Conv", ["x", "conv_a.weight", "conv_a.bias"], ["a"], "conv_a",
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["a"], ["a_relu"], "relu_a"),
        helper.make_node("Conv", ["x", "conv_b.weight"], ["b"], "conv_b"),
        helper.make_node("Relu", ["b"], ["b_relu"], "relu_b"),
        helper.make_node("MaxPool", ["b_relu"], ["b_pool"], "pool_b", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("Concat", ["a_relu", "b_pool"], ["cat"], "concat", axis=1),
        helper.make_node("GlobalAveragePool", ["cat"], ["gap"], "gap"),
        helper.make_node("Flatten", ["gap"], ["flat"], "flatten", axis=1),
        helper.make_node("Gemm", ["flat", "fc.weight", "fc.bias"], ["logits"], "fc", transB=1),
        helper.make_node("Softmax", ["logits"], ["prob"], "softmax", axis=1),
    ]
    proto = _model("branches", nodes,
                   [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                   [helper.make_tensor_value_info("prob", TensorProto.FLOAT, [1, 5])], w)

    def reference(p, x):
        a = F.relu(F.conv2d(x, p["conv_a.weight"], p["conv_a.bias"], padding=1))
        b = F.max_pool2d(F.relu(F.conv2d(x, p["conv_b.weight"])), 3, stride=1, padding=1)
        flat = torch.flatten(F.adaptive_avg_pool2d(torch.cat([a, b], 1), 1), 1)
        return (F.softmax(F.linear(flat, p["fc.weight"], p["fc.bias"]), dim=1),)

    return Model("branches", proto, "conv_a,relu_a,concat,gap,flatten,fc,softmax;conv_b,relu_b,pool_b",
                 reference, _float_inputs((1, 3, 8, 8)))


def _scalar(value):
    return np.array(value, dtype=np.float32)


def encoder():
    """A one-layer transformer encoder (BERT-like): embedding, attention, GELU feed-forward."""
    d, heads, ff, seq, vocab = 16, 2, 32, 8, 32
    w = _weights(2, {"word_emb": (vocab, d), "pos_emb": (1, seq, d),
                     "wq": (d, d), "bq": (d,), "wk": (d, d), "bk": (d,), "wv": (d, d),
                     "bv": (d,), "wo": (d, d), "bo": (d,), "w1": (d, ff), "b1": (ff,),
                     "w2": (ff, d), "b2": (d,), "ln0.g": (d,), "ln0.b": (d,), "ln1.g": (d,),
                     "ln1.b": (d,)})
    w["heads_shape"] = np.array([1, seq, heads, d // heads], dtype=np.int64)
    w["merged_shape"] = np.array([1, seq, d], dtype=np.int64)
    w["scale"] = _scalar(np.sqrt(d // heads))
    w["sqrt2"] = _scalar(1.4142135)
    w["one"] = _scalar(1.0)
    w["half"] = _scalar(0.5)
    n = helper.make_node
    nodes = [
        n("Gather", ["word_emb", "ids"], ["emb"], "embed", axis=0),
        n("Add", ["emb", "pos_emb"], ["h0"], "add_pos"),
        n("LayerNormalization", ["h0", "ln0.g", "ln0.b"], ["h"], "ln0", axis=-1, epsilon=1e-5),
        n("MatMul", ["h", "wq"], ["q0"], "q_proj"), n("Add", ["q0", "bq"], ["q1"], "q_bias"),
        n("Reshape", ["q1", "heads_shape"], ["q2"], "q_heads"),
        n("Transpose", ["q2"], ["q"], "q_t", perm=[0, 2, 1, 3]),
        n("MatMul", ["h", "wk"], ["k0"], "k_proj"), n("Add", ["k0", "bk"], ["k1"], "k_bias"),
        n("Reshape", ["k1", "heads_shape"], ["k2"], "k_heads"),
        n("Transpose", ["k2"], ["kt"], "k_t", perm=[0, 2, 3, 1]),
        n("MatMul", ["h", "wv"], ["v0"], "v_proj"), n("Add", ["v0", "bv"], ["v1"], "v_bias"),
        n("Reshape", ["v1", "heads_shape"], ["v2"], "v_heads"),
        n("Transpose", ["v2"], ["v"], "v_t", perm=[0, 2, 1, 3]),
        n("MatMul", ["q", "kt"], ["s0"], "scores"), n("Div", ["s0", "scale"], ["s1"], "scale_scores"),
        n("Softmax", ["s1"], ["p"], "softmax", axis=-1),
        n("MatMul", ["p", "v"], ["c0"], "context"),
        n("Transpose", ["c0"], ["c1"], "context_t", perm=[0, 2, 1, 3]),
        n("Reshape", ["c1", "merged_shape"], ["c2"], "merge_heads"),
        n("MatMul", ["c2", "wo"], ["o0"], "out_proj"), n("Add", ["o0", "bo"], ["o1"], "out_bias"),
        n("Add", ["o1", "h"], ["r0"], "residual0"),
        n("LayerNormalization", ["r0", "ln1.g", "ln1.b"], ["r"], "ln1", axis=-1, epsilon=1e-5),
        n("MatMul", ["r", "w1"], ["f0"], "ff1"), n("Add", ["f0", "b1"], ["f1"], "ff1_bias"),
        n("Div", ["f1", "sqrt2"], ["g0"], "gelu_div"), n("Erf", ["g0"], ["g1"], "gelu_erf"),
        n("Add", ["g1", "one"], ["g2"], "gelu_add"), n("Mul", ["f1", "g2"], ["g3"], "gelu_mul"),
        n("Mul", ["g3", "half"], ["g4"], "gelu_half"),
        n("MatMul", ["g4", "w2"], ["f2"], "ff2"), n("Add", ["f2", "b2"], ["f3"], "ff2_bias"),
        n("Add", ["f3", "r"], ["y"], "residual1"),
    ]
    proto = _model("encoder", nodes,
                   [helper.make_tensor_value_info("ids", TensorProto.INT64, [1, seq])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, seq, d])], w,
                   opset=17)
    k_branch = "k_proj,k_bias,k_heads,k_t"
    v_branch = "v_proj,v_bias,v_heads,v_t"
    main = [node.name for node in nodes if node.name not in (k_branch + "," + v_branch).split(",")]

    def reference(p, ids):
        h = F.layer_norm(p["word_emb"][ids] + p["pos_emb"], (d,), p["ln0.g"], p["ln0.b"], 1e-5)

        def heads_of(x):
            return x.reshape(1, seq, heads, d // heads).transpose(1, 2)

        q = heads_of(h @ p["wq"] + p["bq"])
        k = heads_of(h @ p["wk"] + p["bk"])
        v = heads_of(h @ p["wv"] + p["bv"])
        attn = F.softmax(q @ k.transpose(-1, -2) / p["scale"], dim=-1) @ v
        o = attn.transpose(1, 2).reshape(1, seq, d) @ p["wo"] + p["bo"]
        r = F.layer_norm(o + h, (d,), p["ln1.g"], p["ln1.b"], 1e-5)
        f = r @ p["w1"] + p["b1"]
        g = f * (torch.erf(f / p["sqrt2"]) + 1) * 0.5
        return (g @ p["w2"] + p["b2"] + r,)

    def inputs(seed):
        g = torch.Generator().manual_seed(seed)
        return [torch.randint(0, vocab, (1, seq), generator=g)]

    return Model("encoder", proto, ",".join(main) + ";" + k_branch + ";" + v_branch, reference,
                 inputs)


def ops():
    """Data movement, reductions, pools and logic, with int and bool outputs."""
    w = {"starts": np.array([1], np.int64), "ends": np.array([3], np.int64),
         "axes1": np.array([1], np.int64), "split": np.array([2, 2], np.int64),
         "axes0": np.array([0], np.int64), "two": _scalar(2.0), "eps": _scalar(1e-3),
         "zero": _scalar(0.0), "six": _scalar(6.0), "full_shape": np.array([2, 3, 2, 5], np.int64)}
    n = helper.make_node
    nodes = [
        n("Slice", ["x", "starts", "ends", "axes1"], ["sliced"], "slice"),
        n("Split", ["x", "split"], ["left", "right"], "split", axis=2),
        n("Unsqueeze", ["left", "axes0"], ["left_u"], "unsqueeze"),
        n("Squeeze", ["left_u", "axes0"], ["left_s"], "squeeze"),
        n("ReduceMean", ["left_s"], ["mean"], "mean", axes=[-1], keepdims=1),
        n("Expand", ["mean", "full_shape"], ["mean_e"], "expand"),
        n("Pow", ["right", "two"], ["sq"], "square"),
        n("Add", ["sq", "eps"], ["sq_eps"], "add_eps"),
        n("Sqrt", ["sq_eps"], ["norm"], "sqrt"),
        n("Sub", ["norm", "mean_e"], ["diff"], "sub"),
        n("Clip", ["diff", "zero", "six"], ["clipped"], "clip"),
        n("Greater", ["diff", "zero"], ["positive"], "greater"),
        n("Where", ["positive", "clipped", "mean_e"], ["picked"], "where"),
        n("MaxPool", ["x"], ["pooled"], "maxpool", kernel_shape=[2, 2], strides=[2, 2],
          ceil_mode=1),
        n("AveragePool", ["x"], ["averaged"], "avgpool", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
          count_include_pad=0),
        n("Transpose", ["averaged"], ["averaged_t"], "transpose", perm=[0, 2, 3, 1]),
        n("Flatten", ["averaged_t"], ["flat"], "flatten", axis=2),
        n("ArgMax", ["sliced"], ["argmax"], "argmax", axis=1, keepdims=0),
        n("Cast", ["positive"], ["positive_f"], "cast", to=TensorProto.FLOAT),
        n("Concat", ["picked", "positive_f"], ["joined"], "concat", axis=3),
    ]
    proto = _model("ops", nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4, 5])],
                   [helper.make_tensor_value_info("joined", TensorProto.FLOAT, [2, 3, 2, 10]),
                    helper.make_tensor_value_info("pooled", TensorProto.FLOAT, [2, 3, 2, 3]),
                    helper.make_tensor_value_info("flat", TensorProto.FLOAT, [8, 15]),
                    helper.make_tensor_value_info("argmax", TensorProto.INT64, [2, 4, 5]),
                    helper.make_tensor_value_info("positive", TensorProto.BOOL, [2, 3, 2, 5])], w)

    def reference(p, x):
        left, right = x[:, :, :2], x[:, :, 2:]
        mean = left.mean(dim=-1, keepdim=True).expand(2, 3, 2, 5)
        diff = torch.sqrt(right ** 2 + 1e-3) - mean
        positive = diff > 0
        picked = torch.where(positive, diff.clamp(0, 6), mean)
        joined = torch.cat([picked, positive.float()], dim=3)
        pooled = F.max_pool2d(x, 2, stride=2, ceil_mode=True)
        averaged = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
        flat = averaged.permute(0, 2, 3, 1).reshape(8, 15)
        argmax = torch.argmax(x[:, 1:3], dim=1)
        return joined, pooled, flat, argmax, positive

    return Model("ops", proto,
                 "slice,argmax,maxpool;split,unsqueeze,squeeze,mean,expand,square,add_eps,sqrt,sub,"
                 "clip,greater,where,cast,concat;avgpool,transpose,flatten",
                 reference, _float_inputs((2, 3, 4, 5)))


def chain():
    """x -> a -> b -> c and x -> d, with a and c in one cluster and b in another: the clusters
    pass tensors both ways, which the schedule allows."""
    n = helper.make_node
    nodes = [n("Relu", ["x"], ["va"], "a"), n("Neg", ["va"], ["vb"], "b"),
             n("Abs", ["vb"], ["vc"], "c"), n("Sigmoid", ["x"], ["vd"], "d")]
    proto = _model("chain", nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4])],
                   [helper.make_tensor_value_info("vc", TensorProto.FLOAT, [3, 4]),
                    helper.make_tensor_value_info("vd", TensorProto.FLOAT, [3, 4])], {})

    def reference(p, x):
        return torch.relu(x).abs(), torch.sigmoid(x)

    return Model("chain", proto, "a,c;b;d", reference, _float_inputs((3, 4)))


def lookup():
    """A Gather of indices given at run time, on one worker, whose result the other worker
    waits for: indices out of range make that node fail."""
    w = {"table": np.arange(8, dtype=np.float32).reshape(4, 2)}
    n = helper.make_node
    nodes = [n("Gather", ["table", "ids"], ["rows"], "embedding_lookup", axis=0),
             n("Relu", ["x"], ["xr"], "relu"),
             n("Add", ["xr", "rows"], ["y"], "add")]
    proto = _model("lookup", nodes,
                   [helper.make_tensor_value_info("ids", TensorProto.INT64, [3]),
                    helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 2])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 2])], w)

    def reference(p, ids, x):
        return (torch.relu(x) + p["table"][ids],)

    def inputs(seed):
        g = torch.Generator().manual_seed(seed)
        return [torch.randint(0, 4, (3,), generator=g), torch.randn(3, 2, generator=g)]

    return Model("lookup", proto, "embedding_lookup;relu,add", reference, inputs)


def helpers():
    """Ops whose arguments arrive at run time or need more than one torch call: the runtime
    helpers (onnx_reshape, onnx_gather, onnx_slice, onnx_expand, onnx_unsqueeze)."""
    w = {"starts": np.array([-1], np.int64), "ends": np.array([-100], np.int64),
         "axes": np.array([2], np.int64), "steps": np.array([-2], np.int64)}
    n = helper.make_node
    nodes = [
        n("Reshape", ["x", "shape"], ["reshaped"], "reshape"),
        n("Gather", ["x", "idx"], ["gathered"], "gather", axis=1),
        n("Slice", ["x", "starts", "ends", "axes", "steps"], ["sliced"], "slice"),
        n("Unsqueeze", ["x", "unsqueeze_axes"], ["unsqueezed"], "unsqueeze"),
        n("Expand", ["scalar", "shape"], ["expanded"], "expand"),
    ]
    i64 = TensorProto.INT64
    proto = _model("helpers", nodes,
                   [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4]),
                    helper.make_tensor_value_info("shape", i64, [2]),
                    helper.make_tensor_value_info("idx", i64, [2]),
                    helper.make_tensor_value_info("unsqueeze_axes", i64, [2]),
                    helper.make_tensor_value_info("scalar", TensorProto.FLOAT, [1])],
                   [helper.make_tensor_value_info("reshaped", TensorProto.FLOAT, [None, None]),
                    helper.make_tensor_value_info("gathered", TensorProto.FLOAT, [2, 2, 4]),
                    helper.make_tensor_value_info("sliced", TensorProto.FLOAT, [2, 3, 2]),
                    helper.make_tensor_value_info("unsqueezed", TensorProto.FLOAT, [None] * 5),
                    helper.make_tensor_value_info("expanded", TensorProto.FLOAT, [None, None])],
                   w)

    def reference(p, x, shape, idx, axes, scalar):
        return (x.reshape(shape.tolist()), x[:, idx % 3], x[:, :, [3, 1]],
                x.unsqueeze(0).unsqueeze(4), scalar.expand(shape.tolist()))

    def inputs(seed):
        g = torch.Generator().manual_seed(seed)
        return [torch.randn(2, 3, 4, generator=g), torch.tensor([4, 6]), torch.tensor([-1, 1]),
                torch.tensor([0, -1]), torch.randn(1, generator=g)]

    return Model("helpers", proto, "reshape,gather;slice,unsqueeze,expand", reference, inputs)


def layout():
    """A small conv net, so the program runs channels-last: views of channels-last tensors
    (Split, Slice, Transpose, Reshape), padding, pools, broadcasting, a concatenation, in-place
    candidates that must stay out of place, and a convolution whose output crosses workers."""
    w = _weights(7, {"wa": (8, 3, 3, 3), "ba": (8,), "wb": (4, 3, 1, 1), "fc.weight": (3, 8),
                     "fc.bias": (3,), "scale": (4, 1, 1)})
    w["split"] = np.array([4, 4], np.int64)
    w["starts"], w["ends"], w["axes"] = (np.array([v], np.int64) for v in (1, 7, 2))
    w["pads"] = np.array([0, 0, 1, 0, 0, 0, 1, 0], np.int64)
    w["flat_shape"] = np.array([1, 256], np.int64)
    n = helper.make_node
    nodes = [
        n("Conv", ["x", "wa", "ba"], ["a"], "conv_a", pads=[1, 1, 1, 1]),
        n("Relu", ["a"], ["ar"], "relu_a"),
        n("Split", ["ar", "split"], ["s1", "s2"], "split", axis=1),
        n("Relu", ["s1"], ["r1"], "relu_s1"),
        n("Transpose", ["s2"], ["t"], "transpose", perm=[0, 2, 3, 1]),
        n("Reshape", ["t", "flat_shape"], ["rt"], "reshape"),
        n("Conv", ["x", "wb"], ["b"], "conv_b"),
        n("Slice", ["r1", "starts", "ends", "axes"], ["sl"], "slice"),
        n("Pad", ["sl", "pads"], ["pd"], "pad"),
        n("AveragePool", ["pd"], ["ap"], "pool", kernel_shape=[3, 3], pads=[1, 1, 1, 1],
          count_include_pad=0),
        n("Relu", ["b"], ["br"], "relu_b"),
        n("Add", ["ap", "br"], ["sum"], "add"),
        n("Mul", ["sum", "scale"], ["m"], "mul"),
        n("Concat", ["m", "s1"], ["cat"], "concat", axis=1),
        n("GlobalAveragePool", ["cat"], ["g"], "gap"),
        n("Flatten", ["g"], ["f"], "flatten", axis=1),
        n("Gemm", ["f", "fc.weight", "fc.bias"], ["y"], "fc", transB=1),
    ]
    f32 = TensorProto.FLOAT
    proto = _model("layout", nodes, [helper.make_tensor_value_info("x", f32, [1, 3, 8, 8])],
                   [helper.make_tensor_value_info("y", f32, [1, 3]),
                    helper.make_tensor_value_info("rt", f32, [1, 256]),
                    helper.make_tensor_value_info("cat", f32, [1, 8, 8, 8])], w)

    def reference(p, x):
        ar = F.relu(F.conv2d(x, p["wa"], p["ba"], padding=1))
        s1, s2 = ar[:, :4], ar[:, 4:]
        rt = s2.permute(0, 2, 3, 1).reshape(1, 256)
        pd = F.pad(F.relu(s1)[:, :, 1:7], (0, 0, 1, 1))
        ap = F.avg_pool2d(pd, 3, stride=1, padding=1, count_include_pad=False)
        m = (ap + F.relu(F.conv2d(x, p["wb"]))) * p["scale"]
        cat = torch.cat([m, s1], dim=1)
        y = F.linear(cat.mean(dim=(2, 3)), p["fc.weight"], p["fc.bias"])
        return y, rt, cat

    return Model("layout", proto,
                 "conv_a,relu_a,split,relu_s1,transpose,reshape,relu_b,add,mul,concat,gap,flatten,"
                 "fc;conv_b,slice,pad,pool", reference, _float_inputs((1, 3, 8, 8)))


ALL = [branches, encoder, ops, chain, lookup, helpers, layout]


def by_name(name):
    for make in ALL:
        if make.__name__ == name:
            return make()
    raise KeyError(name)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    for make in ALL:
        print(make().write(out))
