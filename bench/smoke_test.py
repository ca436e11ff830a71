#!/usr/bin/env python3
"""The benchmark's smoke test (ctest label "bench"): runs the real harness end to end in quick
mode on the models named and checks every file it writes.

    smoke_test.py --build-dir BUILD --models-dir MODELS --work-dir DIR --out DIR [--models ...]

ONNX Runtime is measured when onnxruntime-node is installed or installable (else its
configurations must say why they were skipped). Timings are never asserted: only that every
configuration ran, agreed with PyTorch, that the calibration kernel was timed at each point, and
that the report, JSON and plots are complete.
"""
import argparse
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = ["torch-1", "torch-all", "serial-1", "serial-all", "thread", "process"]
ORT_CONFIGS = ["ort-seq-1", "ort-seq-all", "ort-parallel"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Failures:
    def __init__(self):
        self.messages = []

    def expect(self, condition, message):
        if not condition:
            self.messages.append(message)
        return condition


def check_latency(results, models, f):
    settings = results["settings"]
    ort_on = results["ort"]["version"] is not None
    for model in models:
        entry = results["latency"].get(model)
        if not f.expect(entry, "latency: no entry for %s" % model):
            continue
        rounds = entry.get("rounds", 0)
        f.expect(settings["rounds"] <= rounds <= settings["max_rounds"]
                 and rounds % settings["processes"] == 0,
                 "%s: %s rounds, not a whole number of turns of %d processes from --rounds %d "
                 "to %d" % (model, rounds, settings["processes"], settings["rounds"],
                            settings["max_rounds"]))
        samples = rounds * settings["iters"]
        processes = min(settings["processes"], rounds)
        configs = entry["configs"]
        for name in CONFIGS + (ORT_CONFIGS if ort_on else []):
            c = configs.get(name, {})
            f.expect(c.get("median_ms", 0) > 0 and c.get("samples") == samples,
                     "%s/%s: not measured %d times: %s" % (model, name, samples,
                                                           c.get("error", c)))
            f.expect(len(c.get("process_medians_ms", [])) == processes,
                     "%s/%s: not measured in %d worker processes" % (model, name, processes))
        if not ort_on:
            for name in ORT_CONFIGS:
                f.expect(configs[name].get("skipped"), "%s/%s: neither measured nor skipped"
                         % (model, name))
        pgo = configs.get("pgo", {})
        f.expect(pgo.get("median_ms") or pgo.get("skipped"),
                 "%s/pgo: neither measured nor skipped with a reason" % model)
        check = entry["check"]
        for name, c in check["configs"].items():
            f.expect(c["ok"], "%s/%s: outputs differ from PyTorch's (max |diff| %g, scaled %g)"
                     % (model, name, c["max_abs_diff"], c["scaled_diff"]))
        f.expect(set(CONFIGS) <= set(check["configs"]), "%s: outputs not checked for all "
                 "configurations: %s" % (model, sorted(check["configs"])))
        f.expect(check.get("module_vs_program") is not None and
                 check["module_vs_program"] < 1e-3,
                 "%s: the torch module and the serial program disagree (%s)"
                 % (model, check.get("module_vs_program")))
        derived = entry["derived"]
        f.expect(derived["best_serial"]["config"] in ("serial-1", "serial-all"),
                 "%s: no best serial run" % model)
        f.expect(all(v > 0 for v in derived["speedup_vs_best_serial"].values()),
                 "%s: speedups not positive" % model)
        as_run = derived.get("ramiel_as_run", {})
        f.expect(as_run.get("config") in ("thread", "pgo") and
                 isinstance(as_run.get("median_ms"), float),
                 "%s: no Ramiel-as-run figure: %s" % (model, as_run))
        ratio = derived.get("as_run_over_ort_reference")
        f.expect(isinstance(ratio, float) and ratio > 0 if ort_on else ratio is None,
                 "%s: Ramiel as run / ORT sequential is %r with ONNX Runtime %s"
                 % (model, ratio, "on" if ort_on else "off"))
        # The prediction judged: profiles calibrated right before and after the rounds.
        p = entry.get("prediction") or {}
        bracket = p.get("bracket_ms") or []
        f.expect(len(bracket) == 2 and all(ms > 0 for ms in bracket) and p.get("ratio", 0) > 0
                 and math.isclose(p["predicted_ms"], sum(bracket) / 2) and p.get("start_ms"),
                 "%s: no prediction from profiles calibrated around the rounds: %s" % (model, p))
        gap = entry.get("op_gap") or {}
        convolution = [r for r in gap.get("rows", []) if r["group"] == "convolution"]
        f.expect(not ort_on or (convolution and convolution[0]["ramiel_ms"] > 0 and
                                convolution[0]["ort_ms"] > 0),
                 "%s: no convolution time on both sides of the op gap: %s" % (model, gap))


def check_drift(results, models, f):
    """The calibration kernel: timed at the start, before each model's latency and at the end,
    each timing with its time stamp."""
    drift = results.get("drift")
    if not f.expect(drift, "drift: no calibration kernel timings"):
        return
    timings = drift["timings"]
    f.expect([t["when"] for t in timings[:1] + timings[-1:]] == ["start", "end"] and
             len(timings) == len(models) + 2,
             "drift: not timed at start, before each model and at end: %s"
             % [t["when"] for t in timings])
    for t in timings:
        stamped = isinstance(t.get("time"), str) and t["time"].endswith("Z")
        timed = all(isinstance(t.get(k), float) and t[k] > 0 for k in ("conv_ms", "matmul_ms"))
        f.expect(stamped and timed and isinstance(t.get("change_pct"), dict),
                 "drift: a malformed timing: %s" % t)
    f.expect(isinstance(drift["largest_change_pct"], float) and
             isinstance(drift["drifted"], bool),
             "drift: no largest change or verdict: %s" % {k: v for k, v in drift.items()
                                                          if k != "timings"})


def check_other_sections(results, models, f):
    for model in models:
        c = results["compile"].get(model, {})
        f.expect(all(c.get(s, -1) >= 0 for s in ("import", "passes", "cost", "schedule",
                                                 "codegen", "total")) and c.get("total", 0) > 0,
                 "compile %s: stages missing: %s" % (model, c))
        m = results["memory"].get(model, {})
        for key in ("torch", "serial", "thread", "process"):
            f.expect(m.get(key, {}).get("peak_rss_mb", 0) > 50,
                     "memory %s/%s: no peak RSS: %s" % (model, key, m.get(key)))
        g = results["gantt"].get(model, {})
        s = g.get("summary")
        if f.expect(s, "gantt %s: no summary: %s" % (model, g.get("error"))):
            f.expect(math.isclose(s["predicted_makespan_ms"], s["reported_makespan_ms"],
                                  rel_tol=1e-3, abs_tol=1e-3),
                     "gantt %s: simulated makespan %.3f ms is not schedule.json's %.3f ms" % (
                         model, s["predicted_makespan_ms"], s["reported_makespan_ms"]))
            f.expect(s["measured_makespan_ms"] > 0 and len(s["workers"]) == g["clusters"],
                     "gantt %s: trace has no slices or the wrong workers" % model)
    sizes = [s["nodes"] for s in results["scaling"]["sizes"]]
    f.expect(sizes == [1000, 10000, 100000], "scaling: sizes %s" % sizes)
    f.expect(math.isfinite(results["scaling"]["exponent"]), "scaling: no exponent")
    targets = results["targets"]
    f.expect(targets and all(t["met"] in (True, False, None) for t in targets),
             "targets: missing or malformed")
    geomean = [t for t in targets if "geometric mean" in t["target"]]
    f.expect(len(geomean) == 1 and (isinstance(geomean[0]["figure"], float) or
                                    results["ort"]["version"] is None),
             "targets: no geometric mean over ONNX Runtime: %s" % geomean)
    parallel = [t for t in targets if "/ best serial" in t["target"]]
    f.expect(len(parallel) >= 3 * len(models), "targets: not every parallel configuration "
             "against the best serial run: %s" % [t["target"] for t in parallel])


def check_files(out, models, ort_on, f):
    with open(os.path.join(out, "results.md")) as md:
        text = md.read()
    headings = ["## Targets", "## Ramiel against ONNX Runtime", "## Latency", "## Compile time",
                "## Memory", "## Schedule", "## Plots"]
    for heading in headings + (["## Where the time goes against ONNX Runtime"] if ort_on
                               else []):
        f.expect(heading in text, "results.md: no %r section" % heading)
    f.expect("Calibration kernel" in text and ("**Drift:**" in text or "No drift:" in text),
             "results.md: the calibration kernel or the drift verdict is missing")
    plots = [line[line.index("(") + 1:-1] for line in text.splitlines() if line.startswith("![")]
    expected = {"latency.png", "speedup.png", "compile_stages.png", "dag_scaling.png",
                "memory.png"} | {"gantt_%s.png" % m for m in models} | (
                    {"ort_ratio.png"} if ort_on else set())
    f.expect(expected <= set(plots), "results.md: plots missing: %s" % (expected - set(plots)))
    for name in plots:
        path = os.path.join(out, name)
        ok = os.path.exists(path) and os.path.getsize(path) > 5000
        if ok:
            with open(path, "rb") as png:
                ok = png.read(8) == PNG_SIGNATURE
        f.expect(ok, "%s: not a PNG plot" % name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--models-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--models", nargs="+", default=["squeezenet1_0"])
    args = parser.parse_args()
    for stale in ("results.json", "results.md"):
        if os.path.exists(os.path.join(args.out, stale)):
            os.remove(os.path.join(args.out, stale))
    # A few seconds of rounds, so that the time budget adds some past --quick's two.
    command = [sys.executable, os.path.join(HERE, "run_benchmarks.py"), "--quick",
               "--latency-seconds", "5", "--build-dir", args.build_dir, "--models-dir",
               args.models_dir, "--work-dir", args.work_dir, "--out", args.out,
               "--models"] + args.models
    print(" ".join(command), flush=True)
    if subprocess.run(command).returncode != 0:
        print("FAILED: the harness exited with an error")
        return 1
    with open(os.path.join(args.out, "results.json")) as f:
        results = json.load(f)
    failures = Failures()
    check_latency(results, args.models, failures)
    check_drift(results, args.models, failures)
    check_other_sections(results, args.models, failures)
    check_files(args.out, args.models, results["ort"]["version"] is not None, failures)
    for message in failures.messages:
        print("FAILED: " + message)
    if not failures.messages:
        print("bench smoke test passed (ONNX Runtime %s)" % (
            results["ort"]["version"] or "skipped: " + str(results["ort"]["reason"])))
    return 1 if failures.messages else 0


if __name__ == "__main__":
    sys.exit(main())
