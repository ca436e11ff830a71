# --- measuring: --bench (serial against parallel) and --profile (every node's time) --------------

_SETTLE_S = 0.05


class _Configuration:
    """One configuration of this program (workers, mode, threads) loaded in a process of its own,
    which runs measurement jobs on request. Configurations sharing one process would share its
    OpenMP threads and settings: measured there, serial at 2 threads took 42-45 ms on GoogLeNet
    against 26 ms alone. The process is the model's file run with --measure-worker; the two speak
    one JSON line each way."""

    def __init__(self, model, onnx_path, options, seed):
        self.options = options
        argv = [sys.executable, model.path, "--onnx", onnx_path, "--seed",
                str(seed), "--measure-worker", json.dumps(options)]
        self._process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         text=True)
        self.info = None

    def wait_ready(self):
        """The loaded program's mode, workers and threads per worker."""
        self.info = self._reply()
        return self.info

    def call(self, job, **fields):
        """Runs a job and returns its value. A short pause first lets the configuration that
        ran before go quiet: OpenMP's threads spin for a while after their last kernel, and
        would take a core from this one (measured: serial at 2 threads 45 ms against 28)."""
        time.sleep(_SETTLE_S)
        self._process.stdin.write(json.dumps(dict(fields, job=job)) + "\n")
        self._process.stdin.flush()
        return self._reply()

    def _reply(self):
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the measuring process for %s exited with code %s" % (
                json.dumps(self.options), self._process.wait()))
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError("%s: %s" % (json.dumps(self.options), reply["error"]))
        return reply["value"]

    def close(self):
        if self._process.poll() is None:
            try:
                self._process.stdin.write(json.dumps({"job": "quit"}) + "\n")
                self._process.stdin.close()
                self._process.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait()
        self._process.stdout.close()


def _start(model, onnx_path, option_sets, seed):
    """A measuring process per option set, loading side by side; closed again on failure."""
    configurations = []
    try:
        for options in option_sets:
            configurations.append(_Configuration(model, onnx_path, options, seed))
        for configuration in configurations:
            configuration.wait_ready()
    except BaseException:
        _close_all(configurations)
        raise
    return configurations


def _close_all(configurations):
    for configuration in configurations:
        configuration.close()


def _timed_runs(program, inputs, count):
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        program(*inputs)
        samples.append((time.perf_counter() - start) * 1e3)
    return samples


def _traced_node_times(program, inputs, tracer_cost):
    tracer = _Tracer(program.model)
    program._runner.run(program._check_inputs(inputs), None, tracer=tracer)
    return _node_times_us(program.model, tracer.events, tracer_cost)


def _serve_measurements(model, args):
    """The measuring process: loads the program with the options given as JSON, answers
    {"value": ...} or {"error": "..."} to each job line until "quit"."""
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints must not break the protocol
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us

    def reply(**fields):
        protocol.write(json.dumps(fields) + "\n")

    inputs = random_inputs(model, args.seed)
    try:
        program = Program(model, args.onnx, **json.loads(args.measure_worker))
    except Exception as error:
        reply(error="cannot load: %s" % error)
        return 2
    reply(value={"mode": program.mode, "workers": program.workers,
                 "threads": list(program.worker_threads)})
    tracer_costs = []  # calibrated once, by the first job that traces (--bench never does)

    def tracer_cost():
        if not tracer_costs:
            tracer_costs.append(_tracer_cost_ns())
        return tracer_costs[0]

    with program:
        for line in sys.stdin:
            request = json.loads(line)
            try:
                if request["job"] == "quit":
                    break
                if request["job"] == "timed":
                    reply(value=_timed_runs(program, inputs, request["count"]))
                elif request["job"] == "traced":
                    reply(value=_traced_node_times(program, inputs, tracer_cost()))
                elif request["job"] == "engines":
                    reply(value=_engine_times(program.model, program.constants,
                                              request["count"], request["warmup"]))
                elif request["job"] == "tracer_cost":
                    reply(value=tracer_cost())
                else:
                    reply(error="unknown job %r" % request["job"])
            except Exception as error:
                reply(error="%s: %s" % (type(error).__name__, error))
    return 0


