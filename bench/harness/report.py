"""results.md: the run's tables in Markdown (the same figures as results.json)."""
import re

from harness import figures, prediction, targets
from harness.compile_times import STAGES
from harness.figures import ORDER, geomean_over_ort

SHORT = {"torch-1": "PyTorch 1t", "torch-all": "PyTorch %dt", "serial-1": "serial 1t",
         "serial-all": "serial %dt", "thread": "parallel threads",
         "process": "parallel processes", "pgo": "parallel profile-guided",
         "ort-seq-1": "ORT seq 1t", "ort-seq-all": "ORT seq %dt", "ort-parallel": "ORT parallel"}


def _fmt(value, digits=2, suffix=""):
    if value is None:
        return "n/a"
    return ("%." + str(digits) + "f%s") % (value, suffix)


def _diff(value):
    return "n/a" if value is None else "%.2g" % value


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(config):
    if "median_ms" in config:
        return _fmt(config["median_ms"], 1)
    if "skipped" in config:
        return "skipped"
    return "error"


def _names(cores):
    return [SHORT[n] % cores if "%d" in SHORT[n] else SHORT[n] for n in ORDER]


def machine_section(results):
    m, s = results["machine"], results["settings"]
    ort = results.get("ort", {})
    return "\n".join([
        "Measured on: %s, %d cores, %s GB RAM; Linux %s; Python %s, torch %s; ONNX Runtime %s "
        "(onnxruntime-node, CPU) on Node %s; %s." % (
            m["cpu"], m["cores"], m["memory_gb"], m["kernel"], m["python"], m["torch"],
            ort.get("version") or "not measured (%s)" % ort.get("reason", "?"),
            m.get("node") or "n/a", m["date"]),
        "Load average (1, 5, 15 min) at start %s, at end %s: other work shared the machine "
        "when these exceed 0." % (m.get("load_average_at_start"), m.get("load_average_at_end")),
        "Latency: %s; %d iterations per configuration per round after %d warm-up "
        "iterations%s; medians over all rounds. Programs compiled for %d workers.%s" % (
            rounds_words(s, results.get("latency", {})), s["iters"], s["warmup"],
            _processes_words(s), s["workers"],
            " Quick mode (a smoke run, not a measurement)." if s["quick"] else ""),
        native_kernels_line(s)] + process_spread_lines(results.get("latency", {})) +
        ([drift_line(results["drift"])] if results.get("drift") else []))


def rounds_words(settings, latency):
    """How many interleaved rounds each model ran: --rounds, or more under --latency-seconds."""
    if not settings.get("latency_seconds"):  # none asked for (or a results.json from before)
        return "%d interleaved rounds" % settings["rounds"]
    counts = ", ".join("%s %d" % (m["label"], m["rounds"]) for m in latency.values()
                       if m.get("rounds"))
    return ("interleaved rounds, at least %d per model and more until they had lasted %g s "
            "(at most %d)%s" % (settings["rounds"], settings["latency_seconds"],
                                settings["max_rounds"], ": " + counts if counts else ""))


def _processes_words(settings):
    processes = settings.get("processes", 1)  # 1 in a results.json from before the setting
    if processes == 1:
        return ", one worker process per configuration"
    return (", each configuration in %d worker processes taking alternate rounds"
            % processes)


