"""Where the time goes against ONNX Runtime: both runtimes' own per-kernel profiles at all cores,
summed by kind of work.

Ramiel's side is the program's `--profile` (each node's median time at all cores, the file the
profile-guided compile reads); ONNX Runtime's is its session profile (enableProfiling), the
median of each kernel over the timed runs. ONNX Runtime fuses activations and residual Adds into
its convolutions, bias Adds into its matrix products and residual Adds into its layer norms, so
Ramiel's nodes are counted the same way: an element-wise node that only finishes a convolution,
a matrix product or feeds a layer norm is counted with it. Per-node times are eager ones (a
frozen cluster has no nodes to time), scaled to the whole eager run the profile also measured
(timing each node costs a little; the harness scales ONNX Runtime's side to its unprofiled
median the same way); both sides include each runtime's dispatch.
"""
import glob
import json
import os
import statistics

from . import protocol

GROUPS = (
    ("convolution", ("Conv", "ConvTranspose", "FusedConv", "NchwcConv", "QLinearConv")),
    ("matrix products", ("MatMul", "Gemm", "FusedMatMul", "FusedGemm", "MatMulInteger")),
    ("normalization", ("BatchNormalization", "LayerNormalization", "SkipLayerNormalization",
                       "InstanceNormalization", "LpNormalization", "SimplifiedLayerNormalization",
                       "LRN")),
    ("pooling", ("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "NchwcMaxPool",
                 "NchwcAveragePool", "NchwcGlobalAveragePool")),
    ("softmax, reductions", ("Softmax", "LogSoftmax", "ReduceMean", "ReduceSum", "ReduceMax",
                             "ArgMax", "TopK")),
    ("layout, copies, concat", ("Concat", "Split", "Reshape", "Transpose", "Flatten", "Squeeze",
                                "Unsqueeze", "Gather", "Slice", "Pad", "Expand", "Tile",
                                "Identity", "ReorderInput", "ReorderOutput", "Cast", "Shape")),
)
ELEMENTWISE = "element-wise"
# Element-wise kinds ONNX Runtime folds into the kernel before them (see the module's comment).
EPILOGUES = frozenset(["Relu", "Clip", "Add", "Sigmoid", "LeakyRelu", "Tanh", "HardSigmoid"])
EPILOGUE_OF = {"Conv": "convolution", "MatMul": "matrix products", "Gemm": "matrix products"}
GROUP_OF = {op: group for group, ops in GROUPS for op in ops}
ORDER = [group for group, _ in GROUPS] + [ELEMENTWISE, "other"]
ELEMENTWISE_OPS = frozenset(["Relu", "Clip", "Add", "Sub", "Mul", "Div", "Sigmoid", "Tanh", "Erf",
                             "Gelu", "FastGelu", "Sqrt", "Pow", "Exp", "Neg", "LeakyRelu",
                             "HardSigmoid", "BiasGelu", "Where", "Not", "Equal", "Less"])


def _group(op):
    if op in GROUP_OF:
        return GROUP_OF[op]
    return ELEMENTWISE if op in ELEMENTWISE_OPS else "other"


