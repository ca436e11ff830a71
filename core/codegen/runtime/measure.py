# --- measuring: --bench (serial against parallel) and --profile (every node's time) --------------

class _OwnThread:
    """A thread of its own for one configuration: it builds the object (a loaded program) and
    runs jobs on it on request. Its intra-op thread count never changes, which matters: changing
    a thread's count makes its next kernels several times slower."""

    def __init__(self, make):
        self._jobs = queue.SimpleQueue()
        self._replies = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, args=(make,), daemon=True,
                                        name="ramiel-measure")
        self._thread.start()
        self.value = self._reply()

    def _loop(self, make):
        try:
            value = make()
        except BaseException as error:
            self._replies.put((False, error))
            return
        self._replies.put((True, value))
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                self._replies.put((True, job(value)))
            except BaseException as error:
                self._replies.put((False, error))

    def _reply(self):
        ok, value = self._replies.get()
        if not ok:
            raise value
        return value

    def call(self, job):
        self._jobs.put(job)
        return self._reply()

    def close(self):
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()


def _timed_runs(inputs, count):
    def job(program):
        samples = []
        for _ in range(count):
            start = time.perf_counter()
            program(*inputs)
            samples.append((time.perf_counter() - start) * 1e3)
        return samples
    return job


def _closing(threads):
    for thread in threads:
        try:
            thread.call(lambda program: program.close())
        finally:
            thread.close()


def _bench(args):
    """Serial at one intra-op thread, serial at every core (the best serial run, usually) and
    parallel, each loaded in a thread of its own; runs alternate between them round by round,
    so all three see the same machine."""
    inputs = random_inputs(args.seed)
    cores = _available_cores()
    configs = [("serial-1", {"workers": 1, "threads": 1})]
    if cores > 1:
        configs.append(("serial-%d" % cores, {"workers": 1, "threads": cores}))
    configs.append(("parallel", {"workers": args.workers, "mode": args.mode,
                                 "threads": args.threads}))
    threads = []
    try:
        for _, options in configs:
            threads.append(_OwnThread(lambda options=options: load(args.onnx, **options)))
        samples = [[] for _ in configs]
        for thread in threads:
            thread.call(_timed_runs(inputs, args.warmup))
        for _ in range(args.runs):
            for thread, times in zip(threads, samples):
                times.extend(thread.call(_timed_runs(inputs, 1)))
        rows = {}
        for (name, _), thread, times in zip(configs, threads, samples):
            program = thread.value
            rows[name] = {"mode": program.mode, "workers": program.workers,
                          "threads": list(program.worker_threads),
                          "median_ms": statistics.median(times), "min_ms": min(times),
                          "runs": len(times)}
    finally:
        _closing(threads)
    serial_1, parallel = rows["serial-1"], rows["parallel"]
    best = min((row for name, row in rows.items() if name != "parallel"),
               key=lambda row: row["median_ms"])
    result = {"model": MODEL_NAME, "cores": cores, "serial_1": serial_1,
              "serial_all": rows.get("serial-%d" % cores, serial_1), "parallel": parallel,
              "speedup_vs_serial_1": serial_1["median_ms"] / parallel["median_ms"],
              "speedup_vs_best_serial": best["median_ms"] / parallel["median_ms"],
              "predicted_speedup": PREDICTED_SPEEDUP}
    print("%-10s %-8s %7s %-9s %10s %10s" % ("run", "mode", "workers", "threads", "median_ms",
                                             "min_ms"))
    for name, row in rows.items():
        print("%-10s %-8s %7d %-9s %10.3f %10.3f" % (
            name, row["mode"], row["workers"], ",".join(map(str, row["threads"])),
            row["median_ms"], row["min_ms"]))
    print("parallel: %.2fx serial-1, %.2fx the best serial (predicted %.2fx); medians of %d "
          "interleaved runs" % (result["speedup_vs_serial_1"], result["speedup_vs_best_serial"],
                                PREDICTED_SPEEDUP, args.runs))
    print(json.dumps(result, sort_keys=True))
    return 0


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


def _node_times_us(events, tracer_cost_ns):
    """Microseconds per node in one traced run: the time from each traced line to the next,
    less the tracer's own cost, summed by the node the line belongs to (hand-offs excluded)."""
    times = {}
    for (t, line), (t_next, _) in zip(events, events[1:]):
        label = NODE_LINES.get(line)
        if label is None or label[1] in ("recv", "send"):
            continue
        times[label[0]] = times.get(label[0], 0.0) + max(0, t_next - t - tracer_cost_ns) / 1e3
    return times


def _profile(args):
    """Times every node serially at one intra-op thread and at every core, each count in a
    thread of its own, runs alternating between them; writes the median of each node's times:
    the measured costs `ramiel-client compile --costs FILE` clusters with."""
    inputs = random_inputs(args.seed)
    cores = _available_cores()
    counts = [1] if cores == 1 else [1, cores]
    threads = []

    def traced_run(program):
        tracer = _Tracer()
        program._runner.run(program._check_inputs(inputs), None, tracer=tracer)
        return list(tracer.events)

    try:
        for count in counts:
            threads.append(_OwnThread(
                lambda count=count: load(args.onnx, workers=1, threads=count)))
        tracer_cost = threads[0].call(lambda program: _tracer_cost_ns())
        for thread in threads:
            thread.call(_timed_runs(inputs, args.warmup))
        samples = {count: {} for count in counts}
        for _ in range(args.runs):
            for count, thread in zip(counts, threads):
                for node, us in _node_times_us(thread.call(traced_run), tracer_cost).items():
                    samples[count].setdefault(node, []).append(us)
    finally:
        _closing(threads)
    nodes = {}
    for node in samples[1]:
        median_1 = statistics.median(samples[1][node])
        median_t = statistics.median(samples[cores][node]) if cores > 1 else median_1
        nodes[node] = {"us_1": round(median_1, 3), "us_T": round(median_t, 3)}
    profile = {"model": MODEL_NAME, "sha256": MODEL_SHA256, "threads": cores, "runs": args.runs,
               "tracer_cost_us": round(tracer_cost / 1e3, 3), "nodes": nodes}
    with open(args.profile, "w") as f:
        json.dump(profile, f, indent=1, sort_keys=True)
        f.write("\n")
    total_1 = sum(row["us_1"] for row in nodes.values()) / 1e3
    total_t = sum(row["us_T"] for row in nodes.values()) / 1e3
    print("profile: %d nodes, %.2f ms at 1 thread, %.2f ms at %d (medians of %d runs) written "
          "to %s" % (len(nodes), total_1, total_t, cores, args.runs, args.profile))
    return 0
