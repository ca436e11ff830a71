"""Where the time goes against ONNX Runtime: both runtimes' own per-kernel profiles at all cores,
summed by kind of work.

Ramiel's side is the program's `--profile` (each node's median time at all cores, the file the
profile-guided compile reads); ONNX Runtime's is its session profile (enableProfiling), the
median of each kernel over the timed runs. ONNX Runtime fuses activations and residual Adds into
its convolutions, bias Adds into its matrix products and residual Adds into its layer norms, so
Ramiel's nodes are counted the same way: an element-wise node that only finishes a convolution,
a matrix product or feeds a layer norm is counted with it. Per-node times are those of the
engine each cluster runs with: a prepacked cluster's from PyTorch's profiler, any other
cluster's eager ones (the frozen engine's graph keeps no node apart), each scaled to the whole
runs of that engine the profile also measured (timing each node costs a little; the harness
scales ONNX Runtime's side to its unprofiled median the same way); both sides include each
runtime's dispatch.
"""
import glob
import json
import os
import re
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
# The second part of a node split-branches divided (core/ir/split_parts.h).
SPLIT_SUFFIX = "_split"
# What Ramiel's passes append to the name of a node they make in another's place (fuse-ops,
# pool-before-conv, split-branches), and what ONNX Runtime's graph optimizers append to a fused
# node's first node ("/layers.0/ff1/MatMul/MatMulAddFusion", "/layers.0/MatMul/MatMulScaleFusion/").
PASS_SUFFIX = re.compile(r"_(fused|before_conv|after_pool|joined)$")
ORT_FUSION_SUFFIX = re.compile(r"/\w+Fusion/?$")
OUTPUT_SUFFIX = re.compile(r"_output_\d+$")  # an exporter's value name: its node's + this
# ONNX Runtime's NCHWc kernels are named after the value they write and this; a batch norm it
# runs as a depthwise convolution kernel (op "Conv") after its output and "_bn_nchwc".
NCHWC_SUFFIX = re.compile(r"(_bn)?_nchwc$")
BATCH_NORM_AS_CONV = "_bn_nchwc_kernel_time"
ELEMENTWISE_OPS = frozenset(["Relu", "Clip", "Add", "Sub", "Mul", "Div", "Sigmoid", "Tanh", "Erf",
                             "Gelu", "FastGelu", "Sqrt", "Pow", "Exp", "Neg", "LeakyRelu",
                             "HardSigmoid", "BiasGelu", "Where", "Not", "Equal", "Less"])


def _group(op):
    if op in GROUP_OF:
        return GROUP_OF[op]
    return ELEMENTWISE if op in ELEMENTWISE_OPS else "other"


def fused_units(schedule):
    """{node name: (unit, group)}: the node ONNX Runtime's kernel for it is named after (the
    convolution or matrix product an epilogue finishes, the layer norm a residual Add feeds, else
    the node itself) and its kind of work. The second part of a split node joins the first."""
    nodes = {n["name"]: n for n in schedule["nodes"]}
    producer = {out: n["name"] for n in schedule["nodes"] for out in n["outputs"]}
    consumers = {}
    for n in schedule["nodes"]:
        for value in n["inputs"]:
            consumers.setdefault(value, []).append(n["name"])
    fused_into = set(EPILOGUE_OF.values())
    units = {}

    def unit(name):
        if name in units:
            return units[name]
        op, found = nodes[name]["op"], None
        readers = [r for out in nodes[name]["outputs"] for r in consumers.get(out, [])]
        if op == "Add" and readers and all(nodes[r]["op"] == "LayerNormalization"
                                           for r in readers):
            found = (readers[0], "normalization")  # SkipLayerNormalization in ONNX Runtime
        elif op in EPILOGUES:
            for source in (producer.get(v) for v in nodes[name]["inputs"]):
                if source is None:
                    continue
                source_op = nodes[source]["op"]
                if source_op in EPILOGUE_OF:
                    found = (unit(source)[0], EPILOGUE_OF[source_op])
                elif source_op in EPILOGUES and unit(source)[1] in fused_into:  # Conv, Add, Relu
                    found = unit(source)
                if found:
                    break
        if found is None:
            whole = name[:-len(SPLIT_SUFFIX)] if name.endswith(SPLIT_SUFFIX) else None
            found = (whole if whole in nodes else name, _group(op))
        units[name] = found
        return found

    for name in nodes:
        unit(name)
    return units


