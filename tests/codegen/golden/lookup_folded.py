# model.py: the parallel PyTorch program Ramiel compiled from the ONNX model "lookup".
# Generated code: do not edit it, compile the model again instead.
#
# Model:     sha256 a3a6352e40584fbe67442e230025613f95626db8046eb7b3955366ba2ff9673d
# Compiler:  Ramiel 0.0.0-test
# Options:   clusters=embedding_lookup;relu,add
# Schedule:  2 clusters; predicted serial 30.0 us, critical path 20.0 us, makespan 20.0 us (1.50x)
#   cluster 0: 1 nodes, 10.0 us, threads 1
#   cluster 1: 2 nodes, 20.0 us, threads 1
#
# It needs Python 3, PyTorch (1.13 to 2.x) and the onnx package, which reads the weights
# from the model file; Ramiel need not be installed.
#
#   python3 model.py --onnx MODEL.onnx --check         parallel against serial, random inputs
#   python3 model.py --onnx MODEL.onnx --bench         median latency, serial and parallel
#   python3 model.py --onnx MODEL.onnx --profile FILE  every node's time, for --costs FILE
#   python3 model.py --onnx MODEL.onnx --trace FILE    Chrome/Perfetto trace of one run
#
#   import model
#   with model.load("MODEL.onnx", workers=None, mode="thread") as program:
#       outputs = program(*inputs)  # torch tensors in graph-input order -> tuple

# A wide worker runs beside narrow ones (a staged schedule).
STAGED = False

import argparse
import contextlib
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import os
import queue
import runpy
import signal
import statistics
import subprocess
import sys
import threading
import time
import warnings


def _openmp_loaded():
    """Whether this process already has OpenMP (libgomp): it reads its settings once, when it
    loads, so what this module sets later does not reach it."""
    try:
        with open("/proc/self/maps") as maps:
            return "libgomp" in maps.read()
    except OSError:
        return "torch" in sys.modules or "numpy" in sys.modules


# A staged program's wide worker must not leave its idle OpenMP threads spinning while the
# narrow workers run (measured: 26 ms against 36 ms on GoogLeNet). GOMP_SPINCOUNT does that when
# it is set before OpenMP loads; a value already in the environment wins. Where OpenMP loaded
# first without it, a staged program in threads runs serially instead, and load() says why.
OPENMP_SPIN_LIMITED = (not STAGED or "GOMP_SPINCOUNT" in os.environ or
                       "OMP_WAIT_POLICY" in os.environ or not _openmp_loaded())
if STAGED:
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")

import torch  # noqa: E402  (after OpenMP's settings)
import torch.multiprocessing  # registers the reductions that share tensors with worker processes
import torch.nn.functional as F

# The model this program was compiled from; load() refuses any other file.
MODEL_NAME = "lookup"
MODEL_SHA256 = "a3a6352e40584fbe67442e230025613f95626db8046eb7b3955366ba2ff9673d"
COMPILER_VERSION = "0.0.0-test"
OPTIONS = "clusters=embedding_lookup;relu,add"

# Graph inputs and outputs, in order: (ONNX name, variable, dtype, shape).
INPUTS = (("ids", "ids", torch.int64, (3,)), ("x", "x", torch.float32, (3, 2)))
OUTPUTS = (("y", "y", torch.float32, (3, 2)),)
# Outputs that are constants: variable -> attribute of the constants object.
CONSTANT_OUTPUTS = {}

# Weights read from the model file: attribute -> (initializer or Constant name, dtype).
MODEL_CONSTANTS = {}


# Convolution weights, kept channels-last like the activations they meet.
CHANNELS_LAST_CONSTANTS = ()

def folded_constants():
    """Constants the compiler computed, which the model file lacks."""
    return {
        "table": torch.tensor([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], dtype=torch.float32).reshape(
            4, 2
        ),
    }


def onnx_gather(x, indices, axis):
    """ONNX Gather: index_select along `axis` with indices of any rank; negative ones count
    from the end."""
    axis = axis + x.dim() if axis < 0 else axis
    flat = indices.reshape(-1).to(torch.int64)
    flat = torch.where(flat < 0, flat + x.shape[axis], flat)
    out = torch.index_select(x, axis, flat)
    return out.reshape(tuple(x.shape[:axis]) + tuple(indices.shape) + tuple(x.shape[axis + 1:]))


