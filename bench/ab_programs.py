#!/usr/bin/python3
"""Two compiled programs of one model in one process, run alternately: did a change move latency?

Each program loads its own runtime (model.py imports the ramiel_runtime.py beside it), with
load() defaults and one worker. Run i times both, the order flipped every run, so both see the
same caches, threads and machine speed; on a 2-vCPU VM whose speed drifts from minute to
minute, this told a 2-3% change apart (the same program against itself: 0.999), where programs
in separate processes, run in rounds with pauses between them, moved by +-5%. Prints each
program's median, the ratio of the medians and the quartiles of the per-run ratios (new / old).

Usage: /usr/bin/python3 bench/ab_programs.py OLD_DIR NEW_DIR --model MODEL [--runs 150]
       [--warmup 10] [--models-dir DIR]
"""
import argparse
import importlib.util
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load_program(directory, name):
    """The model.py of a compiled program directory, as a module called `name`."""
    path = os.path.join(directory, "model.py")
    if not os.path.exists(path):
        raise SystemExit("%s has no model.py: pass a directory a compile wrote" % directory)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def summarize(old_ms, new_ms):
    """{"old_ms", "new_ms": medians, "ratio": new over old median, "pair_ratios": quartiles
    (25th, 50th, 75th) of each run's new over old}."""
    pairs = sorted(n / o for o, n in zip(old_ms, new_ms))
    quartiles = statistics.quantiles(pairs, n=4) if len(pairs) > 1 else pairs * 3
    old, new = statistics.median(old_ms), statistics.median(new_ms)
    return {"old_ms": old, "new_ms": new, "ratio": new / old, "pair_ratios": quartiles}


def alternate(old, new, inputs, runs, warmup):
    """Times `old` and `new` (callables) on `inputs`, alternately, the order flipped every run:
    ([old ms], [new ms])."""
    for _ in range(warmup):
        old(*inputs)
        new(*inputs)
    times = {old: [], new: []}
    for run in range(runs):
        for program in ((old, new) if run % 2 == 0 else (new, old)):
            start = time.perf_counter()
            program(*inputs)
            times[program].append((time.perf_counter() - start) * 1e3)
    return times[old], times[new]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old_dir", help="a program directory compiled before the change")
    parser.add_argument("new_dir", help="one compiled after it")
    parser.add_argument("--model", required=True, help="reference model name (googlenet, ...)")
    parser.add_argument("--models-dir", default=os.path.join(HERE, ".work", "models"),
                        help="where MODEL.onnx and MODEL.input.pt are (bench/run.sh's)")
    parser.add_argument("--runs", type=int, default=150)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args(argv)
    import torch  # after the arguments: --help needs no torch

    onnx = os.path.join(args.models_dir, args.model + ".onnx")
    inputs = torch.load(os.path.join(args.models_dir, args.model + ".input.pt"))
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    old_module = load_program(args.old_dir, "old_model")
    new_module = load_program(args.new_dir, "new_model")
    with old_module.load(onnx, workers=1) as old, new_module.load(onnx, workers=1) as new:
        old_ms, new_ms = alternate(old, new, inputs, args.runs, args.warmup)
    result = summarize(old_ms, new_ms)
    print("%s: old %.3f ms, new %.3f ms, new / old %.3f (per-run ratios: quartiles %.3f %.3f "
          "%.3f; %d runs each)" % (args.model, result["old_ms"], result["new_ms"],
                                   result["ratio"], *result["pair_ratios"], args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