def as_run_times(node_profile):
    """{node: us} as the program runs its nodes, from a --profile file: a node of a cluster that
    runs prepacked has its time in that engine ("prepacked_us_T", PyTorch's profiler; none if no
    operator of the traced graph came from it), any other node its eager time ("us_T"). Each
    engine's node times are scaled to its clusters' whole runs (measured without per-node
    timing): timing node by node costs more than the run it slices."""
    nodes = node_profile["nodes"]
    clusters = list(node_profile.get("engines", {}).get("clusters", {}).values())
    # A profile written before prepacked node times has none: eager times throughout.
    timed = any("prepacked_us_T" in row for row in nodes.values())

    def engine(winner):
        return "prepacked" if timed and winner == "prepacked" else "eager"

    engine_of = {n: engine(row.get("engine")) for n, row in nodes.items()}
    times = {n: row["prepacked_us_T" if engine_of[n] == "prepacked" else "us_T"]
             for n, row in nodes.items() if engine_of[n] == "eager" or "prepacked_us_T" in row}
    for name in ("eager", "prepacked"):
        whole_ms = sum(c.get("%s_ms" % name, 0.0) for c in clusters
                       if engine(c.get("winner")) == name)
        members = [n for n in times if engine_of[n] == name]
        total_ms = sum(times[n] for n in members) / 1e3
        if whole_ms > 0 and total_ms > 0:
            for n in members:
                times[n] *= whole_ms / total_ms
    return times


def ramiel_groups(schedule, node_profile):
    """{group: ms} from schedule.json's nodes and a --profile file's as_run_times."""
    units = fused_units(schedule)
    totals = {}
    for name, us in as_run_times(node_profile).items():
        if name in units:
            key = units[name][1]
            totals[key] = totals.get(key, 0.0) + us / 1e3
    return totals


def _exported_names(units):
    """{name a node had in the exported model: the program's node}: its own name, or the one a
    node Ramiel's passes rebuilt had before they suffixed it."""
    exported = {}
    for name in units:
        exported.setdefault(PASS_SUFFIX.sub("", name), name)
    exported.update((name, name) for name in units)  # a node of that very name comes first
    return exported


def _ort_kernel_node(kernel, units, exported, producer):
    """The program's node an ONNX Runtime kernel does, or None: by its node name (less the
    fusion its optimizers name it after), by the node that wrote its value in the exported
    model (NCHWc kernels are named after their output and "_nchwc"; `exported` from
    _exported_names), or by the program's node that writes that value."""
    name = kernel[:-len("_kernel_time")] if kernel.endswith("_kernel_time") else kernel
    name = ORT_FUSION_SUFFIX.sub("", name)
    if name in units:
        return name
    value = NCHWC_SUFFIX.sub("", name)
    exported_node = OUTPUT_SUFFIX.sub("", value)
    if exported_node != value and exported_node in exported:
        return exported[exported_node]
    return producer.get(value)