def cluster_0(c, io):
    """Cluster 0: 1 nodes, predicted 10.0 us."""
    ids = io.recv("ids")
    rows = onnx_gather(c.table, ids, 0)
    del ids
    io.send("rows", rows)
    del rows


def cluster_1(c, io):
    """Cluster 1: 2 nodes, predicted 20.0 us."""
    x = io.recv("x")
    xr = F.relu(x)
    del x
    rows = io.recv("rows")
    y = xr.add_(rows)
    del xr, rows
    io.send("y", y)
    del y


def run_serial(c, io):
    """The whole graph in one function, nodes in graph order: what workers=1 runs."""
    ids = io.recv("ids")
    rows = onnx_gather(c.table, ids, 0)
    del ids
    x = io.recv("x")
    xr = F.relu(x)
    del x
    y = xr.add_(rows)
    del xr, rows
    io.send("y", y)
    del y


# The schedule: (function, predicted us, tensors it receives, tensors it sends).
CLUSTERS = (
    (cluster_0, 10.0, ("ids",), ("rows",)),
    (cluster_1, 20.0, ("x", "rows"), ("y",)),
)
# Intra-op threads of each cluster's worker, set once per worker; () divides the cores
# among the workers.
CLUSTER_THREADS = ()
# Tensors handed between clusters or to the caller: variable -> (dtype, shape, memory format).
TRANSFERS = {
    "ids": (torch.int64, (3,), torch.contiguous_format),
    "rows": (torch.float32, (3, 2), torch.contiguous_format),
    "x": (torch.float32, (3, 2), torch.contiguous_format),
    "y": (torch.float32, (3, 2), torch.contiguous_format),
}
PREDICTED_SPEEDUP = 1.5


# ---------------------------------------------------------------------------------------------
# The runtime: loading, the parallel driver and the command line. It is the same for every
# model; everything above this line is specific to this one.
# ---------------------------------------------------------------------------------------------

# --- loading: errors, the constants object, the model's weights ----------------------------------

class ModelMismatchError(ValueError):
    """The ONNX file is not the one this program was compiled from."""


class NodeError(RuntimeError):
    """A node of the graph failed while the program ran.

    `node` and `op` name it (None when the failure was outside any node), `worker` is the worker
    it ran on; the original exception is chained as __cause__ (thread mode and serial runs) or
    described in the message (process mode).
    """

    def __init__(self, message, node=None, op=None, worker=None):
        super().__init__(message)
        self.node = node
        self.op = op
        self.worker = worker


class Constants:
    """The model's constants as attributes: weights read from the ONNX file and folded values."""

    def __init__(self, tensors):
        self.__dict__.update(tensors)


class _Aborted(Exception):
    """Raised in a worker waiting for a tensor that will never come because another failed."""


def _sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _constant_node_array(node, numpy_helper, np):
    for attribute in node.attribute:
        if attribute.name == "value":
            return numpy_helper.to_array(attribute.t)
        if attribute.name == "value_float":
            return np.array(attribute.f, dtype=np.float32)
        if attribute.name == "value_floats":
            return np.array(list(attribute.floats), dtype=np.float32)
        if attribute.name == "value_int":
            return np.array(attribute.i, dtype=np.int64)
        if attribute.name == "value_ints":
            return np.array(list(attribute.ints), dtype=np.int64)
    raise ModelMismatchError("Constant node %r has no value this program can read" % node.name)


def load_constants(onnx_path):
    """Reads this model's weights from `onnx_path`, after checking it is the compiled model."""
    actual = _sha256_of(onnx_path)
    if actual != MODEL_SHA256:
        raise ModelMismatchError(
            "%s is not the model this program was compiled from: its sha256 is %s, expected %s "
            "(%s); compile this file with ramiel-client to get its program"
            % (onnx_path, actual, MODEL_SHA256, MODEL_NAME))
    tensors = {}
    if MODEL_CONSTANTS:
        import numpy as np
        import onnx
        from onnx import numpy_helper

        graph = onnx.load(onnx_path).graph
        initializers = {t.name: t for t in graph.initializer}
        constant_nodes = {n.output[0]: n for n in graph.node
                          if n.op_type == "Constant" and n.domain in ("", "ai.onnx")}
        for attribute, (onnx_name, dtype) in MODEL_CONSTANTS.items():
            if onnx_name in initializers:
                array = numpy_helper.to_array(initializers[onnx_name])
            elif onnx_name in constant_nodes:
                array = _constant_node_array(constant_nodes[onnx_name], numpy_helper, np)
            else:
                raise ModelMismatchError("%s has no initializer or Constant named %r"
                                         % (onnx_path, onnx_name))
            if array.dtype in (np.uint16, np.uint32, np.uint64):  # torch lacks: carry as int64
                array = array.view(np.int64) if array.itemsize == 8 else array.astype(np.int64)
            tensors[attribute] = torch.from_numpy(np.array(array, copy=True)).to(dtype)
    tensors.update(folded_constants())
    for attribute in CHANNELS_LAST_CONSTANTS:  # as the activations the convolutions read
        tensors[attribute] = tensors[attribute].contiguous(memory_format=torch.channels_last)
    return tensors


