"""The PNG plots of a run (matplotlib, no display needed)."""
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from harness.compile_times import STAGES  # noqa: E402
from harness.figures import ORDER, geomean_over_ort  # noqa: E402
from harness.report import SHORT  # noqa: E402
from harness.targets import (AS_RUN_OVER_ORT, GEOMEAN_OVER_ORT, PARALLEL_VS_SERIAL,  # noqa: E402
                             geomean_scope)

FAMILY_COLORS = {"torch": "#8c8c8c", "serial": "#4c72b0", "parallel": "#dd8452",
                 "ort": "#55a868"}
# Gantt colours by op category; hand-offs in greys.
OP_CATEGORIES = [("convolution", "#4c72b0", {"Conv", "ConvTranspose"}),
                 ("pooling", "#dd8452", {"MaxPool", "AveragePool", "GlobalAveragePool",
                                         "GlobalMaxPool"}),
                 ("matmul", "#8172b3", {"MatMul", "Gemm"}),
                 ("concat", "#c44e52", {"Concat"}),
                 ("receive (waiting)", "#d0d0d0", {"recv"}),
                 ("send", "#808080", {"send"})]
OTHER = ("other ops", "#55a868")


def _label(name, cores):
    return SHORT[name] % cores if "%d" in SHORT[name] else SHORT[name]


def _save(fig, out_dir, name, layout=True):
    if layout:
        fig.tight_layout()
    fig.savefig(os.path.join(out_dir, name), dpi=110)
    plt.close(fig)
    return name


def latency(results, out_dir):
    """Median latency per configuration, one panel per model (error bars: quartiles)."""
    models = list(results["latency"].values())
    cores = results["machine"]["cores"]
    cols = min(3, len(models))
    rows = math.ceil(len(models) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 3.6 * rows), squeeze=False)
    for ax, model in zip(axes.flat, models):
        names = [n for n in ORDER if "median_ms" in model["configs"].get(n, {})]
        c = [model["configs"][n] for n in names]
        y = range(len(names))
        ax.barh(y, [x["median_ms"] for x in c],
                xerr=[[x["median_ms"] - x["p25_ms"] for x in c],
                      [x["p75_ms"] - x["median_ms"] for x in c]],
                color=[FAMILY_COLORS[x["family"]] for x in c], capsize=2)
        ax.set_yticks(list(y), [_label(n, cores) for n in names], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("median latency (ms)")
        ax.set_title(model["label"])
    for ax in list(axes.flat)[len(models):]:
        ax.axis("off")
    fig.legend(handles=[Patch(color=c, label=f) for f, c in FAMILY_COLORS.items()],
               loc="lower center", ncol=4, fontsize=8)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return _save(fig, out_dir, "latency.png", layout=False)


def speedup(results, out_dir):
    """Speedup over the best serial run per model and configuration; 1.0 is break-even."""
    models = list(results["latency"].values())
    cores = results["machine"]["cores"]
    names = [n for n in ORDER if any(n in m["derived"]["speedup_vs_best_serial"]
                                     for m in models)]
    fig, ax = plt.subplots(figsize=(max(7, 1.6 * len(models) + 3), 4.2))
    width = 0.8 / max(1, len(names))
    cmap = plt.get_cmap("tab10")
    for i, name in enumerate(names):
        xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(models))]
        ys = [m["derived"]["speedup_vs_best_serial"].get(name, 0) for m in models]
        ax.bar(xs, ys, width, label=_label(name, cores), color=cmap(i % 10))
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.axhline(PARALLEL_VS_SERIAL, color="black", linewidth=0.6, linestyle="--")
    ax.text(len(models) - 0.5, PARALLEL_VS_SERIAL - 0.01,
            "%.2fx floor (parallel configurations)" % PARALLEL_VS_SERIAL, fontsize=7,
            ha="right", va="top")
    ax.set_xticks(range(len(models)), [m["label"] for m in models], fontsize=8)
    ax.set_ylabel("best serial time / configuration time")
    ax.set_title("Speedup over the generated program's best serial run")
    ax.legend(fontsize=7, ncol=2)
    return _save(fig, out_dir, "speedup.png")


