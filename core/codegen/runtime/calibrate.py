# --- calibration: --calibrate FILE measures this machine's device profile -------------------------
#
# The profile is what `ramiel-client compile --device-profile FILE` predicts with (its keys:
# core/cost/device_profile.h). Every figure is timed from Python on the ops and sizes the
# reference models spend their time in, as the generated programs call them (channels-last
# activations and weights, biases, in-place ReLU), so each includes the interpreter's dispatch
# cost as a program pays it. One-thread rates come from a process at one intra-op thread; the
# intra-op scaling from one at every core the program gets, as load() runs it by default. The two
# processes take turns, round by round, so both see the same machine.


def _calibration_kernels():
    """(name, kind, work, function) for every timed kernel. kind says which profile key it
    calibrates: "tiny" (dispatch overhead), "conv" (peak_gflops), "stream" (memory_gbps),
    "pool" (pool_gops), "matvec" (matvec_gbps), "handoff" (transfer_latency_us: a round trip,
    two hand-offs); conv, stream, pool and matvec kernels also calibrate the intra-op scaling.
    work is the amount the cost model charges for it, in its own units (FLOPs, bytes read and
    written, window elements): what it divides by the key's rate."""
    cl = torch.channels_last
    generator = torch.Generator().manual_seed(0)

    def randn(*shape):
        tensor = torch.randn(shape, generator=generator)
        return tensor.contiguous(memory_format=cl) if len(shape) == 4 else tensor

    kernels = []

    def conv(c_in, c_out, size, k, stride=1, groups=1):
        # The cost model's work: 2 FLOPs per tap and output, plus the bias add.
        x, w, b = randn(1, c_in, size, size), randn(c_out, c_in // groups, k, k), randn(c_out)
        pad = k // 2
        out = (size + 2 * pad - k) // stride + 1
        flops = 2.0 * c_out * out * out * (c_in // groups) * k * k + c_out * out * out
        name = "conv %dx%d/%d %d->%d @%d%s" % (k, k, stride, c_in, c_out, size,
                                               " depthwise" if groups > 1 else "")
        kernels.append((name, "conv", flops, lambda: F.conv2d(x, w, b, stride=stride,
                                                               padding=pad, groups=groups)))

    # Shapes from GoogLeNet, Inception-v3, ResNet-50, DenseNet-121 and SqueezeNet: stems, 3x3
    # and 1x1 layers at every resolution, a depthwise layer (MobileNet-style models).
    conv(3, 64, 224, 7, stride=2)
    conv(64, 64, 56, 3)
    conv(64, 256, 56, 1)
    conv(128, 192, 28, 3)
    conv(256, 128, 28, 1)
    conv(96, 16, 55, 1)
    conv(256, 256, 14, 3)
    conv(832, 256, 7, 1)
    conv(128, 32, 28, 3)
    conv(256, 256, 28, 3, groups=256)

    # Matrix products at batch 1: a transformer layer's projection (FLOP-bound) and a
    # classifier's matrix-vector product (bound by reading its weights).
    tokens, w_qkv = randn(1, 128, 256), randn(256, 768)
    kernels.append(("matmul 1x128x256 @ 256x768", "conv", 2.0 * 128 * 256 * 768,
                    lambda: torch.matmul(tokens, w_qkv)))
    v, w_fc, b_fc = randn(1, 2048), randn(1000, 2048), randn(1000)
    kernels.append(("linear 1x2048 -> 1000", "matvec", 4.0 * (1000 * 2048 + 2048 + 2 * 1000),
                    lambda: F.linear(v, w_fc, b_fc)))

    def stream(name, fn, nbytes):
        kernels.append((name, "stream", nbytes, fn))

    # Element-wise ops and copies at activation sizes (0.2 to 3 MB: in cache, as at batch 1).
    for c, size in ((64, 112), (256, 28), (512, 14)):
        a, b = randn(1, c, size, size), randn(1, c, size, size)
        nbytes = 4.0 * a.numel()
        stream("relu_ 1x%dx%dx%d" % (c, size, size), lambda a=a: F.relu(a, inplace=True),
               2 * nbytes)
        stream("add 1x%dx%dx%d" % (c, size, size), lambda a=a, b=b: a + b, 3 * nbytes)
        stream("cat 2 x 1x%dx%dx%d" % (c, size, size),
               lambda a=a, b=b: torch.cat([a, b], dim=1), 4 * nbytes)

    def pool(c, size, k, stride):
        x = randn(1, c, size, size)
        out = (size + 2 * (k // 2) - k) // stride + 1
        kernels.append(("max_pool2d %dx%d/%d 1x%dx%dx%d" % (k, k, stride, c, size, size), "pool",
                        float(c * out * out * k * k),
                        lambda: F.max_pool2d(x, k, stride=stride, padding=k // 2)))

    pool(64, 112, 3, 2)
    pool(480, 14, 3, 1)

    # Dispatch: ops on tensors too small to compute anything.
    x, w, b = randn(1, 4, 4, 4), randn(4, 4, 1, 1), randn(4)
    var, fc = b.abs(), randn(4, 64)
    for name, fn in (("conv2d", lambda: F.conv2d(x, w, b)),
                     ("relu", lambda: F.relu(x)),
                     ("add", lambda: torch.add(x, x)),
                     ("max_pool2d", lambda: F.max_pool2d(x, 3, stride=1, padding=1)),
                     ("cat", lambda: torch.cat([x, x], dim=1)),
                     ("reshape", lambda: torch.reshape(x, (1, -1))),
                     ("batch_norm", lambda: F.batch_norm(x, b, var, b, b, False, 0.1, 1e-5)),
                     ("linear", lambda: F.linear(x.reshape(1, -1), fc)),
                     ("softmax", lambda: torch.softmax(x, dim=1))):
        kernels.append(("tiny " + name, "tiny", 0.0, fn))
    kernels.append(("hand-off round trip", "handoff", 0.0, _handoff_round_trip()))
    return kernels


def _handoff_round_trip():
    """A function that hands a token to another thread and waits for it to come back, with
    threading.Event as thread-mode workers hand tensors over."""
    ping, pong = threading.Event(), threading.Event()

    def serve():
        while True:
            ping.wait()
            ping.clear()
            pong.set()

    threading.Thread(target=serve, daemon=True).start()

    def round_trip():
        ping.set()
        pong.wait()
        pong.clear()

    return round_trip


def _time_kernel_us(fn, budget_us, repeats):
    """Median over `repeats` samples of one call's time; each sample averages as many calls as
    fit in about budget_us (at least one)."""
    fn()  # warm-up: the first calls allocate and pick kernels
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    inner = max(1, int(budget_us * 1e-6 / once))
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner * 1e6)
    return statistics.median(samples)


def _calibration_worker(threads):
    """A timing process at `threads` intra-op threads: for each line on stdin ({"repeats": N}),
    times every kernel and answers one JSON line of microseconds by kernel name."""
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints must not break the protocol
    _set_intra_op_threads(threads)
    kernels = _calibration_kernels()
    protocol.write(json.dumps({"ready": threads}) + "\n")
    with torch.no_grad():
        for line in sys.stdin:
            request = json.loads(line)
            times = {name: _time_kernel_us(fn, request["budget_us"], request["repeats"])
                     for name, _, _, fn in kernels}
            protocol.write(json.dumps(times) + "\n")
    return 0


class _CalibrationProcess:
    """_calibration_worker in a fresh interpreter: a process's intra-op thread count is set once
    (changing it slows the next kernels), so each count gets a process of its own."""

    _START = ("import importlib.util, sys\n"
              "spec = importlib.util.spec_from_file_location('ramiel_runtime', sys.argv[1])\n"
              "runtime = importlib.util.module_from_spec(spec)\n"
              "spec.loader.exec_module(runtime)\n"
              "sys.exit(runtime._calibration_worker(int(sys.argv[2])))\n")

    def __init__(self, threads):
        self.threads = threads
        self._process = subprocess.Popen(
            [sys.executable, "-c", self._START, os.path.abspath(__file__), str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._reply()

    def _reply(self):
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the calibration process at %d threads exited with code %s"
                               % (self.threads, self._process.wait()))
        return json.loads(line)

    def round(self, budget_us, repeats):
        time.sleep(_SETTLE_S)  # the other process's OpenMP threads stop spinning
        self._process.stdin.write(json.dumps({"budget_us": budget_us, "repeats": repeats}) + "\n")
        self._process.stdin.flush()
        return self._reply()

    def close(self):
        if self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process.stdout.close()


def _rate(kernels, times_us, kind, overhead_us):
    """Work per microsecond of the kernels of `kind`: their total work over their total time
    less dispatch, which weights each kernel by its time, as a model's sum of ops does."""
    work = sum(amount for name, k, amount, _ in kernels if k == kind)
    busy = sum(max(times_us[name] - overhead_us, 1e-3) for name, k, _, _ in kernels if k == kind)
    return work / busy


def _fit_intra_op(rooflines_us, wide_us, cores, overhead_us):
    """intra_op_efficiency, intra_op_half_us and intra_op_sync_us of DeviceProfile's speedup
    formula that best predict the kernels' times at every core from their one-thread roofline
    times (least squares of the log ratio, over a grid: three parameters, a dozen kernels)."""
    import math

    best = None
    for efficiency in [e / 40 for e in range(1, 41)]:
        for half_us in [2.0 ** (h / 2) for h in range(0, 27)]:  # 1 us to 8 ms
            for sync_us in (0.1, 0.5, 1, 2, 3, 5, 8, 12, 20):
                error = 0.0
                for roofline, measured in zip(rooflines_us, wide_us):
                    speedup = 1 + (cores - 1) * efficiency * roofline / (roofline + half_us)
                    predicted = min(roofline + overhead_us,
                                    roofline / speedup + overhead_us + sync_us)
                    error += math.log(predicted / measured) ** 2
                if best is None or error < best[0]:
                    best = (error, efficiency, half_us, sync_us)
    return best[1:]


def measure_device_profile(rounds=5, repeats=5, budget_us=20000, log=None, name="calibrated"):
    """The device profile of this machine as a dict (DeviceProfile's JSON keys): the medians of
    `rounds` alternating rounds of the one-thread and every-core processes."""
    log = log or (lambda message: None)
    cores = _available_cores()
    kernels = _calibration_kernels()
    counts = [1] if cores == 1 else [1, cores]
    log("calibrating: %d kernels, %d rounds at 1%s intra-op threads" % (
        len(kernels), rounds, "" if cores == 1 else " and %d" % cores))
    processes = []
    try:
        for count in counts:
            processes.append(_CalibrationProcess(count))
        samples = {count: {} for count in counts}
        for r in range(rounds):
            for process in processes:
                for kernel, us in process.round(budget_us, repeats).items():
                    samples[process.threads].setdefault(kernel, []).append(us)
            log("  round %d of %d" % (r + 1, rounds))
    finally:
        for process in processes:
            process.close()
    one = {kernel: statistics.median(us) for kernel, us in samples[1].items()}
    wide = {kernel: statistics.median(us) for kernel, us in samples[cores].items()}

    overhead = statistics.mean(one[n] for n, kind, _, _ in kernels if kind == "tiny")
    rates = {kind: _rate(kernels, one, kind, overhead)
             for kind in ("conv", "stream", "pool", "matvec")}
    profile = {"name": name, "cores": cores,
               "op_overhead_us": round(overhead, 3),
               "transfer_latency_us": round(one["hand-off round trip"] / 2, 3),
               "peak_gflops": round(rates["conv"] / 1e3, 3),  # FLOP/us to GFLOP/s
               "memory_gbps": round(rates["stream"] / 1e3, 3),
               "pool_gops": round(rates["pool"] / 1e3, 3),
               "matvec_gbps": round(rates["matvec"] / 1e3, 3)}
    for n, kind, _, _ in kernels:
        log("  %-34s %10.1f us at 1 thread%s" % (
            n, one[n], "" if cores == 1 else ", %10.1f us at %d" % (wide[n], cores)))
    if cores > 1:
        timed = [n for n, kind, _, _ in kernels if kind in ("conv", "stream", "pool", "matvec")]
        efficiency, half_us, sync_us = _fit_intra_op(
            [max(one[n] - overhead, 1e-3) for n in timed], [wide[n] for n in timed], cores,
            overhead)
        profile.update(intra_op_efficiency=efficiency, intra_op_half_us=round(half_us, 3),
                       intra_op_sync_us=sync_us)
    return profile


def calibrate(path, quick=False):
    """model.py --calibrate FILE: measures the profile, writes it as JSON to FILE, and says what
    it found on stderr. quick: one short round, for tests (numbers to check, not to trust)."""
    def log(message):
        print(message, file=sys.stderr, flush=True)

    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory) or not os.access(directory, os.W_OK):
        raise OSError("cannot write the device profile to %s: %s is not a writable directory"
                      % (path, directory))
    if quick:
        profile = measure_device_profile(rounds=1, repeats=1, budget_us=1000, log=log)
    else:
        profile = measure_device_profile(log=log)
    text = json.dumps(profile, indent=2, sort_keys=True) + "\n"
    try:
        with open(path, "w") as f:
            f.write(text)
    except OSError as error:
        raise OSError("cannot write the device profile to %s: %s" % (path, error.strerror))
    log("device profile written to %s: %s" % (path, json.dumps(profile, sort_keys=True)))
    log("compile with: ramiel-client compile MODEL.onnx --device-profile %s" % path)
    return 0
