# --- traced_profile: a traced cluster's time, node by node ----------------------------------------

# A traced cluster runs as one TorchScript graph, so --profile cannot time its statements the way
# it times an eager cluster's. But every node of a traced graph keeps the Python stack it was
# traced from (its source range, which names the program's line; the prepacked engine's rewrites
# copy it to the nodes they insert), and PyTorch's profiler records the operators the graph runs,
# in graph order. Walking the two together gives each operator's time to the program's node.

_SOURCE_FRAME = re.compile(r"^(.*)\((\d+)\): \S+$", re.M)


def traced_node_times(traced, constants, inputs, model, runs):
    """{node name: median us per run} of the FrozenCluster `traced`, over `runs` runs on `inputs`
    (its hand-over values) under PyTorch's profiler, which slows small operators a little: the
    caller scales them to an unprofiled run. Time the graph spends in operators no program line
    traced (none, unless a rewrite forgot its source) is left out."""
    from torch.profiler import ProfilerActivity, profile  # loaded only by --profile

    graph = traced.graph
    operators = [n for n in graph.nodes() if not n.kind().startswith("prim::")]
    shares = [_node_shares(node, model) for node in operators]
    with torch.no_grad(), profile(activities=[ProfilerActivity.CPU]) as profiler:
        for _ in range(runs):
            traced(constants, _RecordingIO(dict(inputs)))
    samples = {}
    for run in _graph_runs(profiler.events()):
        times = {}
        for node_shares, event in zip(shares, _match_events(operators, run)):
            if event is None:
                continue
            for name, share in node_shares:
                times[name] = times.get(name, 0.0) + event.cpu_time_total * share
        for name, us in times.items():
            samples.setdefault(name, []).append(us)
    return {name: statistics.median(values) for name, values in samples.items()}


def _graph_runs(events):
    """Per run of a script module, its operators in order: the children of each top-level
    "forward" event."""
    runs = sorted((e for e in events if e.name == "forward" and e.cpu_parent is None),
                  key=lambda e: e.time_range.start)
    return [sorted(run.cpu_children, key=lambda e: e.time_range.start) for run in runs]


def _match_events(operators, events):
    """The event of each graph operator in `events` (one run's, in order), or None: each takes the
    next event of its kind, so an event no operator claims (an operator's own call of another
    that the profiler lists beside it) is passed over."""
    matched, start = [], 0
    for node in operators:
        found = next((i for i in range(start, len(events)) if events[i].name == node.kind()),
                     None)
        matched.append(None if found is None else events[found])
        if found is not None:
            start = found + 1
    return matched


def _node_shares(node, model):
    """[(program node, share of the operator's time)]: the node of the program's line the
    operator was traced from; split by channels among the nodes whose slices of its output are
    all that read it (sibling convolutions packed as one: prepack.py)."""
    readers = [use.user for use in node.output().uses()] if node.outputsSize() == 1 else []
    if len(readers) > 1 and all(r.kind() == "aten::slice" for r in readers):
        widths = []
        for reader in readers:
            try:
                _, start, end, _ = [_constant(v) for v in list(reader.inputs())[1:5]]
            except ValueError:
                break
            widths.append((_source_node(reader, model), end - start))
        else:
            names = {name for name, _ in widths}
            if None not in names and len(names) > 1:
                total = sum(width for _, width in widths)
                return [(name, width / total) for name, width in widths]
    name = _source_node(node, model)
    return [] if name is None else [(name, 1.0)]


def _source_node(node, model):
    """The program node whose line `node` was traced from (its innermost frame in model.py), or
    None."""
    for path, line in ((m.group(1), int(m.group(2)))
                        for m in _SOURCE_FRAME.finditer(node.sourceRange())):
        if os.path.abspath(path) == model.path:
            found = model.node_at(line)
            return found[0] if found is not None else None
    return None