def node_gaps(schedule, node_profile, ort_kernels, ort_scale=1.0, top=8):
    """The units (see fused_units) where Ramiel loses most against ONNX Runtime: rows of the unit,
    its ops on each side, both times in us and the gap, largest first; and ONNX Runtime's
    kernels that no node of the program does (its layout reorders, fusions named after no node):
    {op: us}. Kernels are matched to nodes by _ort_kernel_node."""
    units = fused_units(schedule)
    exported = _exported_names(units)
    nodes = {n["name"]: n for n in schedule["nodes"]}
    producer = {out: n["name"] for n in schedule["nodes"] for out in n["outputs"]}
    measured = as_run_times(node_profile)
    mine = {n: measured[n] for n in nodes if n in measured}  # in program order
    rows = {}

    def row(unit):
        return rows.setdefault(unit, {"unit": unit, "ramiel_ops": [], "ort_ops": [],
                                      "ramiel_us": 0.0, "ort_us": 0.0})

    for name, us in mine.items():
        r = row(units[name][0])
        r["ramiel_us"] += us
        if nodes[name]["op"] not in r["ramiel_ops"]:
            r["ramiel_ops"].append(nodes[name]["op"])
    unmatched = {}
    for (kernel, op), us in ort_kernels.items():
        node = _ort_kernel_node(kernel, units, exported, producer)
        if node is None:
            unmatched[op] = unmatched.get(op, 0.0) + us * ort_scale
            continue
        r = row(units[node][0])
        r["ort_us"] += us * ort_scale
        if op not in r["ort_ops"]:
            r["ort_ops"].append(op)
    for r in rows.values():
        r["gap_us"] = r["ramiel_us"] - r["ort_us"]
    ranked = sorted(rows.values(), key=lambda r: -r["gap_us"])
    return {"rows": ranked[:top], "ort_unmatched": unmatched}


TRACED_ENGINES = ("frozen", "prepacked")


def engine_runs(node_profile):
    """The profile's whole-cluster runs: {"eager_ms", "frozen_ms", "prepacked_ms"} summed over
    clusters; "traced_wins": the traced engines that won any cluster, in a list; and
    "prepacked_nodes": whether as_run_times breaks prepacked clusters down as they run (else
    their nodes' times are eager ones)."""
    clusters = list(node_profile.get("engines", {}).get("clusters", {}).values())
    out = {"traced_wins": [e for e in TRACED_ENGINES if any(c.get("winner") == e
                                                            for c in clusters)],
           "prepacked_nodes": any(row.get("engine") == "prepacked" and "prepacked_us_T" in row
                                  for row in node_profile.get("nodes", {}).values())}
    for key in ["eager_ms"] + ["%s_ms" % e for e in TRACED_ENGINES]:
        if clusters and all(key in c for c in clusters):
            out[key] = sum(c[key] for c in clusters)
    return out


def ort_kernels(profile_path, warmup):
    """An ONNX Runtime profile's kernels: {(event name, op): median us} over the runs after the
    first `warmup`; and the median model_run in ms. A batch norm run as a convolution kernel
    counts as the BatchNormalization it is."""
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
            op = "BatchNormalization" if e["name"].endswith(BATCH_NORM_AS_CONV) \
                else e["args"]["op_name"]
            per_kernel.setdefault((e["name"], op), []).append(e["dur"])
    kernels = {key: statistics.median(durations) for key, durations in per_kernel.items()}
    return kernels, statistics.median(e["dur"] for e in runs) / 1e3


def ort_groups(kernels):
    """{group: ms} of ort_kernels()' kernels."""
    totals = {}
    for (_, op), us in kernels.items():
        key = _group(op)
        totals[key] = totals.get(key, 0.0) + us / 1e3
    return totals


def profile_ort(argv, prefix, runs, warmup, log_path):
    """Runs an ort_worker.js argv with --profile PREFIX for warmup + runs iterations; returns
    ort_kernels() of the profile it wrote."""
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
    return ort_kernels(written[0], warmup)


def compare(ramiel, ort):
    """Rows (group, Ramiel ms, ORT ms, gap ms) in ORDER, for groups either side has."""
    rows = [(g, ramiel.get(g, 0.0), ort.get(g, 0.0), ramiel.get(g, 0.0) - ort.get(g, 0.0))
            for g in ORDER if g in ramiel or g in ort]
    return {"rows": [dict(group=g, ramiel_ms=r, ort_ms=o, gap_ms=d) for g, r, o, d in rows],
            "ramiel_ms": sum(ramiel.values()), "ort_ms": sum(ort.values())}
