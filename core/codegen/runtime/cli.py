# --- the command line: --check, --bench, --profile, --trace --------------------------------------

_RANDOM_WORDS = ("Monday", "tuesday", "WEDNESDAY", "1.5", "-INF", "nan", "")


def _random_tensor(dtype, shape, generator):
    shape = tuple(1 if dim is None else dim for dim in shape) if shape is not None else ()
    if dtype is str:  # a string tensor: a numpy array of a few random words
        picks = torch.randint(0, len(_RANDOM_WORDS), shape, generator=generator).numpy()
        return np.vectorize(_RANDOM_WORDS.__getitem__, otypes=[object])(picks)
    if dtype.is_floating_point:
        return torch.randn(shape, generator=generator).to(dtype)
    if dtype == torch.bool:
        return torch.randint(0, 2, shape, generator=generator).to(torch.bool)
    return torch.randint(0, 2, shape, generator=generator).to(dtype)


def random_inputs(model, seed=0):
    """Inputs of the compiled shapes: normal floats, small non-negative integers, random bools,
    strings (numpy arrays of str) of a few random words; a sequence is a list of two such
    tensors, an optional is present."""
    generator = torch.Generator().manual_seed(seed)
    inputs = []
    for _, key, dtype, shape in model.INPUTS:
        if model.value_kinds.get(key, "tensor").endswith("sequence"):
            inputs.append([_random_tensor(dtype, shape, generator) for _ in range(2)])
        else:
            inputs.append(_random_tensor(dtype, shape, generator))
    return inputs


def _compare_tensors(expected, actual, rtol, atol):
    if is_string_array(expected) or is_string_array(actual):
        equal = (is_string_array(expected) and is_string_array(actual) and
                 expected.shape == actual.shape and bool((expected == actual).all()))
        return equal, "exact" if equal else "strings differ"
    if expected.shape != actual.shape or expected.dtype != actual.dtype:
        return False, "%s vs %s %s" % (list(expected.shape), list(actual.shape), actual.dtype)
    if expected.dtype.is_floating_point or expected.dtype.is_complex:
        difference = (expected - actual).abs().max().item() if expected.numel() else 0.0
        # Element by element, or against the output's scale: a traced cluster's fused kernels
        # sum in another order, which moves values near zero by more than rtol of themselves.
        scale = expected.abs().max().item() if expected.numel() else 0.0
        equal = (torch.allclose(expected, actual, rtol=rtol, atol=atol, equal_nan=True) or
                 difference <= atol + rtol * scale)
        return equal, "max |diff| %.3g" % difference
    equal = torch.equal(expected, actual)
    return equal, "exact" if equal else "%d elements differ" % int((expected != actual).sum())


def _compare(name, expected, actual, rtol, atol):
    """Tensors as torch compares them; lists element by element; None only with None."""
    if expected is None or actual is None:
        equal = expected is None and actual is None
        return equal, "None" if equal else "None vs a value"
    if isinstance(expected, list) or isinstance(actual, list):
        if not (isinstance(expected, list) and isinstance(actual, list)) or \
                len(expected) != len(actual):
            return False, "lists of different lengths"
        details = []
        for e, a in zip(expected, actual):
            equal, detail = _compare_tensors(e, a, rtol, atol)
            if not equal:
                return False, detail
            details.append(detail)
        return True, "%d tensors: %s" % (len(expected), ", ".join(details) or "empty")
    return _compare_tensors(expected, actual, rtol, atol)


def _describe(value):
    if value is None:
        return "None"
    if isinstance(value, list):
        return "[%s]" % ", ".join(_describe(tensor) for tensor in value)
    return "%s %s" % (value.dtype, list(value.shape))


def _load(model, args, **options):
    settings = dict(workers=args.workers, mode=args.mode, threads=args.threads,
                    engine=args.engine)
    settings.update(options)
    return Program(model, args.onnx, **settings)


def _check(model, args):
    inputs = random_inputs(model, args.seed)
    with _load(model, args, workers=1, mode="thread", threads=None, engine="eager") as serial:
        expected = serial(*inputs)
    with _load(model, args) as program:
        actual = program(*inputs)
        label = "%s, %d workers, intra-op threads %s, engines %s" % (
            program.mode, program.workers, ",".join(map(str, program.worker_threads)),
            ",".join(program.engines[k] for k in sorted(program.engines, key=str)))
    ok = True
    print("check: %s against serial eager" % label)
    for (name, _, _, _), e, a in zip(model.OUTPUTS, expected, actual):
        equal, detail = _compare(name, e, a, args.rtol, args.atol)
        ok = ok and equal
        print("  %-30s %-5s %s" % (name, "ok" if equal else "FAIL", detail))
    print("check: %s" % ("passed" if ok else "FAILED"))
    return 0 if ok else 1