def _bench(model, args):
    """Serial at one intra-op thread, serial at every core (the best serial run, usually) and
    parallel, each loaded in a process of its own; runs alternate between them round by round,
    so all three see the same machine."""
    cores = _available_cores()
    engine = {"engine": args.engine}
    configs = [("serial-1", dict(engine, workers=1, threads=1))]
    if cores > 1:
        configs.append(("serial-%d" % cores, dict(engine, workers=1, threads=cores)))
    configs.append(("parallel", dict(engine, workers=args.workers, mode=args.mode,
                                     threads=args.threads)))
    configurations = _start(model, args.onnx, [options for _, options in configs], args.seed)
    try:
        samples = [[] for _ in configs]
        for configuration in configurations:
            configuration.call("timed", count=args.warmup)
        for _ in range(args.runs):
            for configuration, times in zip(configurations, samples):
                times.extend(configuration.call("timed", count=1))
        rows = {}
        for (name, _), configuration, times in zip(configs, configurations, samples):
            rows[name] = dict(configuration.info, median_ms=statistics.median(times),
                              min_ms=min(times), runs=len(times))
    finally:
        _close_all(configurations)
    serial_1, parallel = rows["serial-1"], rows["parallel"]
    best = min((row for name, row in rows.items() if name != "parallel"),
               key=lambda row: row["median_ms"])
    result = {"model": model.MODEL_NAME, "cores": cores, "serial_1": serial_1,
              "serial_all": rows.get("serial-%d" % cores, serial_1), "parallel": parallel,
              "speedup_vs_serial_1": serial_1["median_ms"] / parallel["median_ms"],
              "speedup_vs_best_serial": best["median_ms"] / parallel["median_ms"],
              "predicted_speedup": model.PREDICTED_SPEEDUP}
    print("%-10s %-8s %7s %-9s %10s %10s" % ("run", "mode", "workers", "threads", "median_ms",
                                             "min_ms"))
    for name, row in rows.items():
        print("%-10s %-8s %7d %-9s %10.3f %10.3f" % (
            name, row["mode"], row["workers"], ",".join(map(str, row["threads"])),
            row["median_ms"], row["min_ms"]))
    print("parallel: %.2fx serial-1, %.2fx the best serial (predicted %.2fx); medians of %d "
          "interleaved runs" % (result["speedup_vs_serial_1"], result["speedup_vs_best_serial"],
                                model.PREDICTED_SPEEDUP, args.runs))
    print(json.dumps(result, sort_keys=True))
    return 0


# A traced engine must beat eager by this fraction to be recorded: it costs a trace at every
# load and memory for the prepacked weights, so a tie stays eager.
_TRACED_MARGIN = 0.02


_PROFILED_RUNS = 10  # runs of each traced cluster under PyTorch's profiler, at most


