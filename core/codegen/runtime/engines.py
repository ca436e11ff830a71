# --- engines: each cluster run eagerly (its Python function), or traced once at load and run ----
# --- frozen (optimize_for_inference: oneDNN's own layout) or prepacked (the program's layout) ----

ENGINE_NAMES = ("eager", "frozen", "prepacked")
TRACED_ENGINES = ("frozen", "prepacked")


def engine_choice(model, engine):
    """Per cluster, the engine load() asked for: `engine` for all of them, or with None the
    RAMIEL_ENGINE environment variable's, or else the program's ENGINES table (what its compile
    recorded: measured by --profile, or the op-mix rule)."""
    if engine is None:
        engine = os.environ.get("RAMIEL_ENGINE") or None
    if engine is not None and engine not in ENGINE_NAMES:
        raise ValueError("engine must be None, 'eager', 'frozen' or 'prepacked', not %r" %
                         (engine,))
    if engine is not None:
        return [engine] * len(model.CLUSTERS)
    table = getattr(model, "ENGINES", None) or ()
    if len(table) != len(model.CLUSTERS):
        return ["eager"] * len(model.CLUSTERS)
    return list(table)


def _serial_engine(model, engines):
    """run_serial runs traced with the traced engine whose clusters carry most of the predicted
    cost, when they carry more than half of it (core/driver/engine_costs.cc decides alike)."""
    total = sum(cost for _, cost, _, _ in model.CLUSTERS)
    shares = {name: sum(cost for (_, cost, _, _), e in zip(model.CLUSTERS, engines) if e == name)
              for name in TRACED_ENGINES}
    best = max(TRACED_ENGINES, key=lambda name: shares[name])  # ties: the first, frozen
    return best if shares[best] * 2 > total else "eager"


class _RecordingIO:
    """The hand-off of a cluster run outside the drivers: values from a dict; records which
    names the function receives and sends, in order."""

    def __init__(self, values):
        self.values = values
        self.received, self.sent = [], []

    def recv(self, name):
        if name not in self.received:
            self.received.append(name)
        return self.values[name]

    def send(self, name, value):
        if name not in self.sent:
            self.sent.append(name)
        self.values[name] = value


def _example_values(model, constants, seed, clusters):
    """Random inputs of the INPUTS table's shapes, and with `clusters` every tensor the clusters
    hand over, from one eager run of them in dependency order; None and why where that is
    impossible: inputs of unknown shape, or clusters that hand tensors to each other both ways
    (such a cluster cannot be frozen anyway: it would wait for all its inputs before sending
    anything, and the two would wait for each other)."""
    if any(shape is None or None in shape for _, _, _, shape in model.INPUTS):
        return None, "an input has no static shape"
    order = _cluster_order(model) if clusters else []
    if order is None:
        return None, "its clusters hand tensors to each other both ways"
    values = {key: tensor for (_, key, _, _), tensor in zip(model.INPUTS, random_inputs(model, seed))}
    try:
        with torch.no_grad():
            for index in order:
                model.CLUSTERS[index][0](constants, _RecordingIO(values))
    except Exception as error:  # noqa: BLE001  (e.g. a shape given as an input tensor)
        return None, "it cannot run on random inputs: " + _why_not_traced(error)
    return values, None


class _ClusterModule(torch.nn.Module):
    """A cluster function as a module of tensors: the values it receives in, those it sends out."""

    def __init__(self, function, constants, receives, sends):
        super().__init__()
        self._function, self._constants = function, constants
        self._receives, self._sends = receives, sends

    def forward(self, *values):
        io = _RecordingIO(dict(zip(self._receives, values)))
        self._function(self._constants, io)
        return tuple(io.values[name] for name in self._sends)


def _agree(expected, actual):
    """The benchmark's tolerance: within 1e-4 + 1e-3 x the largest |expected|; others exact."""
    if not isinstance(actual, torch.Tensor) or expected.shape != actual.shape or \
            expected.dtype != actual.dtype:
        return False
    if not expected.dtype.is_floating_point:
        return torch.equal(expected, actual)
    if expected.numel() == 0:
        return True
    scale = expected.abs().max().item()
    return (expected - actual).abs().max().item() <= 1e-4 + 1e-3 * scale


def _why_not_traced(error):
    """The first line of the failure, or of the TracerWarning behind it (torch raises the
    warning inside a tensor's __bool__, which reports it as a SystemError)."""
    cause = error
    while cause is not None and not isinstance(cause, torch.jit.TracerWarning):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        error = cause
    text = str(error).strip()
    return "%s: %s" % (type(error).__name__, text.splitlines()[0][:200] if text else "")


class FrozenCluster:
    """A cluster function traced once with example inputs and frozen, then, as `engine` says,
    optimised for inference ("frozen": oneDNN's layout, prepacked weights, convolutions fused
    with their bias, ReLU and residual Add) or with its convolutions prepacked ("prepacked":
    prepack.py); called like the function it replaces. It receives every input before it runs
    and sends every output after, so nothing is handed over mid-cluster, and per-node timing
    inside it is impossible."""

    def __init__(self, function, module, receives, sends, label, engine):
        self.function, self.receives, self.sends = function, receives, sends
        self.label = label  # "cluster 0", "run_serial": what a trace calls its slice
        self.engine = engine
        self._module = module

    @property
    def graph(self):
        """The graph it runs, whose nodes keep the lines they were traced from."""
        return self._module.graph

    def __call__(self, c, io):
        outputs = self._module(*[io.recv(name) for name in self.receives])
        for name, value in zip(self.sends, outputs):
            io.send(name, value)


