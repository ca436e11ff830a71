# --- running cluster functions: their order, failures named by node, tracing ---------------------

def _set_intra_op_threads(count):
    """Gives the calling thread `count` intra-op threads. Call it once per thread: changing a
    thread's count makes its next kernels several times slower. Reading the count first matters:
    torch initialises a thread's count lazily, on its first use, to the count the last
    set_num_threads of any thread gave, which would undo this one."""
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)


@contextlib.contextmanager
def _intra_op_threads_while(count):
    """The calling thread at `count` intra-op threads (None: as it is) until the block ends.
    oneDNN packs a weight in the blocked layout it picks for the thread count at packing time,
    and a kernel run at another count reorders the weight again on every call (DNNL_VERBOSE:
    GoogLeNet's convolutions packed at torch's default of one thread on this 2-vCPU VM and run
    at two; a stacked 512 -> 280 1x1 convolution then took 3.5 ms a call), so a cluster is
    traced and packed at the count it will run with."""
    before = torch.get_num_threads()
    if count is None or count == before:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _cluster_order(model):
    """Cluster indices in an order where every cluster comes after those it receives from, or
    None when clusters receive from each other both ways (which the schedule allows: a worker
    waits for each tensor just before the node that needs it)."""
    producer = {}
    for index, (_, _, _, sends) in enumerate(model.CLUSTERS):
        for name in sends:
            producer[name] = index
    order, placed = [], set()
    while len(order) < len(model.CLUSTERS):
        for index, (_, _, receives, _) in enumerate(model.CLUSTERS):
            if index not in placed and all(producer.get(name, index) in placed or
                                           producer.get(name, index) == index
                                           for name in receives):
                order.append(index)
                placed.add(index)
                break
        else:
            return None
    return order


def _assign_clusters(model, workers):
    """Clusters per worker. With a worker per cluster, worker i runs cluster i. With fewer,
    clusters go in dependency order to the least loaded worker, which keeps every worker's
    order consistent with the dependencies (so no worker waits for one that waits for it);
    that needs clusters that do not receive from each other both ways."""
    clusters = model.CLUSTERS
    if workers >= len(clusters):
        return [[index] for index in range(len(clusters))]
    order = _cluster_order(model)
    if order is None:
        raise ValueError("this program's %d clusters pass tensors to each other both ways, so "
                         "they cannot share %d workers; run it with workers=%d or workers=1, or "
                         "compile the model for %d workers" % (len(clusters), workers,
                                                              len(clusters), workers))
    loads = [0.0] * workers
    assignment = [[] for _ in range(workers)]
    for index in order:
        worker = min(range(workers), key=lambda w: (loads[w], w))
        assignment[worker].append(index)
        loads[worker] += clusters[index][1]
    return assignment


def _failed_node(model, error):
    """(node, op) of the statement of a cluster function that raised `error`, if any."""
    found = (None, None)
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code in model.cluster_codes:
            found = model.node_at(tb.tb_lineno) or (None, None)
        tb = tb.tb_next
    return found


def _describe_failure(model, error, worker):
    node, op = _failed_node(model, error)
    what = "%s: %s" % (type(error).__name__, error)
    if node is None:
        return None, None, "worker %d failed: %s" % (worker, what)
    return node, op, "node %r (%s) failed on worker %d: %s" % (node, op, worker, what)


class _Tracer:
    """Times the statements of cluster functions (sys.settrace) for --trace and --profile: those
    of `model`, or the functions of `codes` (code objects) with no lines to name; a traced
    (frozen or prepacked) cluster as a whole."""

    def __init__(self, model=None, codes=None):
        self._codes = model.cluster_codes if codes is None else codes
        self._model = model
        # (perf_counter_ns, line); line 0 marks a return, a (label, engine) pair a traced
        # cluster's call: one slice, its nodes cannot be told apart.
        self.events = []

    def __call__(self, frame, event, arg):
        if event == "call" and frame.f_code in self._codes:
            return self._local
        if event == "call" and frame.f_code is FrozenCluster.__call__.__code__:
            cluster = frame.f_locals["self"]
            self.events.append((time.perf_counter_ns(),
                                ("%s (%s)" % (cluster.label, cluster.engine), cluster.engine)))
            return self._frozen_return
        return None

    def _frozen_return(self, frame, event, arg):
        if event == "return":
            self.events.append((time.perf_counter_ns(), 0))
        return self._frozen_return

    def _local(self, frame, event, arg):
        if event == "line":
            self.events.append((time.perf_counter_ns(), frame.f_lineno))
        elif event == "return":
            self.events.append((time.perf_counter_ns(), 0))
        return self._local

    def slices(self, worker, t0_ns):
        """Chrome trace events: one complete ("X") slice per node statement and hand-off."""
        out, current, start = [], None, 0
        for t, line in self.events:
            label = line if isinstance(line, tuple) else self._model.node_at(line)
            if label == current:
                continue
            if current is not None:
                out.append({"name": current[0], "cat": current[1], "ph": "X", "pid": 0,
                            "tid": worker, "ts": (start - t0_ns) / 1e3,
                            "dur": (t - start) / 1e3, "args": {"op": current[1]}})
            current, start = label, t
        return out


def _run_functions(functions, constants, io, tracer):
    """Runs cluster functions in this thread, without autograd, traced when `tracer` is set."""
    with torch.no_grad():
        if tracer is not None:
            sys.settrace(tracer)
        try:
            for function in functions:
                function(constants, io)
        finally:
            if tracer is not None:
                sys.settrace(None)
