# --- driver: worker processes, tensors through shared memory -------------------------------------

def _element_size(dtype):
    return torch.empty((), dtype=dtype).element_size()


def _arena_layout(specs):
    """Places tensors (key, dtype, shape, memory format) in one byte buffer, 64-byte aligned."""
    layout, offset = {}, 0
    for key, dtype, shape, memory_format in specs:
        count = 1
        for dim in shape:
            count *= dim
        # A bool: torch.contiguous_format does not pickle (for the worker processes).
        layout[key] = (offset, dtype, tuple(shape), memory_format == torch.channels_last)
        offset += (count * _element_size(dtype) + 63) // 64 * 64
    return layout, max(offset, 64)


def _arena_views(arena, layout):
    """Tensors over the arena, each in its memory format (copies into them keep it)."""
    views = {}
    for key, (offset, dtype, shape, channels_last) in layout.items():
        count = 1
        for dim in shape:
            count *= dim
        flat = arena[offset:offset + count * _element_size(dtype)].view(dtype)
        if channels_last and len(shape) == 4:
            n, c, h, w = shape
            views[key] = flat.view(n, h, w, c).permute(0, 3, 1, 2)
        else:
            views[key] = flat.view(shape)
    return views


def _memory_format_of(tensor):
    if (tensor.dim() == 4 and not tensor.is_contiguous() and
            tensor.is_contiguous(memory_format=torch.channels_last)):
        return torch.channels_last
    return torch.contiguous_format


def _shared_arena(tensors):
    """One shared-memory buffer holding all `tensors` (one file descriptor, however many)."""
    layout, size = _arena_layout([(key, t.dtype, t.shape, _memory_format_of(t))
                                  for key, t in sorted(tensors.items())])
    arena = torch.zeros(size, dtype=torch.uint8).share_memory_()
    views = _arena_views(arena, layout)
    for key, tensor in tensors.items():
        views[key].copy_(tensor)
    return arena, layout


class _ProcessIO:
    """A worker process's side of the hand-off: shared buffers plus one semaphore per tensor.
    Lists, optionals (VALUE_KINDS) and string tensors (numpy arrays of str), whose sizes are
    known only at run time, travel pickled: through a queue between workers, in the job and the
    reply between the caller and them."""

    def __init__(self, args):
        self._buffers = _arena_views(args["io_arena"], args["io_layout"])
        self._semaphores = args["semaphores"]
        self._queues = args["queues"]  # a list or optional crossing workers -> its queue
        self._releases = args["releases"]  # tensor this worker sends -> consumer processes
        self._objects = args["objects"]  # variables of the values that are not tensors
        self._failed = args["failed"]
        self._local = {}
        self._sent = set()
        self._run = 0
        self.objects_sent = {}  # lists and optionals this run made, for the caller

    def reset(self, job):
        self._local.clear()
        self._sent.clear()
        self.objects_sent = {}
        self._run = job["run"]
        self._local.update(pickle.loads(job["objects"]))

    def recv(self, name):
        if name in self._local:
            return self._local[name]
        semaphore = self._semaphores.get(name)
        if semaphore is not None:
            semaphore.acquire()
            if self._failed.value:
                raise _Aborted()
        if name in self._queues:
            while True:  # what a failed run left behind is older
                run, data = self._queues[name].get()
                if run == self._run:
                    break
            value = pickle.loads(data)
        else:
            value = self._buffers[name]
        self._local[name] = value
        return value

    def send(self, name, value):
        self._local[name] = value
        releases = self._releases.get(name, 0)
        if name in self._objects:
            self.objects_sent[name] = value
            if releases:
                data = pickle.dumps(value)
                for _ in range(releases):
                    self._queues[name].put((self._run, data))
        buffer = self._buffers.get(name)
        if buffer is not None:
            buffer.copy_(value)
        if releases:
            semaphore = self._semaphores[name]
            for _ in range(releases):
                semaphore.release()
            self._sent.add(name)

    def abort(self):
        """Wakes every consumer still waiting for a tensor this worker will not send."""
        for name, releases in self._releases.items():
            if name not in self._sent:
                for _ in range(releases):
                    self._semaphores[name].release()