def _available_cores():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


# --- running cluster functions: their order, failures named by node, tracing ---------------------

def _set_intra_op_threads(count):
    """Gives the calling thread `count` intra-op threads. Call it once per thread: changing a
    thread's count makes its next kernels several times slower. Reading the count first matters:
    torch initialises a thread's count lazily, on its first use, to the count the last
    set_num_threads of any thread gave, which would undo this one."""
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)


def _cluster_order():
    """Cluster indices in an order where every cluster comes after those it receives from, or
    None when clusters receive from each other both ways (which the schedule allows: a worker
    waits for each tensor just before the node that needs it)."""
    producer = {}
    for index, (_, _, _, sends) in enumerate(CLUSTERS):
        for name in sends:
            producer[name] = index
    order, placed = [], set()
    while len(order) < len(CLUSTERS):
        for index, (_, _, receives, _) in enumerate(CLUSTERS):
            if index not in placed and all(producer.get(name, index) in placed or
                                           producer.get(name, index) == index
                                           for name in receives):
                order.append(index)
                placed.add(index)
                break
        else:
            return None
    return order


def _assign_clusters(workers):
    """Clusters per worker. With a worker per cluster, worker i runs cluster i. With fewer,
    clusters go in dependency order to the least loaded worker, which keeps every worker's
    order consistent with the dependencies (so no worker waits for one that waits for it);
    that needs clusters that do not receive from each other both ways."""
    if workers >= len(CLUSTERS):
        return [[index] for index in range(len(CLUSTERS))]
    order = _cluster_order()
    if order is None:
        raise ValueError("this program's %d clusters pass tensors to each other both ways, so "
                         "they cannot share %d workers; run it with workers=%d or workers=1, or "
                         "compile the model for %d workers" % (len(CLUSTERS), workers,
                                                              len(CLUSTERS), workers))
    loads = [0.0] * workers
    assignment = [[] for _ in range(workers)]
    for index in order:
        worker = min(range(workers), key=lambda w: (loads[w], w))
        assignment[worker].append(index)
        loads[worker] += CLUSTERS[index][1]
    return assignment


_CLUSTER_CODES = []


def _cluster_codes():
    if not _CLUSTER_CODES:
        codes = [cluster[0].__code__ for cluster in CLUSTERS] + [run_serial.__code__]
        _CLUSTER_CODES.append(frozenset(codes))
    return _CLUSTER_CODES[0]


def _failed_node(error):
    """(node, op) of the statement of a cluster function that raised `error`, if any."""
    codes = _cluster_codes()
    found = (None, None)
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code in codes:
            found = NODE_LINES.get(tb.tb_lineno, (None, None))
        tb = tb.tb_next
    return found


def _describe_failure(error, worker):
    node, op = _failed_node(error)
    what = "%s: %s" % (type(error).__name__, error)
    if node is None:
        return None, None, "worker %d failed: %s" % (worker, what)
    return node, op, "node %r (%s) failed on worker %d: %s" % (node, op, worker, what)


class _Tracer:
    """Times the statements of cluster functions (sys.settrace) for --trace and --profile."""

    def __init__(self, codes=None):
        self._codes = _cluster_codes() if codes is None else codes
        self.events = []  # (perf_counter_ns, line); line 0 marks a return

    def __call__(self, frame, event, arg):
        if event == "call" and frame.f_code in self._codes:
            return self._local
        return None

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
            label = NODE_LINES.get(line)
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


# --- drivers in this process: serial (workers=1) and threads -------------------------------------