def ramiel_groups(schedule, node_profile):
    """{group: ms} from schedule.json's nodes and a --profile file's per-node us_T."""
    nodes = {n["name"]: n for n in schedule["nodes"]}
    producer = {out: n["name"] for n in schedule["nodes"] for out in n["outputs"]}
    consumers = {}
    for n in schedule["nodes"]:
        for value in n["inputs"]:
            consumers.setdefault(value, []).append(n["name"])
    fused_into = set(EPILOGUE_OF.values())
    group_of = {}

    def group(name):
        if name in group_of:
            return group_of[name]
        op, found = nodes[name]["op"], None
        readers = [r for out in nodes[name]["outputs"] for r in consumers.get(out, [])]
        if op == "Add" and readers and all(nodes[r]["op"] == "LayerNormalization"
                                           for r in readers):
            found = "normalization"  # a residual Add: SkipLayerNormalization in ONNX Runtime
        elif op in EPILOGUES:
            for source in (producer.get(v) for v in nodes[name]["inputs"]):
                if source is None:
                    continue
                source_op = nodes[source]["op"]
                if source_op in EPILOGUE_OF:
                    found = EPILOGUE_OF[source_op]
                elif source_op in EPILOGUES and group(source) in fused_into:  # Conv, Add, Relu
                    found = group(source)
                if found:
                    break
        group_of[name] = found or _group(op)
        return group_of[name]

    totals = {}
    for name, row in node_profile["nodes"].items():
        if name in nodes:
            key = group(name)
            totals[key] = totals.get(key, 0.0) + row["us_T"] / 1e3
    # Timing node by node costs more than the run it slices; scale to the clusters' whole eager
    # runs (measured without per-node timing) where the profile has them.
    whole = engine_runs(node_profile).get("eager_ms", 0.0)
    if whole > 0 and totals:
        scale = whole / sum(totals.values())
        totals = {key: ms * scale for key, ms in totals.items()}
    return totals


def engine_runs(node_profile):
    """The profile's whole-cluster runs: {"eager_ms", "frozen_ms"} summed over clusters, and
    "frozen_wins" when frozen won any (then the eager per-node breakdown is not how it runs)."""
    clusters = list(node_profile.get("engines", {}).get("clusters", {}).values())
    out = {"frozen_wins": any(c.get("winner") == "frozen" for c in clusters)}
    for key in ("eager_ms", "frozen_ms"):
        if clusters and all(key in c for c in clusters):
            out[key] = sum(c[key] for c in clusters)
    return out


def ort_groups(profile_path, warmup):
    """{group: ms} from an ONNX Runtime profile: each kernel's median over the runs after the
    first `warmup`, summed by group; and the median model_run in ms."""
    with open(profile_path) as f:
        events = json.load(f)
    runs = sorted((e for e in events if e.get("cat") == "Session" and e["name"] == "model_run"),
                  key=lambda e: e["ts"])[warmup:]
    if not runs:
        raise ValueError("%s has no timed runs" % profile_path)
    start = runs[0]["ts"]
    per_kernel = {}
    for e in events:
        if e.get("cat") == "Node" and e["name"].endswith("_kernel_time") and e["ts"] >= start:
            per_kernel.setdefault((e["name"], e["args"]["op_name"]), []).append(e["dur"])
    totals = {}
    for (_, op), durations in per_kernel.items():
        key = _group(op)
        totals[key] = totals.get(key, 0.0) + statistics.median(durations) / 1e3
    return totals, statistics.median(e["dur"] for e in runs) / 1e3


def profile_ort(argv, prefix, runs, warmup, log_path):
    """Runs an ort_worker.js argv with --profile PREFIX for warmup + runs iterations; returns
    ort_groups() of the profile it wrote."""
    for old in glob.glob(prefix + "*.json"):
        os.remove(old)
    worker = protocol.Worker("ort-profile", list(argv) + ["--profile", prefix], log_path)
    try:
        worker.request({"cmd": "run", "iters": warmup + runs})
        worker.request({"cmd": "end_profile"})
    finally:
        worker.close()
    written = glob.glob(prefix + "*.json")
    if len(written) != 1:
        raise ValueError("ONNX Runtime wrote %d profiles for %s" % (len(written), prefix))
    return ort_groups(written[0], warmup)


def compare(ramiel, ort):
    """Rows (group, Ramiel ms, ORT ms, gap ms) in ORDER, for groups either side has."""
    rows = [(g, ramiel.get(g, 0.0), ort.get(g, 0.0), ramiel.get(g, 0.0) - ort.get(g, 0.0))
            for g in ORDER if g in ramiel or g in ort]
    return {"rows": [dict(group=g, ramiel_ms=r, ort_ms=o, gap_ms=d) for g, r, o, d in rows],
            "ramiel_ms": sum(ramiel.values()), "ort_ms": sum(ort.values())}
