#!/usr/bin/env python3
"""Ramiel's benchmark: every configuration side by side in one run.

    bench/run.sh [--build-dir build] [--quick] [--models NAME ...] [--out bench/results]

Needs a built tree (ramiel-client, bench/schedule_scaling); builds nothing. Exports the
reference models it needs into the work dir (bench/.work/), installs ONNX Runtime's CPU build
for Node (onnxruntime-node, pinned) there when missing, compiles each model and measures:
latency at batch 1 of the PyTorch module, the generated program (serial and parallel) and ONNX
Runtime, interleaved over long-lived workers; the cost model's predicted serial time against the
measured one, with a device profile calibrated at the start (or named with --device-profile);
compile time per stage and on random DAGs; peak memory; predicted against traced schedules; a
calibration kernel at the start, before each model's latency and at the end, to show a
drifting machine. Writes results.md, results.json
and PNG plots to the output directory. See bench/README.md.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from harness import compile_times, configs, drift, gantt, latency, machine, memory  # noqa: E402
from harness import models as refmodels  # noqa: E402
from harness import op_gap, ort_setup, plots, prediction, report, targets  # noqa: E402
from harness.figures import derive  # noqa: E402

EXPORT_SCRIPT = os.path.join(ROOT, "tests", "models", "export_models.py")
QUICK_MODELS = ["squeezenet1_0", "googlenet"]
MAX_ROUNDS_FACTOR = 8  # --latency-seconds adds rounds up to this many times --rounds


def log(message):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), message))
    sys.stderr.flush()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"),
                        help="a built tree with client/ramiel-client (default: build/)")
    parser.add_argument("--work-dir", default=os.path.join(HERE, ".work"),
                        help="models, compiled programs, ONNX Runtime, logs (default: "
                             "bench/.work)")
    parser.add_argument("--models-dir", help="exported models (default: WORK/models)")
    parser.add_argument("--out", default=os.path.join(HERE, "results"),
                        help="results.md, results.json and plots (default: bench/results)")
    parser.add_argument("--models", nargs="+", choices=refmodels.MODELS,
                        help="models (default: all; with --quick: %s)" % " ".join(QUICK_MODELS))
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: fewer rounds, iterations and models")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 16; quick 2)")
    parser.add_argument("--latency-seconds", type=float,
                        help="more rounds until a model's have lasted this long, up to %dx "
                             "--rounds (default 40; quick 0)" % MAX_ROUNDS_FACTOR)
    parser.add_argument("--processes", type=int, default=2,
                        help="worker processes per configuration, alternating rounds (default "
                             "2: averages out a process's own speed)")
    parser.add_argument("--iters", type=int, help="timed iterations per round (default 3; "
                                                  "quick 2)")
    parser.add_argument("--warmup", type=int, help="untimed iterations first (default 3; "
                                                   "quick 1)")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)),
                        help="workers to compile for (default: the cores)")
    parser.add_argument("--compile-runs", type=int, help="compiles per model (default 7; "
                                                         "quick 2)")
    parser.add_argument("--memory-iters", type=int, help="runs in a memory process (default "
                                                         "10; quick 2)")
    parser.add_argument("--settle-ms", type=float, default=50,
                        help="pause before each configuration's turn (default 50)")
    parser.add_argument("--ort", choices=("auto", "off", "require"), default="auto",
                        help="ONNX Runtime: install if missing and skip if impossible (auto), "
                             "never, or fail without it")
    parser.add_argument("--device-profile", metavar="FILE",
                        help="compile with this device profile (default: calibrate one at the "
                             "start with a compiled program's --calibrate)")
    parser.add_argument("--prediction-calibrations", type=int,
                        help="calibrations right before and again right after each model's "
                             "rounds; each side's prediction is their median (default 3; "
                             "quick 1)")
    parser.add_argument("--skip", nargs="+", default=[],
                        choices=("latency", "compile", "scaling", "memory", "gantt", "drift",
                                 "op-gap"),
                        help="sections to leave out")
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if args.prediction_calibrations is not None and args.prediction_calibrations < 1:
        parser.error("--prediction-calibrations must be at least 1")
    if args.latency_seconds is not None and args.latency_seconds < 0:
        parser.error("--latency-seconds must not be negative")
    quick = args.quick
    args.models = args.models or (QUICK_MODELS if quick else refmodels.MODELS)
    args.rounds = args.rounds or (2 if quick else 16)
    if args.latency_seconds is None:
        args.latency_seconds = 0.0 if quick else 40.0
    args.max_rounds = MAX_ROUNDS_FACTOR * args.rounds
    args.iters = args.iters or (2 if quick else 3)
    args.warmup = args.warmup if args.warmup is not None else (1 if quick else 3)
    args.compile_runs = args.compile_runs or (2 if quick else 7)
    args.prediction_calibrations = args.prediction_calibrations or (1 if quick else 3)
    args.memory_iters = args.memory_iters or (2 if quick else 10)
    args.models_dir = args.models_dir or os.path.join(args.work_dir, "models")
    return args


def supports_profile(program):
    """Whether the generated program has --profile (profile-guided compilation's first step)."""
    done = subprocess.run([sys.executable, program, "--help"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)
    return "--profile" in done.stdout


def device_profile(args, client, files):
    """The device profile every compile uses: --device-profile's file, or one measured now by
    `model.py --calibrate` of the first model's program (quick with --quick); returns
    {"file", "calibrated", "profile"}."""
    path = args.device_profile
    if path is None:
        path = os.path.join(args.work_dir, "device_profile.json")
        program_dir = os.path.join(args.work_dir, "calibration", files.name)
        refmodels.compile_model(client, files.onnx, program_dir, args.workers)
        log("calibrating the device profile into %s" % path)
        prediction.calibrate(sys.executable, os.path.join(program_dir, "model.py"), path,
                             args.quick, log)
    with open(path) as f:
        return {"file": os.path.abspath(path), "calibrated": args.device_profile is None,
                "profile": json.load(f)}


def profile_guided(client, files, program, out_dir, workers, profile):
    """Measures node costs with model.py --profile and compiles again with --costs; returns
    (program path, "") or (None, why not)."""
    if not supports_profile(program):
        return None, "model.py has no --profile yet"
    costs = out_dir + ".costs.json"
    os.makedirs(os.path.dirname(costs), exist_ok=True)
    try:
        subprocess.run([sys.executable, program, "--onnx", files.onnx, "--profile", costs],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=900)
        refmodels.compile_model(client, files.onnx, out_dir, workers, costs=costs,
                                device_profile=profile)
    except subprocess.CalledProcessError as error:
        stderr = (error.stderr or b"").decode(errors="replace")
        return None, "model.py --profile failed: %s" % stderr[-300:]
    except (subprocess.TimeoutExpired, RuntimeError) as error:
        return None, "profile-guided compile failed: %s" % str(error)[:300]
    return os.path.join(out_dir, "model.py"), ""


def check_outputs(files, results):
    """Every configuration's outputs against the exported PyTorch output; the module against
    the serial program (the comparison is apples to apples only when they agree)."""
    import torch

    expected = refmodels.load_expected(files)
    outputs, check = {}, {"configs": {}}
    for name, result in results.items():
        path = result.pop("outputs_file", None)
        if not path or not os.path.exists(path):
            continue
        if result["family"] == "ort":
            outputs[name] = refmodels.read_ort_outputs(path)
        else:
            outputs[name] = torch.load(path)
        ok, diff, scaled = refmodels.compare(expected, outputs[name])
        check["configs"][name] = {"ok": ok, "max_abs_diff": diff, "scaled_diff": scaled}
    if check["configs"]:
        check["worst_scaled_diff"] = max(c["scaled_diff"] for c in check["configs"].values())
    if "torch-all" in outputs and "serial-all" in outputs:
        check["module_vs_program"] = refmodels.compare(outputs["torch-all"],
                                                       outputs["serial-all"])[2]
    return check


def run_latency(args, files, client, ort_package, ort_skip, calibrate, profile):
    work = args.work_dir
    out_dir = os.path.join(work, "compiled", files.name)
    schedule, _ = refmodels.compile_model(client, files.onnx, out_dir, args.workers,
                                          device_profile=profile)
    program = os.path.join(out_dir, "model.py")
    pgo_program, pgo_skip = profile_guided(client, files, program,
                                           os.path.join(work, "compiled-pgo", files.name),
                                           args.workers, profile)
    feeds = None
    if ort_package:
        feeds = refmodels.write_ort_feeds(files, [i["name"] for i in schedule["model"]["inputs"]],
                                          os.path.join(work, "feeds"))
    cores = len(os.sched_getaffinity(0))
    all_configs = (configs.torch_configs(files, EXPORT_SCRIPT, cores) +
                   configs.ramiel_configs(files, program, pgo_program, pgo_skip, cores) +
                   configs.ort_configs(files, ort_package, feeds, cores, ort_skip))
    # Profiles calibrated right around the rounds (harness/prediction.py); not where the run
    # was given one, which then stands for the machine.
    bracket = args.device_profile is None

    def predict_now(when):
        return prediction.predict_now(client, files, program, work, args.workers, args.quick,
                                      when, log, args.prediction_calibrations)

    bracket_ms = [predict_now("before")] if bracket else []
    calibrate("before %s latency" % files.label)  # after the compiles, right before the rounds
    results = latency.measure(all_configs, args.rounds, args.iters, args.warmup,
                              args.settle_ms / 1e3, os.path.join(work, "logs", files.name), log,
                              args.processes, args.latency_seconds, args.max_rounds)
    if bracket:
        bracket_ms.append(predict_now("after"))
    check = check_outputs(files, results)
    gap = None
    if "op-gap" not in args.skip and pgo_program and ort_package and not ort_skip:
        gap = where_time_goes(args, files, out_dir, all_configs,
                              results.get("ort-seq-all", {}).get("median_ms"))
    rounds = max((len(c.get("round_medians_ms", [])) for c in results.values()), default=0)
    return {"label": files.label, "rounds": rounds, "configs": results,
            "derived": derive(results),
            "check": check, "clusters": len(schedule["clusters"]), "op_gap": gap,
            "predicted_speedup": schedule["prediction"]["speedup"],
            "prediction": prediction.compare(schedule["prediction"]["serial_us"] / 1e3,
                                             results, bracket_ms)}, all_configs


def where_time_goes(args, files, out_dir, all_configs, ort_median_ms):
    """Both runtimes' per-kernel profiles at every core, by kind of work and the largest gaps node
    by node (harness/op_gap.py):
    the program's --profile from the profile-guided compile, ONNX Runtime's own profile scaled
    to its unprofiled median (ort_median_ms, this run's latency rounds)."""
    costs = os.path.join(args.work_dir, "compiled-pgo", files.name) + ".costs.json"
    ort = next(c for c in all_configs if c.name == "ort-seq-all")
    logs = os.path.join(args.work_dir, "logs", files.name)
    os.makedirs(logs, exist_ok=True)
    try:
        with open(os.path.join(out_dir, "schedule.json")) as f:
            schedule = json.load(f)
        with open(costs) as f:
            node_profile = json.load(f)
        kernels, ort_run_ms = op_gap.profile_ort(
            ort.argv, os.path.join(logs, "ort-profile"), args.rounds * args.iters, args.warmup,
            os.path.join(logs, "ort-profile.log"))
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        log("op gap: %s: %s" % (files.name, error))
        return {"error": str(error)[:300]}
    # Profiling slows ONNX Runtime's kernels too: scaled to its unprofiled median.
    ort_scale = ort_median_ms / ort_run_ms if ort_median_ms else 1.0
    ort_ms = {key: ms * ort_scale for key, ms in op_gap.ort_groups(kernels).items()}
    out = op_gap.compare(op_gap.ramiel_groups(schedule, node_profile), ort_ms)
    out.update(ort_profiled_run_ms=ort_run_ms, ort_median_ms=ort_median_ms,
               threads=node_profile.get("threads"), **op_gap.engine_runs(node_profile))
    out["nodes"] = op_gap.node_gaps(schedule, node_profile, kernels, ort_scale)
    return out


def run_memory(args, files, all_configs):
    by_name = {c.name: c for c in all_configs}
    scratch = os.path.join(args.work_dir, "logs", files.name)
    os.makedirs(scratch, exist_ok=True)
    keys = (("torch", "torch-all"), ("serial", "serial-all"), ("thread", "thread"),
            ("process", "process"))
    out = memory.peak_memory({key: by_name[name] for key, name in keys}, args.memory_iters,
                             scratch)
    out["label"] = files.label
    return out


def run_gantt(args, files):
    program_dir = os.path.join(args.work_dir, "compiled", files.name)
    with open(os.path.join(program_dir, "schedule.json")) as f:
        schedule = json.load(f)
    out = {"name": files.name, "label": files.label, "clusters": len(schedule["clusters"])}
    try:
        predicted, span = gantt.predict(schedule, gantt.tensor_bytes(files.onnx))
        trace = os.path.join(args.work_dir, "traces", files.name + ".trace.json")
        os.makedirs(os.path.dirname(trace), exist_ok=True)
        measured = gantt.run_trace(sys.executable, os.path.join(program_dir, "model.py"),
                                   files.onnx, trace)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError) as error:
        out["error"] = str(error)[:300]
        return out
    out.update(predicted=predicted, measured=measured, trace=os.path.relpath(trace, ROOT),
               summary=gantt.summarize(predicted, measured, span,
                                       schedule["prediction"]["makespan_us"]))
    return out


def without_slices(results):
    """results.json keeps the schedule summaries; the per-node slices are in the plots."""
    copy = dict(results)
    copy["gantt"] = {name: {k: v for k, v in g.items() if k not in ("predicted", "measured")}
                     for name, g in results.get("gantt", {}).items()}
    return copy


def native_kernels(build_dir):
    """The operator library every program of the run loads (RAMIEL_KERNELS, which the workers
    inherit): the one already named there, else the build's (kernels/), else none; its path or
    None."""
    if "RAMIEL_KERNELS" not in os.environ:
        built = os.path.join(build_dir, "kernels", "libramiel_kernels.so")
        os.environ["RAMIEL_KERNELS"] = built if os.path.exists(built) else "off"
    setting = os.environ["RAMIEL_KERNELS"]
    return None if setting.lower() == "off" else setting


def main(argv=None):
    args = parse_args(argv)
    client = os.path.join(args.build_dir, "client", "ramiel-client")
    scaling_bin = os.path.join(args.build_dir, "bench", "schedule_scaling")
    for path in (client,) + (() if "scaling" in args.skip else (scaling_bin,)):
        if not os.access(path, os.X_OK):
            sys.stderr.write("bench: %s is missing: build first (scripts/build.sh %s)\n"
                             % (path, args.build_dir))
            return 2
    os.makedirs(args.out, exist_ok=True)
    kernels = native_kernels(args.build_dir)
    results = {"machine": machine.describe(),
               "settings": {"native_kernels": kernels, "quick": args.quick,
                            "rounds": args.rounds, "latency_seconds": args.latency_seconds,
                            "max_rounds": args.max_rounds,
                            "iters": args.iters, "warmup": args.warmup,
                            "processes": args.processes,
                            "workers": args.workers, "compile_runs": args.compile_runs,
                            "memory_iters": args.memory_iters, "models": args.models,
                            "prediction_calibrations": args.prediction_calibrations}}
    log("machine: %s" % results["machine"])
    log("native kernels: %s" % (kernels or "off (PyTorch's kernels)"))
    timings = []

    def calibrate(when):
        if "drift" not in args.skip:
            timings.append(drift.calibrate(when))
            log("calibration kernel, %s: %s" % (when, timings[-1]))

    calibrate("start")
    model_files = refmodels.ensure_models(args.models, args.models_dir, sys.executable,
                                          EXPORT_SCRIPT, log)

    ort_package, ort_skip = None, "ONNX Runtime off (--ort off)"
    if args.ort != "off" and "latency" not in args.skip:
        ort_package, ort_skip = ort_setup.ensure_ort(os.path.join(args.work_dir, "ort"), log=log)
        if ort_package is None and args.ort == "require":
            sys.stderr.write("bench: ONNX Runtime unavailable: %s\n" % ort_skip)
            return 2
        ort_skip = ort_skip or ""
        if ort_skip:
            log("ONNX Runtime skipped: %s" % ort_skip)
    results["ort"] = {"version": ort_setup.ORT_VERSION if ort_package else None,
                      "reason": ort_skip or None}

    config_lists = {}
    if "latency" not in args.skip:
        results["device_profile"] = device_profile(args, client, model_files[0])
        log("device profile: %s" % json.dumps(results["device_profile"]["profile"]))
        results["latency"] = {}
        for files in model_files:
            log("latency: %s" % files.name)
            results["latency"][files.name], config_lists[files.name] = run_latency(
                args, files, client, ort_package, ort_skip, calibrate,
                results["device_profile"]["file"])
    if "compile" not in args.skip:
        results["compile"] = {}
        for files in model_files:
            log("compile times: %s" % files.name)
            scratch = os.path.join(args.work_dir, "compile-times", files.name)
            entry = compile_times.model_compile_times(client, files.onnx, scratch, args.workers,
                                                      args.compile_runs)
            schedule, _ = refmodels.compile_model(client, files.onnx, scratch + "-final",
                                                  args.workers)
            entry.update(label=files.label, nodes_in=schedule["graph"]["nodes_in"],
                         nodes_out=schedule["graph"]["nodes_out"])
            results["compile"][files.name] = entry
    if "scaling" not in args.skip:
        log("scheduler scaling on random DAGs")
        results["scaling"] = compile_times.dag_scaling(
            scaling_bin, os.path.join(args.work_dir, "schedule_scaling.json"),
            3 if args.quick else 5)
    if "memory" not in args.skip and config_lists:
        results["memory"] = {}
        for files in model_files:
            log("memory: %s" % files.name)
            results["memory"][files.name] = run_memory(args, files, config_lists[files.name])
    if "gantt" not in args.skip and config_lists:
        results["gantt"] = {}
        for files in model_files:
            log("trace: %s" % files.name)
            results["gantt"][files.name] = run_gantt(args, files)

    calibrate("end")
    if timings:
        results["drift"] = drift.summarize(timings)
    results["machine"]["load_average_at_end"] = machine.load_average()
    results["targets"] = targets.evaluate(results)
    names = plots.draw_all(results, args.out)
    report.write(os.path.join(args.out, "results.md"), results, names)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(without_slices(results), f, indent=1, sort_keys=True)
        f.write("\n")
    log("wrote %s (results.md, results.json, %d plots)" % (args.out, len(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