class _SerialRunner:
    """workers=1: the whole graph (run_serial) in the calling thread, all cores intra-op."""

    def __init__(self, constants, threads):
        self._constants = constants
        self._threads = threads
        self._functions = [run_serial]
        self._values = {}
        self.workers = [list(range(len(CLUSTERS)))]

    def recv(self, name):
        return self._values[name]

    def send(self, name, value):
        self._values[name] = value

    def run(self, inputs, trace, tracer=None):
        _set_intra_op_threads(self._threads)
        values = self._values
        values.update(inputs)
        if tracer is None and trace is not None:
            tracer = _Tracer()
        try:
            _run_functions(self._functions, self._constants, self, tracer)
            return dict(values)
        except Exception as error:
            node, op, message = _describe_failure(error, 0)
            raise NodeError(message, node, op, 0) from error
        finally:
            values.clear()
            if trace is not None:
                trace["events"].extend(tracer.slices(0, trace["t0"]))

    def close(self):
        pass


class _ThreadRunner:
    """Persistent worker threads that hand tensors over through one Event per tensor."""

    def __init__(self, constants, assignment, worker_threads):
        self._constants = constants
        self._threads = worker_threads
        self.workers = assignment
        worker_of = {}
        for worker, indices in enumerate(assignment):
            for index in indices:
                worker_of[index] = worker
        producer = {}
        for index, (_, _, _, sends) in enumerate(CLUSTERS):
            for name in sends:
                producer[name] = worker_of[index]
        # Only tensors that cross workers need an Event; the rest are in place before they are
        # read (graph inputs, or sent earlier on the same worker).
        crossing = set()
        for index, (_, _, receives, _) in enumerate(CLUSTERS):
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
        functions = [CLUSTERS[index][0] for index in self.workers[worker]]
        inbox = self._inboxes[worker]
        while True:
            job = inbox.get()
            if job is None:
                return
            slices = []
            try:  # whatever happens, the caller hears back: nothing may hang
                tracer = _Tracer() if job["trace"] else None
                try:
                    _run_functions(functions, self._constants, self, tracer)
                except _Aborted:
                    pass
                except BaseException as error:
                    node, op, message = _describe_failure(error, worker)
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
    """A worker process's side of the hand-off: shared buffers plus one semaphore per tensor."""

    def __init__(self, args):
        self._buffers = _arena_views(args["io_arena"], args["io_layout"])
        self._semaphores = args["semaphores"]
        self._releases = args["releases"]  # tensor this worker sends -> consumer processes
        self._failed = args["failed"]
        self._local = {}
        self._sent = set()

    def reset(self):
        self._local.clear()
        self._sent.clear()

    def recv(self, name):
        value = self._local.get(name)
        if value is not None:
            return value
        semaphore = self._semaphores.get(name)
        if semaphore is not None:
            semaphore.acquire()
            if self._failed.value:
                raise _Aborted()
        value = self._buffers[name]
        self._local[name] = value
        return value

    def send(self, name, value):
        self._local[name] = value
        buffer = self._buffers.get(name)
        if buffer is not None:
            buffer.copy_(value)
        releases = self._releases.get(name, 0)
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