def ort_ratio(results, out_dir):
    """Ramiel as run / ONNX Runtime sequential at every core, one bar per model and the
    geometric mean; 1.0 is parity, the dashed lines the targets."""
    cores = results["machine"]["cores"]
    models = [m for m in results["latency"].values()
              if m["derived"]["as_run_over_ort_reference"]]
    mean, labels = geomean_over_ort(results["latency"])
    ratios = [m["derived"]["as_run_over_ort_reference"] for m in models] + [mean]
    fig, ax = plt.subplots(figsize=(max(7, 1.2 * len(models) + 3), 4))
    bars = ax.bar(range(len(ratios)), ratios,
                  color=[FAMILY_COLORS["parallel"]] * len(models) + [FAMILY_COLORS["serial"]])
    for bar, ratio in zip(bars, ratios):
        ax.text(bar.get_x() + bar.get_width() / 2, ratio + 0.01, "%.2fx" % ratio, fontsize=7,
                ha="center", va="bottom")
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.axhline(AS_RUN_OVER_ORT, color="black", linewidth=0.6, linestyle="--",
               label="%.2fx target (each model)" % AS_RUN_OVER_ORT)
    ax.plot([len(models) - 0.4, len(models) + 0.4], [GEOMEAN_OVER_ORT] * 2, color="black",
            linewidth=1.0, linestyle=":", label="%.2fx target (geometric mean)"
            % GEOMEAN_OVER_ORT)
    ax.set_ylim(0, max(ratios + [AS_RUN_OVER_ORT]) * 1.12)
    ax.set_xticks(range(len(ratios)), [m["label"] for m in models] +
                  ["geometric mean\n%s" % geomean_scope(labels).split(" (")[0]], fontsize=8)
    ax.set_ylabel("Ramiel as run / ORT sequential %dt" % cores)
    ax.set_title("Ramiel as a user runs it against ONNX Runtime (lower is faster)")
    ax.legend(fontsize=7, loc="lower right")
    return _save(fig, out_dir, "ort_ratio.png")


