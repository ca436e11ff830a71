"""The performance issue's targets (issue #12, "Must show"), evaluated on one run's results
(every figure is reported, met or not; a target whose figure is missing is "n/a")."""
from harness.figures import PARALLEL, geomean_over_ort
from harness.models import MODELS
from harness.prediction import TOLERANCE

AS_RUN_OVER_ORT = 1.15  # each model: Ramiel as run / ORT sequential at all cores
GEOMEAN_OVER_ORT = 1.10  # the geometric mean of that ratio over the models
PARALLEL_VS_SERIAL = 0.95  # every parallel configuration against the best serial run
# Where cores allow inter-op parallelism (the 16-core device machine), the branchy models.
MANY_CORES = 16
BRANCHY_MODELS = ("googlenet", "inception_v3")
BRANCHY_SPEEDUP = 1.3

# The note of a parallel figure when the compiler kept the whole graph on one wide worker
# (report.py explains it under the table).
ONE_CLUSTER = "one wide cluster"
PARALLEL_LABELS = {"thread": "threads", "process": "processes", "pgo": "profile-guided"}


def _row(target, figure, limit, met, unit="x", note=""):
    return {"target": target, "figure": figure, "limit": limit, "unit": unit, "note": note,
            "met": None if figure is None else bool(met)}


def interval_note(interval):
    """A figure's 90% interval over the run's rounds, in words (figures.ratio_interval)."""
    return "90%%: %.3f-%.3f" % tuple(interval) if interval else ""


def _notes(*notes):
    return "; ".join(n for n in notes if n)


def _one_cluster_note(results, name, config=None):
    """ONE_CLUSTER when the program measured (the configuration's own, else the model's default
    compile) has a single cluster."""
    model = results.get("latency", {}).get(name, {})
    clusters = model.get("configs", {}).get(config, {}).get("info", {}).get(
        "clusters", model.get("clusters"))
    return ONE_CLUSTER if clusters == 1 else ""


def geomean_scope(labels):
    """Which models a geometric mean covers, in words: a quick run's covers fewer than the
    reference models, and the label must say so."""
    if not labels:
        return "over no model (none measured against ONNX Runtime)"
    if len(labels) == len(MODELS):
        return "over the %d reference models" % len(labels)
    return "over %d of the %d reference models (%s)" % (len(labels), len(MODELS),
                                                       ", ".join(labels))


def _ort_rows(results, cores):
    latency = results.get("latency", {})
    rows = []
    for model in latency.values():
        d = model.get("derived")
        if not d:
            continue
        f = d["as_run_over_ort_reference"]
        as_run = d["ramiel_as_run"]["config"]
        interval = d.get("intervals", {}).get("as_run_over_ort_reference")
        rows.append(_row("%s: Ramiel as run / ONNX Runtime sequential, %d threads"
                         % (model["label"], cores), f, "<= %.2fx" % AS_RUN_OVER_ORT,
                         f is not None and f <= AS_RUN_OVER_ORT,
                         note=_notes("as run: %s" % PARALLEL_LABELS[as_run] if as_run else "",
                                     interval_note(interval))))
    mean, labels = geomean_over_ort(latency)
    if latency:
        rows.append(_row("Ramiel as run / ONNX Runtime sequential: geometric mean %s"
                         % geomean_scope(labels), mean, "<= %.2fx" % GEOMEAN_OVER_ORT,
                         mean is not None and mean <= GEOMEAN_OVER_ORT))
    return rows


def _parallel_rows(results, cores):
    rows = []
    for name, model in results.get("latency", {}).items():
        d = model.get("derived")
        if not d:
            continue
        for config in PARALLEL:
            f = d["speedup_vs_best_serial"].get(config)
            interval = d.get("intervals", {}).get("speedup_vs_best_serial", {}).get(config)
            rows.append(_row("%s: parallel (%s) / best serial" % (model["label"],
                                                                 PARALLEL_LABELS[config]),
                             f, ">= %.2fx" % PARALLEL_VS_SERIAL,
                             f is not None and f >= PARALLEL_VS_SERIAL,
                             note=_notes(_one_cluster_note(results, name, config),
                                         interval_note(interval))))
        if cores >= MANY_CORES and name in BRANCHY_MODELS:
            f = d["parallel_vs_best_serial"]
            rows.append(_row("%s: parallel / best serial on %d cores" % (model["label"], cores),
                             f, ">= %.2fx" % BRANCHY_SPEEDUP,
                             f is not None and f >= BRANCHY_SPEEDUP,
                             note=_one_cluster_note(results, name)))
    return rows


def _prediction_rows(results, cores):
    rows = []
    for model in results.get("latency", {}).values():
        p = model.get("prediction")
        if not p:
            continue
        f = p["ratio"]
        rows.append(_row("%s: predicted / measured serial time (workers=1, %d threads)"
                         % (model["label"], cores), f,
                         "%.2fx to %.2fx" % (1 - TOLERANCE, 1 + TOLERANCE), p["within"]))
    return rows


def evaluate(results):
    cores = results["machine"]["cores"]
    rows = (_ort_rows(results, cores) + _parallel_rows(results, cores) +
            _prediction_rows(results, cores))
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
                             note=_one_cluster_note(results, name, mode)))
    return rows