def _process_worker_main(args):
    """The body of a worker process (spawned; it runs this file with runpy)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    _set_intra_op_threads(args["threads"])
    constants = Constants(_arena_views(args["constants_arena"], args["constants_layout"]))
    io = _ProcessIO(args)
    functions = [CLUSTERS[index][0] for index in args["clusters"]]
    worker, conn, failed = args["worker"], args["conn"], args["failed"]
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        io.reset()
        tracer = _Tracer() if job["trace"] else None
        failure = None
        try:
            _run_functions(functions, constants, io, tracer)
        except _Aborted:
            io.abort()
        except BaseException as error:
            failure = _describe_failure(error, worker)
            failed.value = 1
            io.abort()
        slices = tracer.slices(worker, job["t0"]) if tracer is not None else []
        conn.send((failure, slices))


@contextlib.contextmanager
def _main_script_hidden():
    """Hides the caller's script from multiprocessing while workers start: spawned workers
    would import it again (running a script without a __main__ guard twice, or forever), and
    they need only this file, which they run themselves."""
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

    def __init__(self, constants, assignment, worker_threads, module_path):
        context = multiprocessing.get_context("spawn")  # fork after OpenMP ran can hang
        self.workers = assignment
        worker_of = {index: w for w, indices in enumerate(assignment) for index in indices}
        producer = {}
        for index, (_, _, _, sends) in enumerate(CLUSTERS):
            for name in sends:
                producer[name] = worker_of[index]
        consumers = {}
        for index, (_, _, receives, _) in enumerate(CLUSTERS):
            for name in receives:
                consumers.setdefault(name, set()).add(worker_of[index])
        output_keys = {key for _, key, _, _ in OUTPUTS if key in producer}
        # Shared buffers: graph inputs the workers read, tensors that cross workers, outputs.
        buffered = sorted(name for name in set(consumers) | output_keys
                          if name not in producer or name in output_keys or
                          consumers.get(name, set()) - {producer[name]})
        for name in buffered:
            if TRANSFERS[name][1] is None or None in TRANSFERS[name][1]:
                raise ValueError("process mode needs static shapes, and %r has none; use "
                                 "mode='thread'" % name)
        self._io_layout, size = _arena_layout([(name,) + TRANSFERS[name] for name in buffered])
        self._io_arena = torch.zeros(size, dtype=torch.uint8).share_memory_()
        self._buffers = _arena_views(self._io_arena, self._io_layout)
        crossing = [name for name in buffered
                    if name in producer and consumers.get(name, set()) - {producer[name]}]
        self._semaphores = {name: context.Semaphore(0) for name in crossing}
        self._failed = context.RawValue("i", 0)
        constants_arena, constants_layout = _shared_arena(vars(constants))
        # The parent keeps views too, so the weights exist once, in shared memory.
        self.constants = Constants(_arena_views(constants_arena, constants_layout))
        self._processes, self._conns = [], []
        self._broken = None
        with _main_script_hidden():
            for worker, indices in enumerate(assignment):
                parent_end, child_end = context.Pipe()
                args = {"worker": worker, "clusters": indices, "threads": worker_threads[worker],
                        "constants_arena": constants_arena, "constants_layout": constants_layout,
                        "io_arena": self._io_arena, "io_layout": self._io_layout,
                        "semaphores": self._semaphores, "failed": self._failed,
                        "conn": child_end,
                        "releases": {name: len(consumers[name] - {worker}) for name in crossing
                                     if producer[name] == worker}}
                process = context.Process(
                    target=runpy.run_path, args=(module_path,), daemon=True,
                    name="ramiel-worker-%d" % worker,
                    kwargs={"init_globals": {"_RAMIEL_WORKER_ARGS": args},
                            "run_name": "__ramiel_worker__"})
                process.start()
                child_end.close()
                self._processes.append(process)
                self._conns.append(parent_end)
        try:
            self._gather("start")
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
        job = {"trace": trace is not None, "t0": trace["t0"] if trace is not None else 0}
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
            for _, slices in replies:
                trace["events"].extend(slices)
        failures = [(worker, failure) for worker, (failure, _) in enumerate(replies)
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
        for _, key, _, _ in OUTPUTS:
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


# --- measuring: --bench (serial against parallel) and --profile (every node's time) --------------

_SETTLE_S = 0.05


class _Configuration:
    """One configuration of this program (workers, mode, threads) loaded in a process of its own,
    which runs measurement jobs on request. Configurations sharing one process would share its
    OpenMP threads and settings: measured there, serial at 2 threads took 42-45 ms on GoogLeNet
    against 26 ms alone. The process is this file run with --measure-worker; the two speak one
    JSON line each way."""

    def __init__(self, onnx_path, options, seed):
        self.options = options
        argv = [sys.executable, os.path.abspath(__file__), "--onnx", onnx_path, "--seed",
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


def _start(onnx_path, option_sets, seed):
    """A measuring process per option set, loading side by side; closed again on failure."""
    configurations = []
    try:
        for options in option_sets:
            configurations.append(_Configuration(onnx_path, options, seed))
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
    tracer = _Tracer()
    program._runner.run(program._check_inputs(inputs), None, tracer=tracer)
    return _node_times_us(tracer.events, tracer_cost)


def _serve_measurements(args):
    """The measuring process: loads the program with the options given as JSON, answers
    {"value": ...} or {"error": "..."} to each job line until "quit"."""
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # stray prints must not break the protocol
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us

    def reply(**fields):
        protocol.write(json.dumps(fields) + "\n")

    inputs = random_inputs(args.seed)
    try:
        program = load(args.onnx, **json.loads(args.measure_worker))
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
                elif request["job"] == "tracer_cost":
                    reply(value=tracer_cost())
                else:
                    reply(error="unknown job %r" % request["job"])
            except Exception as error:
                reply(error="%s: %s" % (type(error).__name__, error))
    return 0


def _bench(args):
    """Serial at one intra-op thread, serial at every core (the best serial run, usually) and
    parallel, each loaded in a process of its own; runs alternate between them round by round,
    so all three see the same machine."""
    cores = _available_cores()
    configs = [("serial-1", {"workers": 1, "threads": 1})]
    if cores > 1:
        configs.append(("serial-%d" % cores, {"workers": 1, "threads": cores}))
    configs.append(("parallel", {"workers": args.workers, "mode": args.mode,
                                 "threads": args.threads}))
    configurations = _start(args.onnx, [options for _, options in configs], args.seed)
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
    process of its own, runs alternating between them; writes the median of each node's times:
    the measured costs `ramiel-client compile --costs FILE` clusters with."""
    cores = _available_cores()
    counts = [1] if cores == 1 else [1, cores]
    configurations = _start(args.onnx, [{"workers": 1, "threads": count} for count in counts],
                            args.seed)
    try:
        for configuration in configurations:
            configuration.call("timed", count=args.warmup)
        samples = {count: {} for count in counts}
        for _ in range(args.runs):
            for count, configuration in zip(counts, configurations):
                for node, us in configuration.call("traced").items():
                    samples[count].setdefault(node, []).append(us)
        tracer_cost = configurations[0].call("tracer_cost")
    finally:
        _close_all(configurations)
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