def compile_stages(results, out_dir):
    """Compile time per stage, stacked, per model."""
    models = list(results["compile"].values())
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(models) + 1.8))
    left = [0.0] * len(models)
    for i, stage in enumerate(s for s in STAGES if s != "total"):
        widths = [m.get(stage, 0.0) for m in models]
        ax.barh(range(len(models)), widths, left=left, label=stage,
                color=plt.get_cmap("tab10")(i))
        left = [a + b for a, b in zip(left, widths)]
    ax.set_yticks(range(len(models)), [m["label"] for m in models], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("median compile time (ms)")
    ax.set_title("Compile time per stage")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _save(fig, out_dir, "compile_stages.png")


def dag_scaling(results, out_dir):
    """Scheduler time against nodes on log-log axes, with the fitted power law."""
    s = results["scaling"]
    nodes = [r["nodes"] for r in s["sizes"]]
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for key, exponent, marker, color in (("total", s["exponent"], "o", "#4c72b0"),
                                         ("cpu", s["cpu_exponent"], "s", "#dd8452")):
        ms = [r["ms"][key] for r in s["sizes"]]
        ax.loglog(nodes, ms, marker, color=color,
                  label="%s time" % ("wall" if key == "total" else "CPU"))
        # The fitted line through the geometric means, slope = the exponent.
        mx = sum(math.log(n) for n in nodes) / len(nodes)
        my = sum(math.log(m) for m in ms) / len(ms)
        xs = [min(nodes) / 1.5, max(nodes) * 1.5]
        ax.loglog(xs, [math.exp(my + exponent * (math.log(x) - mx)) for x in xs], "--",
                  color=color, linewidth=0.8, label="fit: time ~ n^%.2f" % exponent)
    ax.loglog([10000, 100000], [1000, 10000], "k^", label="targets (10k: 1 s, 100k: 10 s)")
    ax.set_xlabel("nodes")
    ax.set_ylabel("schedule time (ms)")
    ax.set_title("Scheduler on random DAGs (%d workers)" % s["workers"])
    ax.legend(fontsize=8)
    return _save(fig, out_dir, "dag_scaling.png")


def memory(results, out_dir):
    models = list(results["memory"].values())
    keys = [("torch", "PyTorch module"), ("serial", "serial"), ("thread", "parallel threads"),
            ("process", "parallel processes (sum)")]
    fig, ax = plt.subplots(figsize=(max(7, 1.4 * len(models) + 3), 4))
    width = 0.8 / len(keys)
    for i, (key, label) in enumerate(keys):
        xs = [j + (i - 1.5) * width for j in range(len(models))]
        ax.bar(xs, [m.get(key, {}).get("peak_rss_mb", 0) for m in models], width, label=label)
    ax.set_xticks(range(len(models)), [m["label"] for m in models], fontsize=8)
    ax.set_ylabel("peak RSS (MB)")
    ax.set_title("Peak memory of a fresh process (load + runs)")
    ax.legend(fontsize=8)
    return _save(fig, out_dir, "memory.png")


def _category(op):
    for name, color, ops in OP_CATEGORIES:
        if op in ops:
            return name, color
    return OTHER


def gantt(model, out_dir):
    """Predicted (top) and measured (bottom) schedule, one row per worker."""
    panels = (("predicted (schedule.json, simulated)", model["predicted"]),
              ("measured (one traced run, thread mode)", model["measured"]))
    end = max(s["end_us"] for _, slices in panels for s in slices) / 1e3 if any(
        slices for _, slices in panels) else 1.0
    workers = sorted({s["worker"] for _, slices in panels for s in slices})
    fig, axes = plt.subplots(2, 1, figsize=(11, 1.0 + 1.1 * len(workers) * 2), sharex=True)
    for ax, (title, slices) in zip(axes, panels):
        for w in workers:
            mine = [s for s in slices if s["worker"] == w]
            ax.broken_barh([(s["start_us"] / 1e3, (s["end_us"] - s["start_us"]) / 1e3)
                            for s in mine], (w - 0.4, 0.8),
                           facecolors=[_category(s["op"])[1] for s in mine], edgecolor="white",
                           linewidth=0.2)
        ax.set_yticks(workers, ["worker %d" % w for w in workers])
        ax.invert_yaxis()
        ax.set_xlim(0, end * 1.02)
        ax.set_title(title, fontsize=9)
    axes[-1].set_xlabel("time (ms)")
    seen = {_category(s["op"]) for _, slices in panels for s in slices}
    handles = [Patch(color=c, label=name) for name, c, _ in OP_CATEGORIES + [OTHER + (None,)]
               if (name, c) in seen]
    fig.legend(handles=handles, loc="upper right", fontsize=7, ncol=len(handles))
    fig.suptitle("%s: %d cluster%s" % (model["label"], model["clusters"],
                                      "" if model["clusters"] == 1 else "s"),
                 fontsize=10, x=0.02, ha="left")
    return _save(fig, out_dir, "gantt_%s.png" % model["name"])


def draw_all(results, out_dir):
    """Every plot the results allow; returns the file names."""
    names = []
    if results.get("latency"):
        names += [latency(results, out_dir), speedup(results, out_dir)]
        if geomean_over_ort(results["latency"])[0]:
            names.append(ort_ratio(results, out_dir))
    if results.get("compile"):
        names.append(compile_stages(results, out_dir))
    if results.get("scaling"):
        names.append(dag_scaling(results, out_dir))
    if results.get("memory"):
        names.append(memory(results, out_dir))
    for model in results.get("gantt", {}).values():
        if "predicted" in model:
            names.append(gantt(model, out_dir))
    return names