def _freeze(function, constants, examples, checks, label, engine, threads=None):
    """A FrozenCluster of `function` run by the traced `engine`, or the reason it cannot be one.
    Traced with `examples` (all hand-over values of one eager run); checked against the eager
    function on `checks` (another run's values), which catches a trace that baked in a
    data-dependent decision. Traced and packed at `threads` intra-op threads, those it will run
    with (None: the calling thread's)."""
    with _intra_op_threads_while(threads):
        return _freeze_at_these_threads(function, constants, examples, checks, label, engine)


def _freeze_at_these_threads(function, constants, examples, checks, label, engine):
    """_freeze's work, at the calling thread's intra-op threads."""
    unavailable = prepacking_unavailable() if engine == "prepacked" else None
    if unavailable:
        return None, unavailable
    # Op helpers may compute in Python over tensor values (n-gram matching, shapes from inputs),
    # which a trace would fix without a warning; those marked traceable are tensor operations.
    helpers = sorted(n for n in function.__code__.co_names  # ramiel.NAME: this module's
                     if n.startswith("onnx_") and callable(globals().get(n)) and
                     not getattr(globals()[n], "traceable", False))
    if helpers:
        return None, "it calls the runtime's %s, which may compute in Python" % helpers[0]
    recording = _RecordingIO(dict(examples))
    try:
        with torch.no_grad():
            function(constants, recording)
    except Exception as error:  # noqa: BLE001
        return None, "it cannot run on random inputs: " + _why_not_traced(error)
    receives, sends = list(recording.received), list(recording.sent)
    if not sends:
        return None, "it sends nothing"
    bad = [n for n in receives + sends if not isinstance(recording.values[n], torch.Tensor)]
    if bad:
        return None, "%r is not a tensor" % bad[0]
    module = _ClusterModule(function, constants, receives, sends).eval()
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # A TracerWarning means the trace depends on values: refuse rather than guess.
            warnings.simplefilter("error", torch.jit.TracerWarning)
            traced = torch.jit.trace(module, tuple(examples[n] for n in receives),
                                     check_trace=False)
            # An input the traced graph never reads was read as a Python value (a shape, a
            # count, a scale: tolist() gives no TracerWarning) and baked in.
            baked = [n for n, v in zip(receives, list(traced.graph.inputs())[1:]) if not v.uses()]
            if baked:
                return None, "its input %r is read as a Python value, which a trace would fix" \
                    % baked[0]
            if engine == "prepacked":
                share_concat_buffers(traced.graph)
                rewrite_pools(traced.graph)
                prepack_weights(traced.graph)
                multiply_activations_natively(traced.graph)
                frozen = torch.jit.freeze(traced)
            else:
                frozen = torch.jit.optimize_for_inference(torch.jit.freeze(traced))
            expected = _RecordingIO(dict(checks))
            function(constants, expected)
            actual = frozen(*[checks[n] for n in receives])
    except Exception as error:  # noqa: BLE001  (any failure means: stay eager)
        return None, _why_not_traced(error)
    if not all(_agree(expected.values[n], a) for n, a in zip(sends, actual)):
        return None, "its traced outputs differ from the eager ones on other inputs"
    return FrozenCluster(function, frozen, receives, sends, label, engine), None


def cluster_functions(model, constants, wanted, indices, serial, threads=None):
    """The callables the drivers run: for each cluster index in `indices` (and run_serial when
    `serial`), its function or, where `wanted` (an engine per cluster) names a traced engine, a
    FrozenCluster, traced at the intra-op threads `threads` gives it (index or "serial" -> count;
    absent: the calling thread's); and the engine each ended with (index -> name, "serial" ->
    name). A cluster that cannot be traced runs eagerly, said once on stderr."""
    functions, engines = {}, {}
    jobs = [(index, model.CLUSTERS[index][0], wanted[index]) for index in indices]
    if serial:
        jobs.append(("serial", model.run_serial, _serial_engine(model, wanted)))
    examples = {}  # by whether the clusters' hand-overs are needed: (seed 0, seed 1, why not)
    traced_of = {}  # (function, engine, threads) -> FrozenCluster: run_serial is cluster_0
    for key, function, choice in jobs:
        functions[key], engines[key] = function, "eager"
        if choice not in TRACED_ENGINES:
            continue
        count = (threads or {}).get(key)
        if (function, choice, count) not in traced_of:
            label = "run_serial" if key == "serial" else "cluster %d" % key
            clusters = key != "serial"  # run_serial receives only the graph's inputs
            if clusters not in examples:
                first, reason = _example_values(model, constants, 0, clusters)
                second = _example_values(model, constants, 1, clusters)[0] if first else None
                examples[clusters] = (first, second, reason)
            first, second, reason = examples[clusters]
            traced = None
            if first is not None:
                traced, reason = _freeze(function, constants, first, second, label, choice,
                                         count)
            traced_of[(function, choice, count)] = traced
            if traced is None:
                print("%s: %s runs eagerly, it cannot be %s: %s" % (
                    model.MODEL_NAME, label, choice, reason), file=sys.stderr)
        if traced_of[(function, choice, count)] is not None:
            functions[key], engines[key] = traced_of[(function, choice, count)], choice
    return functions, engines