# --- the command line: --check, --bench, --profile, --trace --------------------------------------

def random_inputs(seed=0):
    """Inputs of the compiled shapes: normal floats, small non-negative integers, random bools."""
    generator = torch.Generator().manual_seed(seed)
    inputs = []
    for _, _, dtype, shape in INPUTS:
        shape = tuple(1 if dim is None else dim for dim in shape) if shape is not None else ()
        if dtype.is_floating_point:
            inputs.append(torch.randn(shape, generator=generator).to(dtype))
        elif dtype == torch.bool:
            inputs.append(torch.randint(0, 2, shape, generator=generator).to(torch.bool))
        else:
            inputs.append(torch.randint(0, 2, shape, generator=generator).to(dtype))
    return inputs


def _compare(name, expected, actual, rtol, atol):
    if expected.shape != actual.shape or expected.dtype != actual.dtype:
        return False, "%s vs %s %s" % (list(expected.shape), list(actual.shape), actual.dtype)
    if expected.dtype.is_floating_point or expected.dtype.is_complex:
        equal = torch.allclose(expected, actual, rtol=rtol, atol=atol, equal_nan=True)
        difference = (expected - actual).abs().max().item() if expected.numel() else 0.0
        return equal, "max |diff| %.3g" % difference
    equal = torch.equal(expected, actual)
    return equal, "exact" if equal else "%d elements differ" % int((expected != actual).sum())


def _check(args):
    inputs = random_inputs(args.seed)
    with load(args.onnx, workers=1) as serial:
        expected = serial(*inputs)
    with load(args.onnx, workers=args.workers, mode=args.mode, threads=args.threads) as program:
        actual = program(*inputs)
        label = "%s, %d workers, intra-op threads %s" % (
            program.mode, program.workers, ",".join(map(str, program.worker_threads)))
    ok = True
    print("check: %s against serial" % label)
    for (name, _, _, _), e, a in zip(OUTPUTS, expected, actual):
        equal, detail = _compare(name, e, a, args.rtol, args.atol)
        ok = ok and equal
        print("  %-30s %-5s %s" % (name, "ok" if equal else "FAIL", detail))
    print("check: %s" % ("passed" if ok else "FAILED"))
    return 0 if ok else 1


