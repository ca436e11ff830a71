# --- calibration: --calibrate FILE measures this machine's device profile -------------------------
#
# The profile is what `ramiel-client compile --device-profile FILE` predicts with (its keys:
# core/cost/device_profile.h). Every figure is timed from Python on the ops and sizes the
# reference models spend their time in, as the generated programs call them (channels-last
# activations and weights, biases, in-place ReLU), and in the conditions a program runs them in:
# passes that call each kernel once, one after another, each call timed on its own right after
# its input was written, every weight used once per pass among more data (40 MB) than a server's
# last-level cache holds, as a program uses each weight once per run. Timed in a loop of its
# own instead, a kernel keeps its weights in cache and its intra-op threads spinning, and scaled
# 1.85-2x on two cores where the same op in a program scaled 1.0-1.7x. One-thread rates come
# from a process at one intra-op thread; the intra-op scaling from one at every core the program
# gets, as load() runs it by default. The two processes take turns, with a pause before each, as
# a benchmark interleaves the programs it compares, and each turn is _TURN_PASSES passes back to
# back, as bench/run.sh's workers run 3 iterations a turn: the first starts with the other
# process's data in the cache and this one's threads asleep, the next ones as a program's runs
# that follow each other. (One pass a turn measured every kernel as a first run only: 3x3
# 128 -> 32 at 28 pixels 144 us at two threads, 116 us inside DenseNet-121's program, and the six
# reference models predicted 1.17-1.36x their measured times; three passes: 124 us, 0.91-1.07x.)


class _Kernel:
    """One timed call (see _calibration_kernels)."""

    def __init__(self, name, kind, work, weight_bytes, reads, function, prepacked=False):
        self.name, self.kind, self.work = name, kind, work
        self.weight_bytes, self.function = weight_bytes, function
        self.reads = tuple(reads)  # activations: written just before each timed call
        self.prepacked = prepacked  # calls a prepacked conv2d_run (see _PREPACKED_CALL)


# The hand-off round trip's name among the kernels' times (transfer_latency_us).
_HANDOFF = "hand-off round trip"

# Dispatch: "tiny" kernels time an op's call on data too small to compute anything. PyTorch's
# Python binding of torch.ops.mkldnn_prepacked.conv2d_run costs some 25 us more per call than an
# aten op's (it throws and catches a C++ exception on each: 32 against 5 us for a tiny
# convolution, at one thread and two), while programs call it from TorchScript (4 us a call in a
# frozen graph; Ramiel's own conv2d_run, native_kernels.py, has no such extra). That extra,
# timed on a tiny prepacked convolution, is taken off each prepacked kernel's times; left in,
# it made small prepacked convolutions look as if two threads gained them nothing (128 -> 32
# channels at 7x7: 72 against 70 us, where a program's scale 1.25x).
_TINY_KINDS = ("tiny", "tiny prepacked")
_PREPACKED_CALL = "tiny conv2d_run (prepacked)"


