# --- the API: Model and Program ------------------------------------------------------------------

class Model:
    """One compiled program as the runtime sees it: the tables and functions of its model.py
    (model.CLUSTERS, model.MODEL_NAME, ...), which makes one with its globals() once they are all
    defined."""

    def __init__(self, namespace):
        self._namespace = namespace
        self.path = os.path.abspath(namespace["__file__"])
        self.cluster_codes = frozenset([cluster[0].__code__ for cluster in self.CLUSTERS] +
                                       [self.run_serial.__code__])
        self._node_starts = sorted(self.NODE_LINES)
        # A staged schedule in threads needs OpenMP's spinning limited (see the prelude).
        self.openmp_spin_limited = not self.STAGED or OPENMP_SPIN_LIMITED

    @property
    def value_kinds(self):
        """Variable -> "sequence", "optional tensor" or "optional sequence" for the values that
        are not tensors (model.py's VALUE_KINDS, which programs of tensors alone lack)."""
        return self._namespace.get("VALUE_KINDS", {})

    def node_at(self, line):
        """(node, op) of a line of the cluster functions (NODE_LINES: where each node's lines
        start), or None before the first (and for the tracer's 0, which marks a return)."""
        index = bisect.bisect_right(self._node_starts, line) - 1
        return self.NODE_LINES[self._node_starts[index]] if index >= 0 else None

    def __getattr__(self, name):
        try:
            return self.__dict__["_namespace"][name]
        except KeyError:
            raise AttributeError("the program has no %r" % name) from None