def process_spread_lines(latency):
    """The largest difference between one configuration's worker processes (their medians):
    how much a process's own speed moved a figure before the alternation averaged it."""
    spread = []
    for model in latency.values():
        for name, config in model.get("configs", {}).items():
            medians = config.get("process_medians_ms", [])
            if len(medians) > 1:
                spread.append((max(medians) / min(medians) - 1, model["label"], name, medians))
    if not spread:
        return []
    worst = max(spread)
    return ["Per-process speed: the largest difference between one configuration's worker "
            "processes was %.1f%% (%s, %s: %s ms); the median over all configurations %.1f%%."
            % (100 * worst[0], worst[1], worst[2], ", ".join("%.2f" % m for m in worst[3]),
               100 * sorted(s[0] for s in spread)[len(spread) // 2])]


def native_kernels_line(settings):
    """Which operators the programs ran on (bench/run_benchmarks.py: native_kernels)."""
    if "native_kernels" not in settings:  # a results.json from before the setting
        return "Native operators: not recorded."
    if settings["native_kernels"]:
        return ("Native operators: Ramiel's (%s) for the prepacked engine's convolutions, max "
                "and global average poolings and products of two activations."
                % settings["native_kernels"])
    return "Native operators: none (RAMIEL_KERNELS=off or not built): PyTorch's own."


def _kernel_times(timing):
    if "error" in timing:
        return "failed (%s)" % timing["error"]
    return "conv %.2f ms, matmul %.2f ms (%s)" % (timing["conv_ms"], timing["matmul_ms"],
                                                  timing["time"])


def drift_line(drift):
    """The machine section's calibration kernel: start, end and the largest change."""
    first, last = drift["timings"][0], drift["timings"][-1]
    text = ("Calibration kernel (a fresh process at %d thread, median of %d runs each: %s; %s), "
            "timed %d times: at start %s; at end %s." % (
                drift["threads"], drift["repeats"], drift["kernels"]["conv_ms"],
                drift["kernels"]["matmul_ms"], len(drift["timings"]), _kernel_times(first),
                _kernel_times(last)))
    if drift["largest_change_pct"] is not None:
        text += " Largest change from the start: %+.1f%% (%s kernel, %s)." % (
            drift["largest_change_pct"], drift["largest_change_kernel"].replace("_ms", ""),
            drift["largest_change_at"])
    return " ".join(part for part in (text, drift_note(drift)) if part)


def drift_note(drift):
    """Drift in words, for beside the latency tables: "" when the kernel was not timed."""
    if not drift or drift["drifted"] is None:
        return ""
    if drift["drifted"]:
        return ("**Drift:** the calibration kernel's time moved %+.1f%% from the start of the "
                "run (more than %g%%): the machine's speed changed during the run, so compare "
                "configurations within a model (measured interleaved), not figures of models "
                "measured apart." % (drift["largest_change_pct"], drift["threshold_pct"]))
    return ("No drift: the calibration kernel stayed within %g%% of its start-of-run time "
            "(largest change %+.1f%%)." % (drift["threshold_pct"], drift["largest_change_pct"]))


def ort_section(results):
    """Ramiel as a user runs it against ONNX Runtime's sequential executor at every core."""
    cores = results["machine"]["cores"]
    rows = []
    for model in results["latency"].values():
        d = model["derived"]
        as_run = d["ramiel_as_run"]["config"]
        rows.append([model["label"], SHORT[as_run] if as_run else "n/a",
                     _fmt(d["ramiel_as_run"]["median_ms"], 1),
                     _fmt(d["ort_reference"]["median_ms"], 1),
                     _fmt(d["as_run_over_ort_reference"], 2, "x")])
    mean, labels = geomean_over_ort(results["latency"])
    rows.append(["geometric mean %s" % targets.geomean_scope(labels), "", "", "",
                 _fmt(mean, 2, "x")])
    note = drift_note(results.get("drift"))
    return "\n\n".join([
        "Ramiel as a user runs it is the faster of `load(onnx)` with defaults (parallel "
        "threads) and the profile-guided compile; ONNX Runtime runs its sequential executor at "
        "%d intra-op threads. Targets: each model at most %.2fx, the geometric mean at most "
        "%.2fx." % (cores, targets.AS_RUN_OVER_ORT, targets.GEOMEAN_OVER_ORT)] +
        ([note] if note else []) +
        [_table(["model", "Ramiel as run", "Ramiel median (ms)",
                 "ORT seq %dt median (ms)" % cores, "Ramiel / ORT"], rows)])


def prediction_section(results):
    """The cost model's predicted serial time against the measured one, and the profile."""
    cores = results["machine"]["cores"]
    source = results.get("device_profile", {})
    profile = source.get("profile", {})
    how = ("calibrated at the start of this run by `model.py --calibrate`" if source.get(
        "calibrated") else "given with --device-profile (%s)" % source.get("file"))
    keys = ", ".join("%s %s" % (key, profile[key]) for key in sorted(profile) if key != "name")
    rows = prediction.rows(results["latency"])
    bracketed = any(p.get("bracket_ms") for _, p in rows)
    within = "within %d%%" % round(prediction.TOLERANCE * 100)
    verdict = {True: "yes", False: "**no**", None: "n/a"}
    header = ["model", "predicted, run's profile (ms)" if bracketed else "predicted serial (ms)"]
    header += ["predicted, before / after (ms)"] if bracketed else []
    header += ["measured serial %dt (ms)" % cores, "predicted / measured", within]
    body = []
    for label, p in rows:
        cells = [label, _fmt(p.get("start_ms", p["predicted_ms"]), 1)]
        if bracketed:
            cells.append(" / ".join(_fmt(ms, 1) for ms in p.get("bracket_ms") or []) or "n/a")
        body.append(cells + [_fmt(p["measured_ms"], 1), _fmt(p["ratio"], 2, "x"),
                             verdict[p["within"]]])
    if bracketed:
        each = results.get("settings", {}).get("prediction_calibrations", 1)
        predicted = (
            "*Predicted* is the mean of two predictions (`prediction.serial_us`), with profiles "
            "calibrated right before and right after the model's latency rounds (%d each, each "
            "side the median of its compiles; this VM's speed drifts by 20-40%% within minutes, "
            "which a prediction from the start of the run would count as the model's error; "
            "the run's profile's own prediction is beside it)" % each)
    else:
        predicted = "*Predicted* is schedule.json's `prediction.serial_us`"
    return "\n\n".join([
        "Every program was compiled with one device profile, %s: %s. %s; *measured* the "
        "serial program at %d intra-op threads (serial %dt above), which is what that "
        "prediction stands for. Target: within %d%%." % (
            how, keys or "n/a", predicted, cores, cores, round(prediction.TOLERANCE * 100)),
        _table(header, body)])


def op_gap_section(results):
    """Per model, both runtimes' own kernel profiles at every core, by kind of work."""
    parts = [
        "Each runtime's own profile at %d threads (Ramiel: the program's `--profile`, the one the "
        "profile-guided compile reads: the nodes of a cluster that runs prepacked timed in that "
        "engine by PyTorch's profiler, those of any other cluster eagerly, each scaled to its "
        "engine's whole run; ONNX Runtime: its session "
        "profile, scaled to its unprofiled median in this run, since profiling slows its kernels "
        "too), summed by kind of work. ONNX Runtime fuses activations and residual Adds into "
        "its convolutions, bias Adds into matrix products and residual Adds into layer norms; "
        "Ramiel's nodes that do the same work are counted the same way. *Gap* is Ramiel minus "
        "ONNX Runtime: where the remaining milliseconds go." % results["machine"]["cores"]]
    for model in results["latency"].values():
        gap = model.get("op_gap")
        if not gap:
            continue
        if "error" in gap:
            parts.append("%s: no comparison (%s)" % (model["label"], gap["error"]))
            continue
        rows = [[r["group"], _fmt(r["ramiel_ms"], 2), _fmt(r["ort_ms"], 2),
                 "%+.2f" % r["gap_ms"]] for r in gap["rows"]]
        rows.append(["**all kernels**", _fmt(gap["ramiel_ms"], 2), _fmt(gap["ort_ms"], 2),
                     "%+.2f" % (gap["ramiel_ms"] - gap["ort_ms"])])
        traced = gap.get("traced_wins") or []
        engines_note = ("; its clusters run %s: %s ms against %s ms eager, %s" % (
                            " and ".join(traced),
                            " and ".join(_fmt(gap.get("%s_ms" % e), 2) for e in traced),
                            _fmt(gap.get("eager_ms"), 2),
                            "which the prepacked per-node times below break down"
                            if gap.get("prepacked_nodes") else
                            "which the per-node eager times below break down")
                        if traced else "")
        parts += ["**%s** (ONNX Runtime's profiled run: %.2f ms median, unprofiled %s ms%s)" % (
            model["label"], gap["ort_profiled_run_ms"], _fmt(gap["ort_median_ms"], 2),
            engines_note),
            _table(["kind of work", "Ramiel (ms)", "ONNX Runtime (ms)", "gap (ms)"], rows)]
        if gap.get("nodes"):
            parts.append(node_gap_table(gap["nodes"]))
    return "\n\n".join(parts)


def node_gap_table(nodes):
    """The largest gaps node by node (op_gap.node_gaps): each of Ramiel's nodes with the
    element-wise ops ONNX Runtime folds into it, against ONNX Runtime's kernels for them."""
    body = [["`%s`" % r["unit"], " + ".join(r["ramiel_ops"]) or "-",
             " + ".join(r["ort_ops"]) or "-", _fmt(r["ramiel_us"], 0), _fmt(r["ort_us"], 0),
             "%+.0f" % r["gap_us"]] for r in nodes["rows"]]
    unmatched = sorted(nodes["ort_unmatched"].items(), key=lambda kv: -kv[1])
    rest = ", ".join("%s %s us" % (op, _fmt(us, 0)) for op, us in unmatched) or "none"
    return ("Largest gaps node by node (ONNX Runtime's kernels matched by node name or by the "
            "value they write; its kernels that match no node of the program, layout reorders "
            "and fusions named after no node: %s):\n\n" % rest
            + _table(["node", "Ramiel ops", "ONNX Runtime kernels", "Ramiel (us)",
                      "ONNX Runtime (us)", "gap (us)"], body))


def _ratio_text(figure, unit, limit):
    """A ratio to 3 decimals, or 4 where 3 would print a limit's own number (0.9497 against
    ">= 0.95x" reads "0.9497x", not a "0.950x" that is not met)."""
    limits = [float(number) for number in re.findall(r"\d+\.\d+", limit)]
    digits = 4 if any("%.3f" % figure == "%.3f" % number for number in limits) else 3
    return "%.*f%s" % (digits, figure, unit)


def targets_section(rows):
    body = []
    for row in rows:
        figure = row["figure"]
        text = "n/a" if figure is None else (
            _ratio_text(figure, row["unit"], row["limit"]) if row["unit"] != "ms"
            else "%.1f ms" % figure)
        met = {True: "met", False: "**not met**", None: "n/a"}[row["met"]]
        body.append([row["target"], text, row["limit"], met, row.get("note", "")])
    table = _table(["target", "figure", "limit", "", "note"], body)
    notes = [row.get("note", "") for row in rows]
    if any(note.startswith(targets.ONE_CLUSTER) for note in notes):
        table += ("\n\n*%s*: the compiler predicted no gain from running branches side by side, "
                  "so the parallel program is the serial one with every core (and no worker "
                  "processes); its ratios to the serial runs are this machine's run-to-run "
                  "noise." % targets.ONE_CLUSTER)
    if any("90%:" in note for note in notes):
        table += ("\n\n*90%%*: the interval the ratio falls in for %d%% of the resamplings of "
                  "this run's rounds (bootstrap over the rounds' medians, both configurations "
                  "of a round kept together): how far the run's noise alone moves it. A target "
                  "inside its figure's interval is met or missed by noise."
                  % round(100 * figures.INTERVAL_LEVEL))
    return table


def latency_section(results):
    cores = results["machine"]["cores"]
    latency = results["latency"]
    header = ["model"] + _names(cores)
    ms_rows, ratio_rows, check_rows = [], [], []
    for model in latency.values():
        configs = model["configs"]
        ms_rows.append([model["label"]] + [_cell(configs[n]) for n in ORDER])
        speedups = model["derived"]["speedup_vs_best_serial"]
        ratio_rows.append([model["label"]] + [_fmt(speedups.get(n), 2, "x") if n in speedups
                                              else "" for n in ORDER] +
                          [_fmt(model.get("predicted_speedup"), 2, "x")])
        check = model["check"]
        failed = [n for n, c in check["configs"].items() if not c["ok"]]
        check_rows.append([model["label"], _diff(check.get("module_vs_program")),
                           "%d of %d" % (len(check["configs"]) - len(failed),
                                         len(check["configs"])),
                           _diff(check.get("worst_scaled_diff")), ", ".join(failed) or "none"])
    note = drift_note(results.get("drift"))
    return "\n\n".join(([note] if note else []) + [
        "### Median latency at batch 1 (ms)", _table(header, ms_rows),
        "### Speedup over the generated program's best serial run (best serial / configuration)",
        _table(header + ["predicted (schedule.json)"], ratio_rows),
        "### Output check (every configuration against the exported PyTorch output)",
        "Differences are max |difference| / max(1, max |expected|); outputs agree within "
        "1e-4 + 1e-3 x that scale.",
        _table(["model", "module vs serial program", "configurations that agree",
                "worst difference", "disagree"], check_rows),
    ])


def compile_section(results):
    rows = []
    for model in results["compile"].values():
        rows.append([model["label"], "%d / %d" % (model["nodes_in"], model["nodes_out"])] +
                    [_fmt(model.get(s), 1) for s in STAGES] +
                    [_fmt(model.get("after_import"), 1), _fmt(model.get("client_wall"), 1)])
    runs = next(iter(results["compile"].values()), {}).get("runs", 0)
    text = ["### Compile time per stage (median ms of %d compiles)" % runs,
            _table(["model", "nodes in / out"] + STAGES + ["after import", "client process"],
                   rows)]
    scaling = results.get("scaling")
    if scaling:
        srows = [[s["nodes"], s["edges"], s["clusters"], _fmt(s["ms"]["total"], 2),
                  _fmt(s["ms"]["cpu"], 2)] for s in scaling["sizes"]]
        text += ["### Scheduler on random DAGs (%d workers, median of %d runs)"
                 % (scaling["workers"], scaling["runs"]),
                 _table(["nodes", "edges", "clusters", "wall ms", "cpu ms"], srows),
                 "Fitted growth exponent: %.3f (wall), %.3f (CPU)." % (
                     scaling["exponent"], scaling["cpu_exponent"])]
    return "\n\n".join(text)


def memory_section(results):
    rows = []
    for model in results["memory"].values():
        serial = model.get("serial", {}).get("peak_rss_mb")

        def cell(key):
            m = model.get(key, {})
            if "peak_rss_mb" not in m:
                return "error" if "error" in m else "n/a"
            ratio = " (%.2fx)" % (m["peak_rss_mb"] / serial) if serial and key != "serial" \
                else ""
            return "%.0f%s" % (m["peak_rss_mb"], ratio)

        process = model.get("process", {})
        rows.append([model["label"], cell("torch"), cell("serial"), cell("thread"),
                     cell("process"), _fmt(process.get("pss_mb"), 0),
                     process.get("processes", "n/a")])
    iters = next(iter(results["memory"].values()), {}).get("serial", {}).get("iters", 0)
    return "\n\n".join([
        "### Peak memory (RSS, MB; fresh process, load + %d runs)" % iters,
        _table(["model", "PyTorch module", "serial", "parallel threads",
                "parallel processes (sum)", "processes: PSS now", "processes counted"], rows)])


def schedule_section(results):
    rows = []
    for model in results["gantt"].values():
        if "error" in model:
            rows.append([model["label"], "error: " + model["error"], "", "", "", ""])
            continue
        s = model["summary"]
        workers = "; ".join("w%d %.1f busy + %.1f hand-off" % (
            w["worker"], w["busy_ms"], w["handoff_ms"]) for w in s["workers"])
        ops = ", ".join("%s %.1f (pred. %.1f)" % (o["op"], o["measured_ms"], o["predicted_ms"])
                        for o in s["ops"][:4])
        rows.append([model["label"], model["clusters"], _fmt(s["predicted_makespan_ms"], 1),
                     _fmt(s["measured_makespan_ms"], 1), workers, ops])
    return "\n\n".join([
        "### Schedule: predicted against one traced run (thread mode; ms)",
        _table(["model", "clusters", "predicted makespan", "traced makespan",
                "per worker (traced)", "top ops, traced (predicted)"], rows),
        "The traced run uses sys.settrace, which adds per-statement overhead; the latency "
        "tables above are untraced."])


def write(path, results, plots):
    parts = ["# Ramiel benchmark results", machine_section(results), "## Targets",
             targets_section(results["targets"])]
    if results.get("latency"):
        parts += ["## Ramiel against ONNX Runtime", ort_section(results), "## Latency",
                  latency_section(results), "## Predicted against measured",
                  prediction_section(results)]
        if any(m.get("op_gap") for m in results["latency"].values()):
            parts += ["## Where the time goes against ONNX Runtime", op_gap_section(results)]
    if results.get("compile"):
        parts += ["## Compile time", compile_section(results)]
    if results.get("memory"):
        parts += ["## Memory", memory_section(results)]
    if results.get("gantt"):
        parts += ["## Schedule", schedule_section(results)]
    if plots:
        parts += ["## Plots"] + ["![%s](%s)" % (name, name) for name in plots]
    with open(path, "w") as f:
        f.write("\n\n".join(parts) + "\n")
