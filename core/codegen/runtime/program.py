# --- the API: load() and Program -----------------------------------------------------------------

def load(onnx_path, workers=None, mode="thread", threads=None):
    """Loads the weights from `onnx_path` and starts the workers.

    workers: None for the schedule's count, 1 for a serial run in the calling thread.
    mode: "thread" (workers are threads; PyTorch releases the GIL in its kernels) or "process"
    (workers are processes; tensors pass through shared memory, weights are shared).
    threads: intra-op threads. None: the schedule's count for each cluster's worker (the wide
    cluster, if any, runs with every core and never beside another), or the cores divided among
    the workers when the schedule has none; serial runs use every core. An int: that many for
    serial runs and for the narrow clusters' workers.
    """
    return Program(onnx_path, workers=workers, mode=mode, threads=threads)


def _worker_threads(assignment, threads, cores):
    """Intra-op threads of each worker, fixed for its life. From CLUSTER_THREADS (at most the
    cores; `threads` instead for narrow clusters, those below the table's largest count), the
    largest of its clusters' when a worker runs several; without the table, `threads` or the
    cores divided among the workers."""
    if not CLUSTER_THREADS:
        return [threads or max(1, cores // len(assignment))] * len(assignment)
    wide = max(CLUSTER_THREADS) if max(CLUSTER_THREADS) > min(CLUSTER_THREADS) else None

    def count(index):
        if threads is not None and CLUSTER_THREADS[index] != wide:
            return threads
        return max(1, min(CLUSTER_THREADS[index], cores))

    return [max(count(index) for index in indices) for indices in assignment]


_SPINNING_OPENMP = (
    "%s runs serially: OpenMP was loaded (by torch or numpy) before this program, without "
    "GOMP_SPINCOUNT, so the wide worker's idle threads would spin beside the narrow workers and "
    "make the parallel run slower than the serial one. Import this program before torch, or set "
    "GOMP_SPINCOUNT=10000 in the environment, to run it in parallel; mode='process' is not "
    "affected." % MODEL_NAME)


class Program:
    """The compiled model: call it with the graph inputs, get a tuple of the graph outputs."""

    def __init__(self, onnx_path, workers=None, mode="thread", threads=None):
        if mode not in ("thread", "process"):
            raise ValueError("mode must be 'thread' or 'process', not %r" % (mode,))
        if workers is None:
            workers = len(CLUSTERS)
        if not isinstance(workers, int) or workers < 1:
            raise ValueError("workers must be a positive integer, not %r" % (workers,))
        self.workers = max(1, min(workers, len(CLUSTERS)))
        if self.workers > 1 and mode == "thread" and not OPENMP_SPIN_LIMITED:
            warnings.warn(_SPINNING_OPENMP, RuntimeWarning, stacklevel=3)
            self.workers = 1
        self.mode = mode if self.workers > 1 else "serial"
        if threads is not None and (not isinstance(threads, int) or threads < 1):
            raise ValueError("threads must be a positive integer or None, not %r" % (threads,))
        cores = _available_cores()
        self._lock = threading.Lock()
        self._runner = None
        self.constants = Constants(load_constants(onnx_path))
        if self.workers == 1:
            self.threads = threads or cores
            self.worker_threads = [self.threads]
            self._runner = _SerialRunner(self.constants, self.threads)
            return
        assignment = _assign_clusters(self.workers)
        self.worker_threads = _worker_threads(assignment, threads, cores)
        self.threads = min(self.worker_threads)  # what a narrow worker runs with
        if mode == "thread":
            self._runner = _ThreadRunner(self.constants, assignment, self.worker_threads)
        else:
            self._runner = _ProcessRunner(self.constants, assignment, self.worker_threads,
                                          os.path.abspath(__file__))
            self.constants = self._runner.constants

    def _check_inputs(self, inputs):
        if len(inputs) != len(INPUTS):
            raise TypeError("%s takes %d input tensors (%s), got %d" % (
                MODEL_NAME, len(INPUTS), ", ".join(name for name, _, _, _ in INPUTS), len(inputs)))
        values = {}
        for tensor, (name, key, dtype, shape) in zip(inputs, INPUTS):
            if not isinstance(tensor, torch.Tensor):
                raise TypeError("input %r must be a torch.Tensor, not %s"
                                % (name, type(tensor).__name__))
            if tensor.dtype != dtype:
                raise TypeError("input %r must be %s, not %s" % (name, dtype, tensor.dtype))
            if shape is not None and (tensor.dim() != len(shape) or any(
                    want is not None and got != want for got, want in zip(tensor.shape, shape))):
                raise ValueError("input %r must have shape %s (the shape it was compiled for), "
                                 "not %s" % (name, list(shape), list(tensor.shape)))
            values[key] = tensor
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
        for _, key, _, _ in OUTPUTS:
            if key in CONSTANT_OUTPUTS:
                outputs.append(getattr(self.constants, CONSTANT_OUTPUTS[key]))
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
