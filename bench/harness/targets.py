"""The performance issue's targets, evaluated on one run's results (every figure is reported,
met or not; a target whose figure is missing is "n/a")."""

PARALLEL_MODELS = ("googlenet", "inception_v3")


# The note of a parallel figure when the compiler kept the whole graph on one wide worker
# (report.py explains it under the table).
ONE_CLUSTER = "one wide cluster"


def _row(target, figure, limit, met, unit="x", note=""):
    return {"target": target, "figure": figure, "limit": limit, "unit": unit, "note": note,
            "met": None if figure is None else bool(met)}


def _one_cluster_note(results, name):
    clusters = results.get("latency", {}).get(name, {}).get("clusters")
    return ONE_CLUSTER if clusters == 1 else ""


def evaluate(results):
    rows = []
    latency = results.get("latency", {})
    for name in PARALLEL_MODELS:
        d = latency.get(name, {}).get("derived")
        if not d:
            continue
        label = latency[name]["label"]
        note = _one_cluster_note(results, name)
        f = d["parallel_vs_serial_1"]
        rows.append(_row("%s: parallel vs serial at 1 thread" % label, f, ">= 1.80x",
                         f is not None and f >= 1.8, note=note))
        f = d["parallel_vs_best_serial"]
        rows.append(_row("%s: parallel vs best serial" % label, f, ">= 1.10x",
                         f is not None and f >= 1.10, note=note))
    for name, model in latency.items():
        d = model.get("derived")
        if not d:
            continue
        f = d["parallel_vs_best_serial"]
        rows.append(_row("%s: parallel never slower than best serial" % model["label"], f,
                         ">= 0.97x", f is not None and f >= 0.97,
                         note=_one_cluster_note(results, name)))
    for name, model in latency.items():
        d = model.get("derived")
        if not d:
            continue
        f = d["serial_vs_torch"]
        rows.append(_row("%s: serial program vs PyTorch module at its best" % model["label"],
                         f, ">= 1.00x", f is not None and f >= 1.0))
    for name in PARALLEL_MODELS:
        d = latency.get(name, {}).get("derived")
        if not d:
            continue
        f = d["ramiel_over_ort"]
        rows.append(_row("%s: best Ramiel time / best ONNX Runtime time"
                         % latency[name]["label"], f, "<= 1.50x", f is not None and f <= 1.5))
    inception = results.get("compile", {}).get("inception_v3")
    if inception:
        f = inception.get("after_import")
        rows.append(_row("Inception-v3: core compile (passes to codegen, after import)", f,
                         "<= 50 ms", f is not None and f <= 50, "ms"))
    scaling = results.get("scaling")
    if scaling:
        by_nodes = {s["nodes"]: s["ms"]["total"] for s in scaling["sizes"]}
        for nodes, limit in ((10000, 1000.0), (100000, 10000.0)):
            f = by_nodes.get(nodes)
            rows.append(_row("random DAG, %dk nodes: schedule" % (nodes // 1000), f,
                             "<= %g ms" % limit, f is not None and f <= limit, "ms"))
        f = scaling.get("exponent")
        rows.append(_row("random DAGs: growth exponent (wall)", f, "<= 1.20",
                         f is not None and f <= 1.2, ""))
    for name, memory in results.get("memory", {}).items():
        serial = memory.get("serial", {}).get("peak_rss_mb")
        for mode in ("thread", "process"):
            peak = memory.get(mode, {}).get("peak_rss_mb")
            f = peak / serial if peak and serial else None
            rows.append(_row("%s: peak RSS, parallel (%s) / serial" % (memory["label"], mode), f,
                             "<= 1.25x", f is not None and f <= 1.25,
                             note=_one_cluster_note(results, name)))
    return rows
