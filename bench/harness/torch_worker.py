#!/usr/bin/env python3
"""A benchmark worker for one PyTorch configuration: the original module or a generated program.

    torch_worker.py --kind module  --model NAME --export-script tests/models/export_models.py
                    --input NAME.input.pt --threads T
    torch_worker.py --kind program --program OUT/model.py --onnx NAME.onnx
                    --input NAME.input.pt [--workers W] [--mode thread|process] [--threads T]

It loads once, sets this process's intra-op thread count once (changing it mid-run slows the
next convolutions with this torch), then serves the line protocol of protocol.py on stdin and
stdout: run (k timed iterations), outputs (torch.save of the outputs), memory (peak RSS after
n iterations, this process and every descendant), quit.
"""
import argparse
import importlib.util
import json
import os
import resource
import sys
import time

# Keep the real stdout for the protocol and send everything else (prints of imported code,
# worker processes inheriting fd 1) to stderr, so that a reply is always the next line.
_PROTOCOL = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

# torch is imported in main(), after a generated program: see there.
torch = None


def _reply(**fields):
    fields.setdefault("ok", True)
    _PROTOCOL.write(json.dumps(fields) + "\n")
    _PROTOCOL.flush()


def import_path(name, path):
    """Imports the Python file at `path` as module `name`."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_module(model_name, export_script):
    """The original torch module with the exported weights: the export script's build() after
    the same seed (torch.manual_seed(0)) the export uses."""
    export_models = import_path("export_models", export_script)
    torch.manual_seed(0)
    module, _ = export_models.build(model_name)
    module.eval()

    def run(*inputs):
        with torch.no_grad():
            out = module(*inputs)
        return tuple(out) if isinstance(out, (tuple, list)) else (out,)

    return run, {"kind": "module"}, lambda: None


def build_program(args, program_module):
    options = {"engine": args.engine} if args.engine else {}  # else load()'s default
    program = program_module.load(args.onnx, workers=args.workers, mode=args.mode,
                                  threads=args.threads, **options)
    info = {"kind": "program", "workers": program.workers, "mode": program.mode,
            "threads_per_worker": program.threads, "clusters": len(program_module.CLUSTERS),
            "engines": {str(k): v for k, v in getattr(program, "engines", {}).items()}}
    return program, info, program.close


def _children_of(pid):
    """Every descendant process id of `pid` (from /proc)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, frontier = [], [pid]
    while frontier:
        kids = parents.get(frontier.pop(), [])
        found.extend(kids)
        frontier.extend(kids)
    return sorted(found)


def _status_kb(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_report():
    """Peak RSS of this process and of each live descendant (VmHWM), and the current
    proportional set size of them all (shared pages counted once in total)."""
    me = os.getpid()
    children = _children_of(me)
    return {"self_peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            "children_peak_kb": [_status_kb(pid, "VmHWM") for pid in children],
            "pss_kb": _pss_kb(me) + sum(_pss_kb(pid) for pid in children)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=("module", "program"), required=True)
    parser.add_argument("--model", help="reference model name (--kind module)")
    parser.add_argument("--export-script", help="tests/models/export_models.py")
    parser.add_argument("--program", help="the generated model.py (--kind program)")
    parser.add_argument("--onnx", help="the ONNX file the program was compiled from")
    parser.add_argument("--input", required=True, help="NAME.input.pt")
    parser.add_argument("--threads", type=int, default=None,
                        help="intra-op threads (module, serial program) or per worker")
    parser.add_argument("--workers", type=int, default=None,
                        help="the program's workers (default: the schedule's)")
    parser.add_argument("--mode", choices=("thread", "process"), default="thread")
    parser.add_argument("--engine", choices=("eager", "frozen", "prepacked"), default=None,
                        help="the program's engine (default: load()'s, the program's ENGINES)")
    args = parser.parse_args()

    global torch
    try:
        # The generated program is imported first, as `python3 model.py` runs: it sets OpenMP's
        # settings before torch loads OpenMP (a staged program needs them, and otherwise runs
        # serially).
        program_module = (import_path("ramiel_generated_model", args.program)
                          if args.kind == "program" else None)
        import torch
        # Once, before any kernel runs: the calling thread runs the module and serial programs.
        torch.set_num_threads(args.threads or len(os.sched_getaffinity(0)))
        started = time.perf_counter()
        if args.kind == "module":
            run, info, close = build_module(args.model, args.export_script)
        else:
            run, info, close = build_program(args, program_module)
        loaded = torch.load(args.input)
        inputs = tuple(loaded) if isinstance(loaded, (tuple, list)) else (loaded,)
        info.update(load_ms=(time.perf_counter() - started) * 1e3,
                    intra_op_threads=torch.get_num_threads(), pid=os.getpid(),
                    torch=torch.__version__)
    except Exception as error:  # the orchestrator reports it as this configuration's result
        _reply(ok=False, error="cannot load: %s: %s" % (type(error).__name__, error))
        return 1
    _reply(ready=True, info=info)

    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            cmd = request.get("cmd")
            if cmd == "quit":
                close()
                _reply()
                return 0
            if cmd in ("run", "memory"):
                times = []
                for _ in range(int(request.get("iters", 1))):
                    start = time.perf_counter()
                    run(*inputs)
                    times.append((time.perf_counter() - start) * 1e3)
                if cmd == "run":
                    _reply(times_ms=times)
                else:
                    _reply(times_ms=times, **memory_report())
            elif cmd == "outputs":
                torch.save([t.detach().clone() for t in run(*inputs)], request["path"])
                _reply(path=request["path"])
            else:
                _reply(ok=False, error="unknown command %r" % (cmd,))
        except Exception as error:
            _reply(ok=False, error="%s: %s" % (type(error).__name__, error))
    close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