def _engine_times(model, constants, count, warmup):
    """Per cluster, its median ms with each engine in this process (alternating runs, on one
    eager run's hand-over values: "eager_ms", "frozen_ms", "prepacked_ms"), the winner, and why
    a traced engine could not run it ("why": {engine: reason}); or the reason none can be
    traced."""
    examples, reason = _example_values(model, constants, 0, clusters=True)
    if examples is None:
        return {"error": reason}
    checks = _example_values(model, constants, 1, clusters=True)[0]
    table = {}
    for index, (function, _, _, _) in enumerate(model.CLUSTERS):
        callables, why = {"eager": function}, {}
        for engine in TRACED_ENGINES:
            traced, reason = _freeze(function, constants, examples, checks,
                                     "cluster %d" % index, engine)
            if traced is None:
                why[engine] = reason
            else:
                callables[engine] = traced
        samples = {engine: [] for engine in callables}
        with torch.no_grad():  # (eager alone has nothing to be timed against)
            for run in range(warmup + count if len(callables) > 1 else 0):
                for engine, callable_ in callables.items():
                    io = _RecordingIO(dict(examples))
                    start = time.perf_counter()
                    callable_(constants, io)
                    if run >= warmup:
                        samples[engine].append((time.perf_counter() - start) * 1e3)
        row = {"%s_ms" % engine: round(statistics.median(times), 3)
               for engine, times in samples.items() if times}
        # Where the prepacked engine's time goes, node by node (PyTorch's profiler: statement
        # timing cannot see into a traced graph). Not the frozen engine's: optimize_for_inference
        # inserts layout reorders that keep no program line, so much of its time has no node.
        if "prepacked" in callables:
            row["prepacked_node_us"] = traced_node_times(
                callables["prepacked"], constants, examples, model, min(count, _PROFILED_RUNS))
        row["winner"] = "eager"
        traced = [engine for engine in TRACED_ENGINES if "%s_ms" % engine in row]
        if traced:
            best = min(traced, key=lambda engine: row["%s_ms" % engine])
            if row["%s_ms" % best] < row["eager_ms"] * (1 - _TRACED_MARGIN):
                row["winner"] = best
        if why:
            row["why"] = why
        table[index] = row
    return {"clusters": table}


def _traced_scale(row):
    """A cluster's faster traced engine's time over its eager time (the nodes' "frozen_scale"),
    or None where the row lacks eager or every traced time."""
    traced = [row["%s_ms" % e] for e in TRACED_ENGINES if row.get("%s_ms" % e, 0) > 0]
    if row.get("eager_ms", 0) > 0 and traced:
        return _significant(min(traced) / row["eager_ms"])
    return None


def _cluster_of_nodes(model):
    """Node name -> the index of the cluster function whose lines hold its statements."""
    starts = sorted(model.NODE_LINES)
    found = {}
    for index, (function, _, _, _) in enumerate(model.CLUSTERS):
        lines = [line for _, line in dis.findlinestarts(function.__code__) if line]
        first, last = min(lines), max(lines)
        for line in starts[bisect.bisect_left(starts, first):bisect.bisect_right(starts, last)]:
            found.setdefault(model.NODE_LINES[line][0], index)
    return found


def _tracer_cost_ns():
    """What tracing adds to each traced line (calibrated on lines that do almost nothing)."""
    def lines():
        a = 0
        a = 1
        a = 2
        a = 3
        a = 4
        a = 5
        a = 6
        a = 7
        return a

    tracer = _Tracer(codes=frozenset([lines.__code__]))
    costs = []
    for _ in range(50):
        tracer.events.clear()
        sys.settrace(tracer)
        try:
            lines()
        finally:
            sys.settrace(None)
        stamps = [t for t, _ in tracer.events]
        costs.extend(b - a for a, b in zip(stamps, stamps[1:]))
    return statistics.median(costs)


def _node_times_us(model, events, tracer_cost_ns):
    """Microseconds per node in one traced run: the time from each traced line to the next,
    less the tracer's own cost, summed by the node the line belongs to (hand-offs excluded)."""
    times = {}
    for (t, line), (t_next, _) in zip(events, events[1:]):
        label = model.node_at(line)
        if label is None or label[1] in ("recv", "send"):
            continue
        times[label[0]] = times.get(label[0], 0.0) + max(0, t_next - t - tracer_cost_ns) / 1e3
    return times


def _significant(ratio):
    """A ratio to 4 significant digits (a tiny test model's frozen cluster can run 30x faster)."""
    return float("%.4g" % ratio)