def _trace(args):
    inputs = random_inputs(args.seed)
    with load(args.onnx, workers=args.workers, mode=args.mode, threads=args.threads) as program:
        program(*inputs)  # warm up: the first run pays for allocations and kernel selection
        trace = {"t0": time.perf_counter_ns(), "events": []}
        program.run(*inputs, trace=trace)
        workers = program._runner.workers
    events = [{"name": "thread_name", "ph": "M", "pid": 0, "tid": worker,
               "args": {"name": "worker %d (cluster %s)" % (worker, ", ".join(map(str, indices)))}}
              for worker, indices in enumerate(workers)]
    events.append({"name": "process_name", "ph": "M", "pid": 0, "tid": 0,
                   "args": {"name": "%s (%s)" % (MODEL_NAME, program.mode)}})
    events.extend(sorted(trace["events"], key=lambda e: (e["tid"], e["ts"])))
    with open(args.trace, "w") as f:
        json.dump({"traceEvents": events, "displayTimeUnit": "ms"}, f, indent=1)
    print("trace: %d slices on %d workers written to %s" % (len(trace["events"]), len(workers),
                                                            args.trace))
    return 0


def _run_once(args):
    inputs = random_inputs(args.seed)
    with load(args.onnx, workers=args.workers, mode=args.mode, threads=args.threads) as program:
        outputs = program(*inputs)
    for (name, _, _, _), tensor in zip(OUTPUTS, outputs):
        print("%-30s %s %s" % (name, tensor.dtype, list(tensor.shape)))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Runs %r as compiled by Ramiel %s: %d clusters run by parallel workers."
        % (MODEL_NAME, COMPILER_VERSION, len(CLUSTERS)))
    parser.add_argument("--onnx", required=True, metavar="MODEL.onnx",
                        help="the model this program was compiled from (its weights are read "
                             "from it; its sha256 must match)")
    parser.add_argument("--workers", type=int, default=None,
                        help="workers (default: the schedule's %d; 1 runs serially)"
                        % len(CLUSTERS))
    parser.add_argument("--mode", choices=("thread", "process"), default="thread",
                        help="workers as threads (default) or processes")
    parser.add_argument("--threads", type=int, default=None,
                        help="intra-op threads of the narrow workers (default: the schedule's "
                             "CLUSTER_THREADS %s, or cores / workers)" % (CLUSTER_THREADS,))
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true",
                        help="run random inputs in parallel and serially; exit 0 when equal")
    action.add_argument("--bench", action="store_true",
                        help="median latency: serial at 1 thread and at every core against "
                             "parallel, interleaved (a table and JSON)")
    action.add_argument("--profile", metavar="FILE",
                        help="time every node serially at 1 thread and at every core; write "
                             "JSON for ramiel-client compile --costs FILE")
    action.add_argument("--trace", metavar="FILE",
                        help="write a Chrome/Perfetto trace of one run (a track per worker)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs for --bench, --profile")
    parser.add_argument("--warmup", type=int, default=3,
                        help="untimed runs for --bench, --profile")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    parser.add_argument("--rtol", type=float, default=1e-4, help="relative tolerance of --check")
    parser.add_argument("--atol", type=float, default=1e-5, help="absolute tolerance of --check")
    parser.add_argument("--measure-worker", metavar="OPTIONS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_worker:  # a measuring process that --bench or --profile started
        return _serve_measurements(args)
    try:
        if args.check:
            return _check(args)
        if args.bench:
            return _bench(args)
        if args.profile:
            return _profile(args)
        if args.trace:
            return _trace(args)
        return _run_once(args)
    except (ModelMismatchError, NodeError, ValueError, TypeError, OSError) as error:
        print("error: %s" % error, file=sys.stderr)
        return 2


# Source line -> (node, op) of every statement of the functions above; error
# messages and --trace name nodes with it. Hand-offs read ("recv x", "recv").
NODE_LINES = {
    107: ("recv ids", "recv"),
    108: ("embedding_lookup", "Gather"),
    110: ("send rows", "send"),
    116: ("recv x", "recv"),
    117: ("relu", "Relu"),
    119: ("recv rows", "recv"),
    120: ("add", "Add"),
    122: ("send y", "send"),
    128: ("recv ids", "recv"),
    129: ("embedding_lookup", "Gather"),
    131: ("recv x", "recv"),
    132: ("relu", "Relu"),
    134: ("add", "Add"),
    136: ("send y", "send"),
}


if __name__ == "__main__":
    sys.exit(main())
if __name__ == "__ramiel_worker__":  # a worker of mode="process", started by _ProcessRunner
    _process_worker_main(globals()["_RAMIEL_WORKER_ARGS"])