def _trace(model, args):
    inputs = random_inputs(model, args.seed)
    with _load(model, args) as program:
        program(*inputs)  # warm up: the first run pays for allocations and kernel selection
        trace = {"t0": time.perf_counter_ns(), "events": []}
        program.run(*inputs, trace=trace)
        workers = program._runner.workers
    events = [{"name": "thread_name", "ph": "M", "pid": 0, "tid": worker,
               "args": {"name": "worker %d (cluster %s)" % (worker, ", ".join(map(str, indices)))}}
              for worker, indices in enumerate(workers)]
    events.append({"name": "process_name", "ph": "M", "pid": 0, "tid": 0,
                   "args": {"name": "%s (%s)" % (model.MODEL_NAME, program.mode)}})
    events.extend(sorted(trace["events"], key=lambda e: (e["tid"], e["ts"])))
    with open(args.trace, "w") as f:
        json.dump({"traceEvents": events, "displayTimeUnit": "ms"}, f, indent=1)
    print("trace: %d slices on %d workers written to %s" % (len(trace["events"]), len(workers),
                                                            args.trace))
    return 0


def _run_once(model, args):
    inputs = random_inputs(model, args.seed)
    with _load(model, args) as program:
        outputs = program(*inputs)
    for (name, _, _, _), value in zip(model.OUTPUTS, outputs):
        print("%-30s %s" % (name, _describe(value)))
    return 0


def main(model, argv=None):
    """model.py's command line."""
    clusters = len(model.CLUSTERS)
    parser = argparse.ArgumentParser(
        description="Runs %r as compiled by Ramiel %s: %d clusters run by parallel workers."
        % (model.MODEL_NAME, model.COMPILER_VERSION, clusters))
    parser.add_argument("--onnx", metavar="MODEL.onnx",
                        help="the model this program was compiled from (its weights are read "
                             "from it; its sha256 must match)")
    parser.add_argument("--workers", type=int, default=None,
                        help="workers (default: the schedule's %d; 1 runs serially)"
                        % clusters)
    parser.add_argument("--mode", choices=("thread", "process"), default="thread",
                        help="workers as threads (default) or processes")
    parser.add_argument("--threads", type=int, default=None,
                        help="intra-op threads of the narrow workers (default: the schedule's "
                             "CLUSTER_THREADS %s, or cores / workers)"
                        % (model.CLUSTER_THREADS,))
    parser.add_argument("--engine", choices=ENGINE_NAMES, default=None,
                        help="run the clusters eagerly, frozen or prepacked (default: "
                             "RAMIEL_ENGINE, or the "
                             "program's ENGINES %s)" % (getattr(model, "ENGINES", ()),))
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true",
                        help="run random inputs in parallel and serially (eager); exit 0 when "
                             "equal")
    action.add_argument("--bench", action="store_true",
                        help="median latency: serial at 1 thread and at every core against "
                             "parallel, interleaved (a table and JSON)")
    action.add_argument("--profile", metavar="FILE",
                        help="time every node serially at 1 thread and at every core; write "
                             "JSON for ramiel-client compile --costs FILE")
    action.add_argument("--trace", metavar="FILE",
                        help="write a Chrome/Perfetto trace of one run (a track per worker)")
    action.add_argument("--calibrate", metavar="FILE",
                        help="measure this machine's device profile (needs no --onnx); write "
                             "JSON for ramiel-client compile --device-profile FILE")
    parser.add_argument("--calibrate-quick", action="store_true",
                        help="--calibrate in one short round: for tests, not for compiling")
    parser.add_argument("--runs", type=int, default=20, help="timed runs for --bench, --profile")
    parser.add_argument("--warmup", type=int, default=3,
                        help="untimed runs for --bench, --profile")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    parser.add_argument("--rtol", type=float, default=1e-4,
                        help="relative tolerance of --check (of each element, or of the "
                             "output's largest |value|)")
    parser.add_argument("--atol", type=float, default=1e-5, help="absolute tolerance of --check")
    parser.add_argument("--measure-worker", metavar="OPTIONS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.onnx is None and not args.calibrate:
        parser.error("the following arguments are required: --onnx")
    if args.measure_worker:  # a measuring process that --bench or --profile started
        return _serve_measurements(model, args)
    try:
        if args.calibrate:
            return calibrate(args.calibrate, quick=args.calibrate_quick)
        if args.check:
            return _check(model, args)
        if args.bench:
            return _bench(model, args)
        if args.profile:
            return _profile(model, args)
        if args.trace:
            return _trace(model, args)
        return _run_once(model, args)
    except (ModelMismatchError, NodeError, ValueError, TypeError, OSError) as error:
        print("error: %s" % error, file=sys.stderr)
        return 2