def process_worker_main(model, args):
    """The body of a worker process (spawned; it runs the model's file with runpy)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    _set_intra_op_threads(args["threads"])
    constants = Constants(_arena_views(args["constants_arena"], args["constants_layout"]))
    constants.__dict__.update(args["string_constants"])
    io = _ProcessIO(args)
    by_index, engines = cluster_functions(model, constants, args["engines"], args["clusters"],
                                          serial=False)
    functions = [by_index[index] for index in args["clusters"]]
    worker, conn, failed = args["worker"], args["conn"], args["failed"]
    conn.send(engines)  # ready, with the engine each of its clusters runs
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        io.reset(job)
        tracer = _Tracer(model) if job["trace"] else None
        failure = None
        try:
            _run_functions(functions, constants, io, tracer)
        except _Aborted:
            io.abort()
        except BaseException as error:
            failure = _describe_failure(model, error, worker)
            failed.value = 1
            io.abort()
        slices = tracer.slices(worker, job["t0"]) if tracer is not None else []
        outputs = {key: value for key, value in io.objects_sent.items() if key in job["outputs"]}
        conn.send((failure, slices, pickle.dumps(outputs)))


@contextlib.contextmanager
def _main_script_hidden():
    """Hides the caller's script from multiprocessing while workers start: spawned workers
    would import it again (running a script without a __main__ guard twice, or forever), and
    they need only the model's file, which they run themselves."""
    main = sys.modules.get("__main__")
    saved = {key: main.__dict__[key] for key in ("__file__", "__spec__")
             if main is not None and key in main.__dict__}
    if main is not None:
        main.__dict__.pop("__file__", None)
        main.__spec__ = None
    try:
        yield
    finally:
        if main is not None:
            main.__dict__.pop("__spec__", None)
            main.__dict__.update(saved)