def _worker_threads(model, assignment, threads, cores):
    """Intra-op threads of each worker, fixed for its life. From CLUSTER_THREADS (at most the
    cores; `threads` instead for narrow clusters, those below the table's largest count), the
    largest of its clusters' when a worker runs several; without the table, `threads` or the
    cores divided among the workers."""
    table = model.CLUSTER_THREADS
    if not table:
        return [threads or max(1, cores // len(assignment))] * len(assignment)
    wide = max(table) if max(table) > min(table) else None

    def count(index):
        if threads is not None and table[index] != wide:
            return threads
        return max(1, min(table[index], cores))

    return [max(count(index) for index in indices) for indices in assignment]


_SPINNING_OPENMP = (
    "%s runs serially: OpenMP was loaded (by torch or numpy) before this program, without "
    "GOMP_SPINCOUNT, so the wide worker's idle threads would spin beside the narrow workers and "
    "make the parallel run slower than the serial one. Import this program before torch, or set "
    "GOMP_SPINCOUNT=10000 in the environment, to run it in parallel; mode='process' is not "
    "affected.")


def _check_tensor(what, tensor, dtype, shape):
    if dtype is str:  # a string tensor: a numpy array of str
        if not is_string_array(tensor):
            raise TypeError("%s must be a numpy array of str (dtype=object), not %s"
                            % (what, getattr(tensor, "dtype", type(tensor).__name__)))
    elif not isinstance(tensor, torch.Tensor):
        raise TypeError("%s must be a torch.Tensor, not %s" % (what, type(tensor).__name__))
    elif tensor.dtype != dtype:
        raise TypeError("%s must be %s, not %s" % (what, dtype, tensor.dtype))
    if shape is not None and (tensor.ndim != len(shape) or any(
            want is not None and got != want for got, want in zip(tensor.shape, shape))):
        raise ValueError("%s must have shape %s (the shape it was compiled for), not %s"
                         % (what, list(shape), list(tensor.shape)))


def _check_input(name, value, kind, dtype, shape):
    """A tensor input, or for the other kinds (VALUE_KINDS) a list of tensors or None."""
    if kind.startswith("optional") and value is None:
        return
    if kind.endswith("sequence"):
        if not isinstance(value, list):
            raise TypeError("input %r must be a list of tensors, not %s"
                            % (name, type(value).__name__))
        for index, tensor in enumerate(value):
            _check_tensor("input %r[%d]" % (name, index), tensor, dtype, shape)
        return
    _check_tensor("input %r" % name, value, dtype, shape)


class Program:
    """The compiled model: call it with the graph inputs, get a tuple of the graph outputs.
    Inputs and outputs are tensors; a sequence is a list of tensors, an optional its tensor or
    list, or None (model.value_kinds names them).
    Tensors are torch tensors, except string tensors: numpy arrays of str (dtype=object).

    Made by model.py's load(onnx_path, workers=None, mode="thread", threads=None, engine=None),
    which loads the weights from `onnx_path` and starts the workers.
    workers: None for the schedule's count, 1 for a serial run in the calling thread.
    mode: "thread" (workers are threads; PyTorch releases the GIL in its kernels) or "process"
    (workers are processes; tensors pass through shared memory, weights are shared).
    threads: intra-op threads. None: the schedule's count for each cluster's worker (the wide
    cluster, if any, runs with every core and never beside another), or the cores divided among
    the workers when the schedule has none; serial runs use every core. An int: that many for
    serial runs and for the narrow clusters' workers.
    engine: "eager" runs each cluster's Python function as written; "frozen" and "prepacked"
    trace each cluster once here, with random inputs of the compiled shapes, and freeze it
    (torch.jit.freeze): "frozen" then optimises it for inference (optimize_for_inference:
    oneDNN's layout, which fuses residual Adds into convolutions but reorders tensors around
    Concat and pooling), "prepacked" keeps the program's tensors and prepacks the convolutions'
    weights for oneDNN, fusing their ReLUs (prepack.py). A cluster that cannot be traced runs
    eagerly, said once on stderr. None: the RAMIEL_ENGINE environment variable if set, else the
    program's ENGINES table. `engines` says what each ran with: {cluster index: name}, or
    {"serial": name} for a serial run (run_serial, traced when the clusters of one traced engine
    carry most of the predicted cost).
    """

    def __init__(self, model, onnx_path, workers=None, mode="thread", threads=None, engine=None):
        wanted = engine_choice(model, engine)
        if mode not in ("thread", "process"):
            raise ValueError("mode must be 'thread' or 'process', not %r" % (mode,))
        clusters = len(model.CLUSTERS)
        if workers is None:
            workers = clusters
        if not isinstance(workers, int) or workers < 1:
            raise ValueError("workers must be a positive integer, not %r" % (workers,))
        self.model = model
        self.workers = max(1, min(workers, clusters))
        if self.workers > 1 and mode == "thread" and not model.openmp_spin_limited:
            warnings.warn(_SPINNING_OPENMP % model.MODEL_NAME, RuntimeWarning, stacklevel=3)
            self.workers = 1
        self.mode = mode if self.workers > 1 else "serial"
        if threads is not None and (not isinstance(threads, int) or threads < 1):
            raise ValueError("threads must be a positive integer or None, not %r" % (threads,))
        cores = _available_cores()
        self._lock = threading.Lock()
        self._runner = None
        self.constants = Constants(load_constants(model, onnx_path))
        if self.workers == 1:
            self.threads = threads or cores
            self.worker_threads = [self.threads]
            functions, engines = cluster_functions(model, self.constants, wanted, [], serial=True,
                                                   threads={"serial": self.threads})
            self.engines = {"serial": engines["serial"]}
            self._runner = _SerialRunner(model, self.constants, self.threads, functions["serial"])
            return
        assignment = _assign_clusters(model, self.workers)
        self.worker_threads = _worker_threads(model, assignment, threads, cores)
        self.threads = min(self.worker_threads)  # what a narrow worker runs with
        if mode == "thread":
            functions, self.engines = cluster_functions(
                model, self.constants, wanted, range(clusters), serial=False,
                threads={index: count for indices, count in zip(assignment, self.worker_threads)
                         for index in indices})
            self._runner = _ThreadRunner(model, self.constants, assignment, self.worker_threads,
                                         functions)
        else:
            self._runner = _ProcessRunner(model, self.constants, assignment, self.worker_threads,
                                          wanted)
            self.constants = self._runner.constants
            self.engines = self._runner.engines

    def _check_inputs(self, inputs):
        model = self.model
        if len(inputs) != len(model.INPUTS):
            raise TypeError("%s takes %d input tensors (%s), got %d" % (
                model.MODEL_NAME, len(model.INPUTS),
                ", ".join(name for name, _, _, _ in model.INPUTS), len(inputs)))
        values = {}
        for value, (name, key, dtype, shape) in zip(inputs, model.INPUTS):
            _check_input(name, value, model.value_kinds.get(key, "tensor"), dtype, shape)
            values[key] = value
        return values

    def run(self, *inputs, trace=None):
        """Like calling the program; `trace`, a dict with "t0" (perf_counter_ns) and "events"
        (a list), collects Chrome trace slices of this run."""
        values = self._check_inputs(inputs)
        with self._lock:
            if self._runner is None:
                raise RuntimeError("the program is closed")
            results = self._runner.run(values, trace)
        outputs = []
        constant_outputs = self.model.CONSTANT_OUTPUTS
        for _, key, _, _ in self.model.OUTPUTS:
            if key in constant_outputs:
                outputs.append(getattr(self.constants, constant_outputs[key]))
            else:
                outputs.append(results[key])
        return tuple(outputs)

    def __call__(self, *inputs):
        return self.run(*inputs)

    def close(self):
        with self._lock:
            if self._runner is not None:
                self._runner.close()
                self._runner = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
