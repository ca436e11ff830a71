#!/usr/bin/python3
"""Two compilers' programs of one model, measured side by side: did a change move latency?

Compiles each reference model with both clients (OLD_BUILD and NEW_BUILD, e.g. a worktree at
the commit before a refactoring and the current build), then times the two programs (serial at
every core, and as load() runs them by default) in interleaved rounds of one harness run, so
both see the same machine; a slower VM moves both. Prints a table and the new/old ratio of the
medians with the quartiles of each, which say what "within noise" means on this run.

--engines eager frozen prepacked adds the new program's load() with each engine forced (serial
too with --engines-serial); --ort adds ONNX Runtime's sequential executor at every core
(installed in WORK_DIR/../ort when missing, as bench/run.sh does), and a column of each run
against it.

Usage: /usr/bin/python3 bench/compare_programs.py OLD_BUILD NEW_BUILD [--models M ...]
       [--rounds 15] [--iters 3] [--warmup 3] [--engines E ...] [--engines-serial] [--ort]
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from harness import configs, latency, ort_setup  # noqa: E402
from harness import models as refmodels  # noqa: E402

EXPORT_SCRIPT = os.path.join(HERE, "..", "tests", "models", "export_models.py")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old_build", help="build directory of the compiler before the change")
    parser.add_argument("new_build", help="build directory of the compiler after it")
    parser.add_argument("--models", nargs="+", default=["squeezenet1_0", "googlenet"],
                        choices=refmodels.MODELS)
    parser.add_argument("--work-dir", default=os.path.join(HERE, ".work", "compare"))
    parser.add_argument("--models-dir", default=os.path.join(HERE, ".work", "models"),
                        help="exported reference models (exported there when missing)")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--iters", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--engines", nargs="*", default=[],
                        choices=("eager", "frozen", "prepacked"),
                        help="also the new program's load() with each of these engines")
    parser.add_argument("--engines-serial", action="store_true",
                        help="and its serial run with each of them")
    parser.add_argument("--ort", action="store_true", help="also ONNX Runtime sequential")
    parser.add_argument("--engines-only", action="store_true",
                        help="only the new program's load() per engine (and ORT): no old build")
    args = parser.parse_args(argv)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    cores = len(os.sched_getaffinity(0))
    model_files = refmodels.ensure_models(args.models, args.models_dir,
                                          sys.executable, EXPORT_SCRIPT, log)
    ort_package = None
    if args.ort:
        ort_package, ort_skip = ort_setup.ensure_ort(
            os.path.join(os.path.dirname(os.path.abspath(args.work_dir)), "ort"), log=log)
        if not ort_package:
            log("no ONNX Runtime: %s" % ort_skip)
    print("%-14s %-18s %9s %9s %8s %8s  %s" % ("model", "run", "old ms", "new ms", "new/old",
                                               "new/ORT", "quartiles old | new"))
    for files in model_files:
        runs, schedule = [], None
        for side, build in (("old", args.old_build), ("new", args.new_build)):
            client = os.path.join(build, "client", "ramiel-client")
            out = os.path.join(args.work_dir, side, files.name)
            schedule, _ = refmodels.compile_model(client, files.onnx, out, cores)
            program = os.path.join(out, "model.py")
            if args.engines_only:
                runs += [configs.Config("new-load-" + engine, side, "parallel",
                                        configs.program_argv(program, files, None, engine=engine))
                         for engine in args.engines if side == "new"]
                continue
            runs += [configs.Config("%s-serial" % side, side, "serial",
                                    configs.program_argv(program, files, 1, threads=cores)),
                     configs.Config("%s-load" % side, side, "parallel",
                                    configs.program_argv(program, files, None))]
            for engine in args.engines if side == "new" else []:
                runs.append(configs.Config("new-load-" + engine, side, "parallel",
                                           configs.program_argv(program, files, None,
                                                                engine=engine)))
                if args.engines_serial:
                    runs.append(configs.Config(
                        "new-serial-" + engine, side, "serial",
                        configs.program_argv(program, files, 1, threads=cores, engine=engine)))
        if ort_package:
            feeds = refmodels.write_ort_feeds(
                files, [i["name"] for i in schedule["model"]["inputs"]],
                os.path.join(args.work_dir, "feeds"))
            runs += [c for c in configs.ort_configs(files, ort_package, feeds, cores, "")
                     if c.name == "ort-seq-all"]
        log("%s: %d rounds" % (files.name, args.rounds))
        results = latency.measure(runs, args.rounds, args.iters, args.warmup, 0.05,
                                  os.path.join(args.work_dir, "logs", files.name), log)
        ort = results.get("ort-seq-all", {}).get("median_ms")
        for name in [r.name for r in runs if r.name.startswith("new-")]:
            run = name[len("new-"):]
            new = results[name]
            old = results.get("old-" + run.split("-")[0], results["new-" + run])
            if "median_ms" not in old or "median_ms" not in new:
                print("%-14s %-18s failed: %s" % (files.name, run,
                                                  old.get("error") or new.get("error")))
                continue
            print("%-14s %-18s %9.2f %9.2f %8.3f %8s  %.2f-%.2f | %.2f-%.2f" % (
                files.name, run, old["median_ms"], new["median_ms"],
                new["median_ms"] / old["median_ms"],
                "%.3f" % (new["median_ms"] / ort) if ort else "-", old["p25_ms"], old["p75_ms"],
                new["p25_ms"], new["p75_ms"]))
        if ort:
            print("%-14s %-18s %9s %9.2f" % (files.name, "ORT seq", "", ort))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