class _ProcessRunner:
    """Worker processes: tensors through preallocated shared memory, weights shared once."""

    def __init__(self, model, constants, assignment, worker_threads, engines):
        context = multiprocessing.get_context("spawn")  # fork after OpenMP ran can hang
        self.workers = assignment
        worker_of = {index: w for w, indices in enumerate(assignment) for index in indices}
        producer = {}
        for index, (_, _, _, sends) in enumerate(model.CLUSTERS):
            for name in sends:
                producer[name] = worker_of[index]
        consumers = {}
        for index, (_, _, receives, _) in enumerate(model.CLUSTERS):
            for name in receives:
                consumers.setdefault(name, set()).add(worker_of[index])
        # Lists, optionals and string tensors: pickled, not buffered.
        objects = set(model.value_kinds) | {
            name for name, entry in model.TRANSFERS.items() if entry[0] is str}
        output_keys = {key for _, key, _, _ in model.OUTPUTS if key in producer}
        self._output_keys = [key for _, key, _, _ in model.OUTPUTS]
        self._objects = objects
        self._object_outputs = frozenset(output_keys & objects)
        self._runs = 0
        # Shared buffers: graph inputs the workers read, tensors that cross workers, outputs.
        buffered = sorted(name for name in set(consumers) | output_keys
                          if name not in objects and (
                              name not in producer or name in output_keys or
                              consumers.get(name, set()) - {producer[name]}))
        for name in buffered:
            if model.TRANSFERS[name][1] is None or None in model.TRANSFERS[name][1]:
                raise ValueError("process mode needs static shapes, and %r has none; use "
                                 "mode='thread'" % name)
        self._io_layout, size = _arena_layout([(name,) + model.TRANSFERS[name]
                                                         for name in buffered])
        self._io_arena = torch.zeros(size, dtype=torch.uint8).share_memory_()
        self._buffers = _arena_views(self._io_arena, self._io_layout)
        crossing = [name for name in sorted(set(consumers))
                    if name in producer and consumers[name] - {producer[name]}]
        self._semaphores = {name: context.Semaphore(0) for name in crossing}
        queues = {name: context.Queue() for name in crossing if name in objects}
        self._failed = context.RawValue("i", 0)
        # String constants have no fixed-size buffer: each worker gets its own copy.
        string_constants = {key: value for key, value in vars(constants).items()
                            if is_string_array(value)}
        constants_arena, constants_layout = _shared_arena(
            {key: value for key, value in vars(constants).items() if key not in string_constants})
        # The parent keeps views too, so the weights exist once, in shared memory.
        self.constants = Constants(_arena_views(constants_arena, constants_layout))
        self.constants.__dict__.update(string_constants)
        self._processes, self._conns = [], []
        self._broken = None
        with _main_script_hidden():
            for worker, indices in enumerate(assignment):
                parent_end, child_end = context.Pipe()
                args = {"worker": worker, "clusters": indices, "threads": worker_threads[worker],
                        "constants_arena": constants_arena, "constants_layout": constants_layout,
                        "io_arena": self._io_arena, "io_layout": self._io_layout,
                        "semaphores": self._semaphores, "queues": queues,
                        "objects": objects, "failed": self._failed,
                        "conn": child_end, "string_constants": string_constants,
                        "engines": engines,
                        "releases": {name: len(consumers[name] - {worker}) for name in crossing
                                     if producer[name] == worker}}
                process = context.Process(
                    target=runpy.run_path, args=(model.path,), daemon=True,
                    name="ramiel-worker-%d" % worker,
                    kwargs={"init_globals": {"_RAMIEL_WORKER_ARGS": args},
                            "run_name": "__ramiel_worker__"})
                process.start()
                child_end.close()
                self._processes.append(process)
                self._conns.append(parent_end)
        self.engines = {}  # cluster index -> the engine its worker runs it with
        try:
            for reply in self._gather("start"):
                self.engines.update(reply)
        except BaseException:
            self._terminate()
            raise

    def _gather(self, what):
        """One message from every worker; a worker that dies instead is an error, not a hang."""
        replies = [None] * len(self._conns)
        pending = {conn: w for w, conn in enumerate(self._conns)}
        sentinels = {p.sentinel: w for w, p in enumerate(self._processes)}
        while pending:
            for ready in multiprocessing.connection.wait(list(pending) + list(sentinels)):
                if ready in pending:
                    try:
                        replies[pending[ready]] = ready.recv()
                    except (EOFError, OSError):  # its end closed: it died mid-sentence
                        self._died(pending[ready], what)
                    del pending[ready]
                else:
                    worker = sentinels.pop(ready)
                    if worker in pending.values():  # else it answered before it ended
                        self._died(worker, what)
        return replies

    def _died(self, worker, what):
        self._processes[worker].join(timeout=5)
        self._broken = "worker process %d died during %s (exit code %s)" % (
            worker, what, self._processes[worker].exitcode)
        self._terminate()
        raise RuntimeError(self._broken)

    def run(self, inputs, trace):
        if self._broken:
            raise RuntimeError("this program cannot run any more: " + self._broken)
        for name, tensor in inputs.items():
            buffer = self._buffers.get(name)
            if buffer is not None:
                buffer.copy_(tensor)
        self._runs += 1
        job = {"trace": trace is not None, "t0": trace["t0"] if trace is not None else 0,
               "run": self._runs, "outputs": self._object_outputs,
               "objects": pickle.dumps({name: value for name, value in inputs.items()
                                        if name in self._objects})}
        for worker, conn in enumerate(self._conns):
            try:
                conn.send(job)
            except OSError:
                self._died(worker, "a run")
        try:
            replies = self._gather("a run")
        except BaseException:
            self._broken = self._broken or "interrupted during a run"
            self._terminate()
            raise
        if trace is not None:
            for _, slices, _ in replies:
                trace["events"].extend(slices)
        failures = [(worker, failure) for worker, (failure, _, _) in enumerate(replies)
                    if failure is not None]
        if failures or self._failed.value:
            for semaphore in self._semaphores.values():  # every worker is idle: reset
                while semaphore.acquire(False):
                    pass
            self._failed.value = 0
            if not failures:
                raise NodeError("a worker failed")
            worker, (node, op, message) = failures[0]
            raise NodeError(message, node, op, worker)
        values = dict(inputs)
        for _, _, outputs in replies:
            values.update(pickle.loads(outputs))
        for key in self._output_keys:
            if key in self._buffers and key not in inputs:
                values[key] = self._buffers[key].clone()
        return values

    def close(self):
        for conn in self._conns:
            try:
                conn.send(None)
            except (OSError, ValueError):
                pass
        for process in self._processes:
            process.join(timeout=10)
        self._terminate()

    def _terminate(self):
        for process in self._processes:
            if process.is_alive():
                process.terminate()
            process.join()
        for conn in self._conns:
            conn.close()
        self._conns, self._processes = [], []
