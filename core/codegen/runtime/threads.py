# --- drivers in this process: serial (workers=1) and threads -------------------------------------

class _SerialRunner:
    """workers=1: the whole graph (run_serial) in the calling thread, all cores intra-op."""

    def __init__(self, model, constants, threads, function):
        self._model = model
        self._constants = constants
        self._threads = threads
        self._functions = [function]
        self._values = {}
        self.workers = [list(range(len(model.CLUSTERS)))]

    def recv(self, name):
        return self._values[name]

    def send(self, name, value):
        self._values[name] = value

    def run(self, inputs, trace, tracer=None):
        _set_intra_op_threads(self._threads)
        values = self._values
        values.update(inputs)
        if tracer is None and trace is not None:
            tracer = _Tracer(self._model)
        try:
            _run_functions(self._functions, self._constants, self, tracer)
            return dict(values)
        except Exception as error:
            node, op, message = _describe_failure(self._model, error, 0)
            raise NodeError(message, node, op, 0) from error
        finally:
            values.clear()
            if trace is not None:
                trace["events"].extend(tracer.slices(0, trace["t0"]))

    def close(self):
        pass


class _ThreadRunner:
    """Persistent worker threads that hand tensors over through one Event per tensor."""

    def __init__(self, model, constants, assignment, worker_threads, functions):
        self._model = model
        self._constants = constants
        self._threads = worker_threads
        self._functions = functions  # cluster index -> its function or FrozenCluster
        self.workers = assignment
        worker_of = {}
        for worker, indices in enumerate(assignment):
            for index in indices:
                worker_of[index] = worker
        producer = {}
        for index, (_, _, _, sends) in enumerate(model.CLUSTERS):
            for name in sends:
                producer[name] = worker_of[index]
        # Only tensors that cross workers need an Event; the rest are in place before they are
        # read (graph inputs, or sent earlier on the same worker).
        crossing = set()
        for index, (_, _, receives, _) in enumerate(model.CLUSTERS):
            for name in receives:
                if name in producer and producer[name] != worker_of[index]:
                    crossing.add(name)
        self._events = {name: threading.Event() for name in sorted(crossing)}
        self._values = {}
        self._failure = None
        self._lock = threading.Lock()
        self._done = queue.SimpleQueue()
        self._inboxes = [queue.SimpleQueue() for _ in assignment]
        self._pool = [threading.Thread(target=self._worker, args=(worker,), daemon=True,
                                       name="ramiel-worker-%d" % worker)
                      for worker in range(len(assignment))]
        for thread in self._pool:
            thread.start()
        for _ in self._pool:  # each has set its intra-op thread count
            self._done.get()

    # The hand-off, called by the cluster functions.
    def recv(self, name):
        event = self._events.get(name)
        if event is not None:
            event.wait()
            if self._failure is not None:
                raise _Aborted()
        return self._values[name]

    def send(self, name, value):
        self._values[name] = value
        event = self._events.get(name)
        if event is not None:
            event.set()

    def _fail(self, failure):
        with self._lock:
            if self._failure is None:
                self._failure = failure
        for event in self._events.values():  # wake every waiter: nothing may hang
            event.set()

    def _worker(self, worker):
        try:
            _set_intra_op_threads(self._threads[worker])
        finally:
            self._done.put(None)
        functions = [self._functions[index] for index in self.workers[worker]]
        inbox = self._inboxes[worker]
        while True:
            job = inbox.get()
            if job is None:
                return
            slices = []
            try:  # whatever happens, the caller hears back: nothing may hang
                tracer = _Tracer(self._model) if job["trace"] else None
                try:
                    _run_functions(functions, self._constants, self, tracer)
                except _Aborted:
                    pass
                except BaseException as error:
                    node, op, message = _describe_failure(self._model, error, worker)
                    self._fail((NodeError(message, node, op, worker), error))
                if tracer is not None:
                    slices = tracer.slices(worker, job["t0"])
            except BaseException as error:
                self._fail((NodeError("worker %d failed: %s" % (worker, error), worker=worker),
                            error))
            finally:
                self._done.put(slices)

    def run(self, inputs, trace):
        self._values.update(inputs)
        job = {"trace": trace is not None, "t0": trace["t0"] if trace is not None else 0}
        replies = 0
        try:
            for inbox in self._inboxes:
                inbox.put(job)
            while replies < len(self._inboxes):
                slices = self._done.get()
                replies += 1
                if trace is not None:
                    trace["events"].extend(slices)
            if self._failure is not None:
                error, cause = self._failure
                raise error from cause
            return dict(self._values)
        except BaseException:
            if replies < len(self._inboxes):  # interrupted: stop the workers before going on
                self._fail((None, None))
                while replies < len(self._inboxes):
                    self._done.get()
                    replies += 1
            raise
        finally:
            self._values.clear()
            self._failure = None
            for event in self._events.values():
                event.clear()

    def close(self):
        for inbox in self._inboxes:
            inbox.put(None)
        for thread in self._pool:
            thread.join()