def _profile(model, args):
    """Times every node serially at one intra-op thread and at every core, each count in a
    process of its own, runs alternating between them, eagerly (a frozen cluster has no nodes to
    time); writes the median of each node's times: the measured costs `ramiel-client compile
    --costs FILE` clusters with. Then times each cluster with each engine and records the winner
    with each of its nodes ("engine"), which the compile turns into ENGINES, and its faster
    traced engine's time over eager ("frozen_scale"), by which the compile scales the node's
    eager times where it runs traced, and its time in the prepacked engine at every core
    ("prepacked_us_T", from PyTorch's profiler: traced_profile.py), which shows where a prepacked
    run's time goes. Whole untraced runs at each count give "untraced_scale", by which the
    compile scales every node's traced time to what the nodes take in an untraced run."""
    cores = _available_cores()
    counts = [1] if cores == 1 else [1, cores]
    configurations = _start(model, args.onnx,
                            [{"workers": 1, "threads": count, "engine": "eager"}
                             for count in counts], args.seed)
    try:
        for configuration in configurations:
            configuration.call("timed", count=args.warmup)
        samples = {count: {} for count in counts}
        untraced_ms = {count: [] for count in counts}  # whole runs, to scale the traced nodes to
        for _ in range(args.runs):
            for count, configuration in zip(counts, configurations):
                for node, us in configuration.call("traced").items():
                    samples[count].setdefault(node, []).append(us)
                untraced_ms[count].extend(configuration.call("timed", count=1))
        tracer_cost = configurations[0].call("tracer_cost")
        # Each cluster with each engine, at every core (what a wide cluster runs with).
        engines = configurations[-1].call("engines", count=args.runs, warmup=args.warmup)
    finally:
        _close_all(configurations)
    nodes = {}
    for node in samples[1]:
        median_1 = statistics.median(samples[1][node])
        median_t = statistics.median(samples[cores][node]) if cores > 1 else median_1
        nodes[node] = {"us_1": round(median_1, 3), "us_T": round(median_t, 3)}
    # Each node records the engine its cluster ran best with; the compile votes with them.
    clusters = {int(i): row for i, row in engines.get("clusters", {}).items()}
    scales = {index: _traced_scale(row) for index, row in clusters.items()}
    prepacked_us = {index: row.pop("prepacked_node_us", {}) for index, row in clusters.items()}
    for node, index in _cluster_of_nodes(model).items():
        if node in nodes and index in clusters:
            nodes[node]["engine"] = clusters[index]["winner"]
            if scales[index] is not None:
                nodes[node]["frozen_scale"] = scales[index]
            if node in prepacked_us[index]:
                nodes[node]["prepacked_us_T"] = round(prepacked_us[index][node], 3)
    traced_ms = {key: sum(row[key] for row in nodes.values()) / 1e3 for key in ("us_1", "us_T")}
    # Traced, the nodes sum to more (or less) than a whole run: tracing every line and timing
    # each node apart move their times. The compile scales them to the untraced run by this.
    untraced_scale = {}
    for count, key in zip(counts, ("us_1", "us_T")):
        if traced_ms[key] > 0:
            untraced_scale[key] = _significant(statistics.median(untraced_ms[count]) /
                                               traced_ms[key])
    if cores == 1 and "us_1" in untraced_scale:
        untraced_scale["us_T"] = untraced_scale["us_1"]
    profile = {"model": model.MODEL_NAME, "sha256": model.MODEL_SHA256, "threads": cores,
               "runs": args.runs, "tracer_cost_us": round(tracer_cost / 1e3, 3), "nodes": nodes,
               "engines": engines, "untraced_scale": untraced_scale}
    with open(args.profile, "w") as f:
        json.dump(profile, f, indent=1, sort_keys=True)
        f.write("\n")
    print("profile: %d nodes, %.2f ms at 1 thread, %.2f ms at %d (medians of %d runs; untraced "
          "runs %.2fx and %.2fx of that) written to %s" % (
              len(nodes), traced_ms["us_1"], traced_ms["us_T"], cores, args.runs,
              untraced_scale.get("us_1", 1), untraced_scale.get("us_T", 1), args.profile))
    for index, row in sorted(engines.get("clusters", {}).items(), key=lambda item: int(item[0])):
        print("engine: cluster %s %s (eager %s ms, frozen %s ms, prepacked %s ms)" % (
            index, row["winner"], row.get("eager_ms", "-"), row.get("frozen_ms", "-"),
            row.get("prepacked_ms", "-")))
    if "error" in engines:
        print("engine: every cluster eager: %s" % engines["error"])
    return 0