def _calibration_kernels():
    """A _Kernel for every timed call. kind says which profile key it calibrates: "tiny"
    (dispatch overhead), "conv" (peak_gflops and weight_gbps), "stream" (memory_gbps), "inplace"
    (inplace_gbps), "vector" (vector_gops), "pool" (pool_gops), "separable pool"
    (separable_pool_gops: the pooling as the prepacked engine runs it), "matvec" (matvec_gbps);
    all but tiny also calibrate the intra-op scaling (the tiny ops' dispatch in a traced graph,
    traced_op_overhead_us, is timed apart: _traced_dispatch). work is the amount the cost model
    charges for it, in its own units (FLOPs, bytes read and written, operations, window
    elements): what it divides by the key's rate; weight_bytes the constant weights a conv
    kernel reads (core/cost: OpWork::weight_bytes). Where this PyTorch can prepack, each
    convolution and weighted matrix product is timed again as the prepacked engine runs it, its
    weight packed once: the FLOPs alone, with no weight term, which tells the fit the FLOP rate
    apart from the weights' (runtime/prepack.py; timed eagerly only, the reorder's cost leaked
    into the FLOP rate, and prepacked programs were predicted up to 1.47x their measured time);
    so is the attention product where Ramiel's operator library runs it (native_products.py)."""
    randn = _random_tensors()
    prepacked = prepacking_unavailable() is None
    if prepacked:  # the operators the prepacked engine calls (native_kernels.py)
        ops = convolution_ops()
        conv2d_prepack, conv2d_run = ops.prepack, ops.run

    kernels = []

    def add(name, kind, work, reads, function, weight_bytes=0.0, prepacked=False):
        kernels.append(_Kernel(name, kind, float(work), float(weight_bytes), reads, function,
                               prepacked))

    def conv(c_in, c_out, size, k, stride=1, groups=1):
        # The cost model's work: 2 FLOPs per tap and output, plus the bias add.
        x, w, b = randn(1, c_in, size, size), randn(c_out, c_in // groups, k, k), randn(c_out)
        pad = k // 2
        out = (size + 2 * pad - k) // stride + 1
        flops = 2.0 * c_out * out * out * (c_in // groups) * k * k + c_out * out * out
        name = "conv %dx%d/%d %d->%d @%d%s" % (k, k, stride, c_in, c_out, size,
                                               " depthwise" if groups > 1 else "")
        add(name, "conv", flops, [x], lambda: F.conv2d(x, w, b, stride=stride, padding=pad,
                                                  groups=groups),
            4.0 * (c_out * (c_in // groups) * k * k + c_out))
        if prepacked:
            context = conv2d_prepack(_channels_last(w), b, [stride] * 2, [pad] * 2, [1, 1],
                                     groups, list(x.shape), "none")
            add(name + " prepacked", "conv", flops, [x], lambda: conv2d_run(x, context),
                prepacked=True)

    # Shapes from GoogLeNet, Inception-v3, ResNet-50, DenseNet-121 and SqueezeNet: stems, 3x3
    # and 1x1 layers at every resolution down to 7 pixels, with 16 to 832 channels, weights
    # from kilobytes to megabytes, and a depthwise layer (MobileNet-style models).
    conv(3, 64, 224, 7, stride=2)
    conv(64, 64, 56, 3)
    conv(64, 256, 56, 1)
    conv(128, 192, 28, 3)
    conv(256, 128, 28, 1)
    conv(96, 16, 55, 1)
    conv(480, 16, 14, 1)
    conv(256, 256, 14, 3)
    conv(832, 256, 7, 1)
    conv(832, 384, 7, 1)
    conv(128, 32, 28, 3)
    conv(128, 32, 7, 3)
    conv(16, 32, 28, 5)
    conv(256, 256, 28, 3, groups=256)

    # Matrix products at batch 1: a transformer layer's projections (FLOP-bound, with weights),
    # its attention scores (no weights) and a classifier's matrix-vector product (bound by
    # reading its weights).
    def product(rows, depth, columns):
        x, w = randn(1, rows, depth), randn(depth, columns)
        name = "matmul 1x%dx%d @ %dx%d" % (rows, depth, depth, columns)
        flops = 2.0 * rows * depth * columns
        add(name, "conv", flops, [x], lambda: torch.matmul(x, w), 4.0 * depth * columns)
        if prepacked:  # as _prepack_matrix_products rewrites it: the rows as a 1-high image
            context = _pack_product(w.t().contiguous(), None, rows)
            add(name + " prepacked", "conv", flops, [x], lambda: conv2d_run(
                x.reshape(1, 1, rows, depth).permute(0, 3, 1, 2), context).permute(
                    0, 2, 3, 1).reshape(1, rows, columns), prepacked=True)

    product(128, 256, 768)
    product(128, 1024, 256)
    tokens = randn(1, 128, 256)
    # Queries and keys as attention reads them: views of one projection's output.
    projected = randn(1, 128, 768).reshape(1, 128, 3, 4, 64)
    queries, keys = projected[:, :, 0].permute(0, 2, 1, 3), projected[:, :, 1].permute(0, 2, 3, 1)
    scores_name, scores_flops = "matmul 1x4x128x64 @ 1x4x64x128", 2.0 * 4 * 128 * 128 * 64
    add(scores_name, "conv", scores_flops, [projected], lambda: torch.matmul(queries, keys))
    scores_product = pack_activation_product(
        list(queries.shape), list(queries.stride()), list(keys.shape), list(keys.stride()),
        [0, 1, 2, 3], 1.0) if prepacked and NATIVE_KERNELS else None
    if scores_product is not None:  # as native_products.py runs it
        add(scores_name + " prepacked", "conv", scores_flops, [projected],
            lambda: torch.ops.ramiel.matmul_run(queries, keys, scores_product), prepacked=True)
    v, w_fc, b_fc = randn(1, 2048), randn(1000, 2048), randn(1000)
    add("linear 1x2048 -> 1000 (addmv)", "matvec", 4.0 * (1000 * 2048 + 2048 + 2 * 1000), [v],
        lambda: torch.addmv(b_fc, w_fc, v[0]).unsqueeze(0))

    # Element-wise ops and copies at activation sizes (0.2 to 3 MB: in cache, as at batch 1).
    for c, size in ((64, 112), (256, 28), (512, 14)):
        a, b = randn(1, c, size, size), randn(1, c, size, size)
        nbytes = 4.0 * a.numel()
        add("relu_ 1x%dx%dx%d" % (c, size, size), "inplace", 2 * nbytes, [a],
            lambda a=a: F.relu(a, inplace=True))
        add("add 1x%dx%dx%d" % (c, size, size), "stream", 3 * nbytes, [a, b],
            lambda a=a, b=b: a + b)
        add("cat 2 x 1x%dx%dx%d" % (c, size, size), "stream", 4 * nbytes, [a, b],
            lambda a=a, b=b: torch.cat([a, b], dim=1))
    # A dense block's concatenation: many narrow channels-last pieces.
    pieces = [randn(1, 32, 28, 28) for _ in range(8)]
    add("cat 8 x 1x32x28x28", "stream", 2 * 4.0 * 8 * 32 * 28 * 28, pieces,
        lambda: torch.cat(pieces, dim=1))

    # Transcendental functions and normalizations, with the operations the cost model counts
    # (core/cost: kTranscendentalOps = 8 per exp, erf or tanh).
    ff = randn(1, 128, 1024)
    add("gelu 1x128x1024", "vector", 8.0 * ff.numel(), [ff], lambda: F.gelu(ff))
    add("sigmoid 1x128x1024", "vector", 8.0 * ff.numel(), [ff],
        lambda: torch.sigmoid(ff))
    scores = randn(1, 4, 128, 128)
    add("softmax 1x4x128x128", "vector", 12.0 * scores.numel(), [scores],
        lambda: F.softmax(scores, dim=-1))
    ln_weight, ln_bias = randn(256), randn(256)
    add("layer_norm 1x128x256", "vector", 8.0 * tokens.numel(), [tokens],
        lambda: F.layer_norm(tokens, (256,), ln_weight, ln_bias, eps=1e-5))
    # A trained model's batch norm, as programs run it: one multiply-add per channel (its scale
    # and shift folded at load), a stream like the element-wise ops.
    feature = randn(1, 256, 28, 28).contiguous(memory_format=torch.channels_last)
    bn_scale, bn_shift = randn(256, 1, 1), randn(256, 1, 1)
    add("batch_norm (addcmul) 1x256x28x28", "stream", 4.0 * (2 * feature.numel() + 2 * 256),
        [feature], lambda: torch.addcmul(bn_shift, feature, bn_scale))

    def pool(c, size, k, stride):
        x = randn(1, c, size, size)
        out = (size + 2 * (k // 2) - k) // stride + 1
        name = "max_pool2d %dx%d/%d 1x%dx%dx%d" % (k, k, stride, c, size, size)
        add(name, "pool", c * out * out * k * k, [x],
            lambda: F.max_pool2d(x, k, stride=stride, padding=k // 2))
        separable = _separable_pool(x, k, stride)
        if separable is not None:
            add(name + " separable", "separable pool", c * out * out * k * k, [x],
                lambda: separable(x))

    pool(64, 112, 3, 2)
    pool(192, 28, 3, 1)
    pool(480, 14, 3, 1)

    # Dispatch: ops on tensors too small to compute anything.
    tiny_ops, x = _TinyOps(randn), randn(1, 4, 4, 4)
    for name, op in tiny_ops.ops():
        add("tiny " + name, "tiny", 0.0, [x], lambda op=op: op(x))
    if prepacked:
        tiny_context = conv2d_prepack(_channels_last(tiny_ops.weight), tiny_ops.bias, [1, 1],
                                      [0, 0], [1, 1], 1, list(x.shape), "none")
        add(_PREPACKED_CALL, "tiny prepacked", 0.0, [x], lambda: conv2d_run(x, tiny_context),
            prepacked=True)
    return kernels


def _random_tensors():
    """A function of a shape giving a seeded random tensor, 4-D ones channels-last as the
    programs lay out activations and convolution weights."""
    generator = torch.Generator().manual_seed(0)

    def randn(*shape):
        tensor = torch.randn(shape, generator=generator)
        return tensor.contiguous(memory_format=torch.channels_last) if len(shape) == 4 else tensor

    return randn


class _TinyOps(torch.nn.Module):
    """Ops on tensors too small to compute anything, whose time is their dispatch: the "tiny"
    kernels, and as a module of _TRACED_REPEATS rounds of them, what a traced cluster's graph
    pays for each (_traced_dispatch)."""

    def __init__(self, randn):
        super().__init__()
        self.weight, self.bias = randn(4, 4, 1, 1), randn(4)
        self.variance, self.fc = self.bias.abs().reshape(-1, 1, 1), randn(4, 64)

    def ops(self):
        """(name, function of a 1x4x4x4 input) for each op."""
        return (("conv2d", lambda x: F.conv2d(x, self.weight, self.bias)),
                ("relu", F.relu),
                ("add", lambda x: torch.add(x, x)),
                ("max_pool2d", lambda x: F.max_pool2d(x, 3, stride=1, padding=1)),
                ("cat", lambda x: torch.cat([x, x], dim=1)),
                ("reshape", lambda x: torch.reshape(x, (1, -1))),
                ("batch_norm", lambda x: torch.addcmul(self.bias.reshape(-1, 1, 1), x,
                                                       self.variance)),
                ("linear", lambda x: torch.mv(self.fc, x.reshape(-1)).unsqueeze(0)),
                ("softmax", lambda x: torch.softmax(x, dim=1)))

    def forward(self, x):
        return tuple(op(x) for _ in range(_TRACED_REPEATS) for _, op in self.ops())


# Rounds of the tiny ops in the traced graph, over which the graph call's own cost is spread.
_TRACED_REPEATS = 10
# The tiny ops' dispatch in a traced graph, per op, among the kernels' times
# (traced_op_overhead_us).
_TRACED_TINY = "tiny op, traced"


def _traced_dispatch(tiny_ops, x):
    """A function that calls `tiny_ops` traced and frozen as the traced engines run a cluster
    (engines.py: the convolution prepacked and the pooling native where the prepacked engine
    would, else torch.jit.optimize_for_inference), and the number of ops each call runs; None
    where this PyTorch cannot trace them (the profile then leaves traced_op_overhead_us out, and
    the compiler charges op_overhead_us)."""
    try:
        traced = torch.jit.trace(tiny_ops.eval(), (x,), check_trace=False)
        if prepacking_unavailable() is None:
            rewrite_pools(traced.graph)
            prepack_weights(traced.graph)
            frozen = torch.jit.freeze(traced)
        else:
            frozen = torch.jit.optimize_for_inference(torch.jit.freeze(traced))
    except Exception as error:  # noqa: BLE001  (any failure: no traced figure, nothing worse)
        print("calibration: cannot trace the tiny ops (%s); traced_op_overhead_us left out"
              % error, file=sys.stderr)
        return None
    return (lambda: frozen(x)), _TRACED_REPEATS * len(tiny_ops.ops())


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


# Kinds of memory-bound kernels that a pass calls twice in a row, timing the second call
# (_time_pass_us): a program frees each activation when its last reader is done, so an
# element-wise op writes into memory an op just freed, still in cache, and runs code that the
# op's other calls in the run keep warm. Timed as their first call in a pass, into memory last
# written a pass ago, they moved 48 GB/s (memory_gbps) and 103 (inplace_gbps), and
# DenseNet-121's program's 62 batch norms and 62 ReLUs ran in 1/2.1 and 1/2.9 of the time
# predicted with those rates; as second calls, 84-89 and 215-222 GB/s.
_RECALLED_KINDS = ("stream", "inplace", "vector")


def _time_pass_us(kernels, passes=1):
    """Each kernel's call time in a pass that calls every kernel once, in order (those of
    _RECALLED_KINDS twice, the second call timed), each call timed on its own after its
    activations were written (as in a program, where an op reads what the op before it wrote,
    with the same threads); with passes > 1, the median over that many passes."""
    clock = time.perf_counter
    samples = [[] for _ in kernels]
    for _ in range(passes):
        for kernel, times in zip(kernels, samples):
            if kernel.kind in _RECALLED_KINDS:
                kernel.function()
            for tensor in kernel.reads:  # as if the op before had just written them
                tensor.mul_(1.0)
            start = clock()
            kernel.function()
            times.append((clock() - start) * 1e6)
    return {kernel.name: statistics.median(times) for kernel, times in zip(kernels, samples)}


def _calibration_worker(threads):
    """A timing process at `threads` intra-op threads. For each line on stdin it answers one
    JSON line of microseconds by kernel name: {"handoff_budget_us": T, "passes": P} times P
    passes of the kernels back to back (each kernel's median over them), the tiny ones (the
    median of five passes among themselves: as a program's runs of views and small element-wise
    ops; after a large kernel a tiny one would also wait for its code and data to come back to
    the cache, which that kernel's own time holds), the same ops traced into one graph (per op,
    the median of three samples of about 1 ms: _traced_dispatch) and the hand-off round trip
    (the median of three samples of about T us each)."""
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints must not break the protocol
    _set_intra_op_threads(threads)
    kernels = _calibration_kernels()
    tiny = [k for k in kernels if k.kind in _TINY_KINDS]
    timed = [k for k in kernels if k.kind not in _TINY_KINDS]
    handoff = _handoff_round_trip()
    with torch.no_grad():
        randn = _random_tensors()  # the tiny kernels' ops, traced
        traced_tiny = _traced_dispatch(_TinyOps(randn), randn(1, 4, 4, 4))
        _time_pass_us(kernels, passes=2)  # warm-up: the first calls allocate and pick kernels
        protocol.write(json.dumps({"ready": threads}) + "\n")
        for line in sys.stdin:
            request = json.loads(line)
            times = _time_pass_us(timed, passes=request.get("passes", 1))
            times.update(_time_pass_us(tiny, passes=5))
            if traced_tiny:  # calls back to back, as a program runs a cluster's ops
                call, ops = traced_tiny
                times[_TRACED_TINY] = _time_kernel_us(call, 1000, 3) / ops
            # Right after the kernels, as a program's workers hand tensors over between ops.
            times[_HANDOFF] = _time_kernel_us(handoff, request["handoff_budget_us"], 3)
            protocol.write(json.dumps(times) + "\n")
    return 0


_TURN_PASSES = 3  # passes a process runs back to back in its turn (see the top of this part)


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

    def request(self, **job):
        """The times of one turn (see _calibration_worker), after a pause in which the other
        process's OpenMP threads stop spinning: each turn starts as a program's first run does
        when runs come a few at a time with other work between them."""
        time.sleep(_SETTLE_S)
        self._process.stdin.write(json.dumps(job) + "\n")
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
    work = sum(k.work for k in kernels if k.kind == kind)
    busy = sum(max(times_us[k.name] - overhead_us, 1e-3) for k in kernels if k.kind == kind)
    return work / busy


def _fit_flops_and_weights(flops, weight_bytes, busy_us):
    """(FLOPs per us, weight bytes per us) of busy = flops / F + weight_bytes / W, the cost
    model's time of a convolution or matrix product, by least squares of the relative error
    over the kernels, each weighted by its time, as its share of a program's time is (weighted
    alike, the small convolutions, whose FLOP rate is lower, pulled F down: the large ones, which
    carry a program's time, came out up to 21% over their measured times, against 8% weighted).
    W is None when the weights cost nothing measurable (a fit that gives them under 0.1% of the
    time, or a negative share). F alone is then total FLOPs over total time."""
    import math

    # min sum t ((a f + b w - t) / t)^2 = sum ((a f + b w - t) / sqrt t)^2 over a = 1/F,
    # b = 1/W: rows (f, w) / sqrt t against sqrt t.
    rows = [(f / math.sqrt(t), w / math.sqrt(t), math.sqrt(t))
            for f, w, t in zip(flops, weight_bytes, busy_us)]
    ff = sum(f * f for f, _, _ in rows)
    fw = sum(f * w for f, w, _ in rows)
    ww = sum(w * w for _, w, _ in rows)
    fy = sum(f * y for f, _, y in rows)
    wy = sum(w * y for _, w, y in rows)
    det = ff * ww - fw * fw
    if det > 0:
        a = (fy * ww - wy * fw) / det
        b = (ff * wy - fw * fy) / det
        # Weights under 0.1% of the fitted time cost nothing measurable (rounding's share).
        if a > 0 and b * sum(weight_bytes) > 1e-3 * sum(busy_us):
            return 1 / a, 1 / b
    return sum(flops) / sum(busy_us), None


def _fit_intra_op(rooflines_us, wide_us, cores, overhead_us, efficiencies=None, syncs_us=None):
    """intra_op_efficiency, intra_op_half_us and intra_op_sync_us of DeviceProfile's speedup
    formula that best predict the kernels' times at every core from their one-thread roofline
    times (least squares of the log ratio over a grid: three parameters, some thirty kernels).
    Each kernel's error counts in proportion to its time, as its share of a program's time
    does: weighted alike, the many short kernels, whose two-thread times scatter from 0.5x to
    1.9x of one thread's, moved intra_op_half_us between 45 and 362 us from one calibration to
    the next and the models' predictions by 20%. efficiencies, syncs_us: the values to try
    (default: the whole grid)."""
    import math

    best = None
    for efficiency in efficiencies or [e / 40 for e in range(1, 41)]:
        for half_us in [2.0 ** (h / 2) for h in range(0, 27)]:  # 1 us to 8 ms
            for sync_us in syncs_us or (0.1, 0.5, 1, 2, 3, 5, 8, 12, 20, 30, 50):
                error = 0.0
                for roofline, measured in zip(rooflines_us, wide_us):
                    speedup = 1 + (cores - 1) * efficiency * roofline / (roofline + half_us)
                    predicted = min(roofline + overhead_us,
                                    roofline / speedup + overhead_us + sync_us)
                    error += roofline * math.log(predicted / measured) ** 2
                if best is None or error < best[0]:
                    best = (error, efficiency, half_us, sync_us)
    return best[1:]


def measure_device_profile(rounds=5, turns=4, log=None, name="calibrated"):
    """The device profile of this machine as a dict (DeviceProfile's JSON keys): each kernel's
    median over `rounds` x `turns` turns of _TURN_PASSES passes, the one-thread and every-core
    processes taking turns, as a benchmark interleaves the programs it compares."""
    log = log or (lambda message: None)
    cores = _available_cores()
    kernels = _calibration_kernels()
    counts = [1] if cores == 1 else [1, cores]
    log("calibrating: %d kernels, %d rounds of %d turns of %d passes at 1%s intra-op threads" % (
        len(kernels), rounds, turns, _TURN_PASSES, "" if cores == 1 else " and %d" % cores))
    processes = []
    try:
        for count in counts:
            processes.append(_CalibrationProcess(count))
        samples = {count: {} for count in counts}
        for r in range(rounds):
            for _ in range(turns):
                for process in processes:
                    for kernel, us in process.request(handoff_budget_us=300,
                                                      passes=_TURN_PASSES).items():
                        samples[process.threads].setdefault(kernel, []).append(us)
            log("  round %d of %d" % (r + 1, rounds))
    finally:
        for process in processes:
            process.close()
    one = {kernel: statistics.median(us) for kernel, us in samples[1].items()}
    wide = {kernel: statistics.median(us) for kernel, us in samples[cores].items()}

    overhead = statistics.mean(one[k.name] for k in kernels if k.kind == "tiny")
    _without_prepacked_call(kernels, one)
    _without_prepacked_call(kernels, wide)
    convs = [k for k in kernels if k.kind == "conv"]
    flop_rate, weight_rate = _fit_flops_and_weights(
        [k.work for k in convs], [k.weight_bytes for k in convs],
        [max(one[k.name] - overhead, 1e-3) for k in convs])
    rates = {kind: _rate(kernels, one, kind, overhead)
             for kind in ("stream", "inplace", "vector", "pool", "separable pool", "matvec")}
    profile = {"name": name, "cores": cores,
               "op_overhead_us": round(overhead, 3),
               "transfer_latency_us": round(one[_HANDOFF] / 2, 3),
               "peak_gflops": round(flop_rate / 1e3, 3),  # FLOP/us to GFLOP/s
               "memory_gbps": round(rates["stream"] / 1e3, 3),
               "inplace_gbps": round(rates["inplace"] / 1e3, 3),
               "vector_gops": round(rates["vector"] / 1e3, 3),
               "pool_gops": round(rates["pool"] / 1e3, 3),
               "separable_pool_gops": round(rates["separable pool"] / 1e3, 3),
               "matvec_gbps": round(rates["matvec"] / 1e3, 3)}
    if _TRACED_TINY in one:
        profile["traced_op_overhead_us"] = round(one[_TRACED_TINY], 3)
    # Weights that cost nothing measurable get the built-in profile's rate, which leaves them out.
    profile["weight_gbps"] = round(weight_rate / 1e3, 3) if weight_rate else 1e6
    for timed_name in [k.name for k in kernels] + [n for n in (_TRACED_TINY, _HANDOFF) if n in one]:
        log("  %-34s %10.1f us at 1 thread%s" % (
            timed_name, one[timed_name],
            "" if cores == 1 else ", %10.1f us at %d" % (wide[timed_name], cores)))
    if cores > 1:
        timed = [k for k in kernels if k.kind not in _TINY_KINDS]
        roofline = {k.name: _roofline_us(k, one[k.name] - overhead, flop_rate, weight_rate)
                    for k in timed}
        efficiency, half_us, sync_us = _fit_intra_op(
            [roofline[k.name] for k in timed], [wide[k.name] for k in timed], cores, overhead)
        # Convolutions and matrix products as the engine runs them (prepacked where it can)
        # split small problems better than the memory-bound kernels, which dominate the fit
        # above: their own half point, the same efficiency and fork-and-join cost.
        compute = [k for k in convs if k.prepacked] or convs
        _, compute_half_us, _ = _fit_intra_op(
            [roofline[k.name] for k in compute], [wide[k.name] for k in compute], cores,
            overhead, [efficiency], [sync_us])
        profile.update(intra_op_efficiency=efficiency, intra_op_half_us=round(half_us, 3),
                       intra_op_sync_us=sync_us,
                       compute_intra_op_half_us=round(compute_half_us, 3))
    return profile


def _without_prepacked_call(kernels, times_us):
    """Takes what Python's call of conv2d_run costs beyond an aten op's off the prepacked
    kernels' times (see _PREPACKED_CALL)."""
    if _PREPACKED_CALL not in times_us:
        return
    dispatch = statistics.mean(times_us[k.name] for k in kernels if k.kind == "tiny")
    extra = max(times_us[_PREPACKED_CALL] - dispatch, 0.0)
    for kernel in kernels:
        if kernel.prepacked:
            times_us[kernel.name] = max(times_us[kernel.name] - extra, 1e-3)


class _Pooling(torch.nn.Module):
    def __init__(self, kernel, stride):
        super().__init__()
        self.kernel, self.stride = kernel, stride

    def forward(self, x):
        return F.max_pool2d(x, self.kernel, stride=self.stride, padding=self.kernel // 2)


def _separable_pool(x, kernel, stride):
    """The max pooling of `x` as the prepacked engine runs it (rewrite_pools: Ramiel's
    kernel or separable passes): traced, rewritten and frozen; None where that engine leaves it
    as it is."""
    with torch.no_grad():
        traced = torch.jit.trace(_Pooling(kernel, stride).eval(), (x,))
        return torch.jit.freeze(traced) if rewrite_pools(traced.graph) else None


def _roofline_us(kernel, busy_us, flop_rate, weight_rate):
    """A kernel's one-thread time less dispatch as the intra-op fit sees it: the measured time,
    except for a conv kernel the fitted one (its FLOPs and weights at the fitted rates), so that
    the scaling fit sees the sizes the cost model will give it."""
    if kernel.kind != "conv":
        return max(busy_us, 1e-3)
    return kernel.work / flop_rate + (kernel.weight_bytes / weight_rate if weight_rate else 0)


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
        profile = measure_device_profile(rounds=1, turns=1, log=log)
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
