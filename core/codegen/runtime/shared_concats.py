# --- shared_concats: Concats that extend one another write each input once ---------------------

# A DenseNet layer concatenates every feature map before it: Concat(x0, x1), then
# Concat(x0, x1, x2), and so on, so a block copies its first maps again for every later layer
# (DenseNet-121: 58 Concats, 1.8 ms of its 20 at two threads; ONNX Runtime's take 1.0). When
# each Concat's inputs begin with all of the previous one's, every one of them is the first
# channels of the last: this pass allocates the last one's tensor once, copies each input into
# its channels once, where a Concat first reads it, and makes each Concat a view of its
# channels. Readers take the view as it is (a batch norm reads it with its strides); a
# convolution gets a dense copy (_dense_channels_last sees the view's strides).

_MEMORY_FORMATS = {"channels_last": 2, "contiguous": 0}  # as a traced graph passes them


class _Concat:
    """A traced aten::cat of 4-D float32 tensors along the channels, of static sizes, in a
    dense layout: its node, its list's node, the values it joins and their channel counts."""

    def __init__(self, node, pieces, layout):
        self.node, self.pieces, self.layout = node, pieces, layout
        self.list_node = next(node.inputs()).node()
        self.channels = [_static_float_sizes(p)[1] for p in pieces]
        self.sizes = _static_float_sizes(node.output())


def share_concat_buffers(graph):
    """Rewrites each chain of two or more Concats of `graph` (a traced graph) in which every
    Concat's inputs begin with all of the previous one's as views of one tensor; returns how
    many Concats it rewrote."""
    chains = _chains(_concats(graph))
    for chain in chains:
        _share(graph, chain)
    return sum(len(chain) for chain in chains)


def _concats(graph):
    """A _Concat for each aten::cat of `graph` the pass can take, in graph order."""
    found = []
    for node in [n for n in graph.nodes() if n.kind() == "aten::cat"]:
        tensors, dim = node.inputs()
        if tensors.node().kind() != "prim::ListConstruct" or len(tensors.uses()) != 1:
            continue
        try:
            if _constant(dim) not in (1, -3):
                continue
        except ValueError:
            continue
        pieces = list(tensors.node().inputs())
        sizes = [_static_float_sizes(v) for v in pieces + [node.output()]]
        if any(s is None or len(s) != 4 for s in sizes):
            continue
        layout = _dense_layout(node.output())
        if layout is not None:
            found.append(_Concat(node, pieces, layout))
    return found


def _chains(concats):
    """The chains of `concats` each of whose members' inputs begin with all of its
    predecessor's, in the same layout, none read by an operation that writes in place (a view
    would pass the write on) and no input of them written in place (each is copied once, where
    a Concat reads it first, not where each Concat does)."""
    by_pieces = {tuple(v.unique() for v in c.pieces): c for c in concats}
    parent, children = {}, {}
    for concat in concats:
        key = tuple(v.unique() for v in concat.pieces)
        for length in range(len(key) - 1, 0, -1):
            previous = by_pieces.get(key[:length])
            if previous is not None and previous.layout == concat.layout:
                parent[concat.node] = previous
                children.setdefault(previous.node, []).append(concat)
                break
    chains = []
    for concat in concats:
        if concat.node in parent and len(children[parent[concat.node].node]) == 1:
            continue  # inside a chain that starts earlier
        chain = [concat]
        while len(children.get(chain[-1].node, [])) == 1:
            chain.append(children[chain[-1].node][0])
        if len(chain) > 1 and not any(_written_in_place(v) for c in chain
                                      for v in c.pieces + [c.node.output()]):
            chains.append(chain)
    return chains


def _written_in_place(value):
    """Whether an operation that writes its input in place (aten's trailing underscore) reads
    `value`."""
    return any(use.user.kind().endswith("_") for use in value.uses())


def _share(graph, chain):
    """Allocates the last Concat of `chain` before the first, copies each input into its
    channels where a Concat first reads it, and makes every Concat a view of the tensor."""
    last = chain[-1]
    graph.setInsertPoint(chain[0].node)
    full = _insert(graph, "aten::empty", [
        graph.insertConstant(list(last.sizes)), graph.insertConstant(6),  # ScalarType Float
        graph.insertConstant(None), graph.insertConstant(None), graph.insertConstant(None),
        graph.insertConstant(_MEMORY_FORMATS[last.layout])], last.node.output().type())
    example = torch.empty(last.sizes).contiguous(
        memory_format=torch.channels_last if last.layout == "channels_last" else
        torch.contiguous_format)
    copied = 0
    for concat in chain:
        graph.setInsertPoint(concat.node)
        start = sum(concat.channels[:copied])
        # Its list as it reads now: an input may have been another chain's Concat, a view now.
        pieces = list(concat.list_node.inputs())
        for piece, channels in zip(pieces[copied:], concat.channels[copied:]):
            channels_of = _channels(graph, full, example, start, start + channels)
            _insert(graph, "aten::copy_", [channels_of, piece, graph.insertConstant(False)],
                    channels_of.type())
            start += channels
        copied = len(pieces)
        view = full if concat is last else _channels(graph, full, example, 0, start)
        concat.node.output().replaceAllUsesWith(view)
        concat.node.destroy()
        concat.list_node.destroy()


def _channels(graph, full, example, start, end):
    """Channels start to end of `full` as a view, typed with the view's strides (so that a
    convolution reading it gets a dense copy)."""
    return _insert(graph, "aten::slice",
                   [full] + [graph.insertConstant(v) for v in (1, start, end, 1)],
                   torch._C.TensorType.create_from_tensor(example[:, start:end]))
