# --- prepack: a traced cluster's convolutions and matrix products on weights packed at load -----

# Eagerly, PyTorch 1.13 hands each channels-last convolution to oneDNN, which reorders the weight
# into its blocked layout on every call: a third of a 1x1 convolution's time at 7x7, and up to
# two thirds for ResNet's 2048-channel ones. optimize_for_inference avoids that by moving every
# tensor into oneDNN's own layout, which costs a reorder at each Concat and pooling that oneDNN
# cannot take. This pass keeps the program's tensors as they are and only swaps each convolution
# for a prepacked one (weights reordered here, once, for the compiled input shape; the primitive
# too where native_kernels.py loaded Ramiel's operators), with a ReLU that is the convolution's
# only reader fused into it; and each large enough product of an activation and a constant
# matrix for the same kernels (prepack_products.py).

_FUSED_ACTIVATIONS = {"aten::relu": "relu", "aten::relu_": "relu"}


def prepacking_unavailable():
    """Why this PyTorch cannot prepack convolutions (None when it can): the mkldnn_prepacked
    operators came with PyTorch 1.13's builds with oneDNN (pytorch#76581); a build without them
    runs the cluster eagerly. Ramiel's own operators (native_kernels.py) need neither."""
    if NATIVE_KERNELS:
        return None
    if not torch.backends.mkldnn.is_available():
        return "this PyTorch has no oneDNN (torch.backends.mkldnn)"
    try:
        torch.ops.mkldnn_prepacked.conv2d_prepack
        torch.ops.mkldnn_prepacked.conv2d_run
    except (AttributeError, RuntimeError):
        return "this PyTorch %s has no mkldnn_prepacked operators" % torch.__version__
    return None


def _constant(value):
    """The Python value of a traced constant or of a list of them; ValueError when computed."""
    node = value.node()
    if node.kind() == "prim::ListConstruct":
        return [_constant(item) for item in node.inputs()]
    if node.kind() != "prim::Constant":
        raise ValueError("computed")
    return value.toIValue()


def _convolution_arguments(node):
    """(input, weight, bias, stride, padding, dilation, groups) of a traced 2-D convolution whose
    weight and settings are constants, or None: aten::_convolution (what torch.jit.trace records)
    or aten::conv2d."""
    values = list(node.inputs())
    try:
        if node.kind() == "aten::_convolution":
            weight, bias, stride, padding, dilation, transposed, _, groups = \
                [_constant(v) for v in values[1:9]]
            if transposed:
                return None
        else:
            weight, bias, stride, padding, dilation, groups = [_constant(v) for v in values[1:7]]
    except ValueError:
        return None
    if not isinstance(weight, torch.Tensor) or weight.dim() != 4 or \
            weight.dtype != torch.float32 or (bias is not None and bias.dtype != torch.float32):
        return None
    if not all(isinstance(v, list) and len(v) == 2 for v in (stride, padding, dilation)):
        return None  # a string padding ("same") or a 1-D or 3-D convolution
    return values[0], weight, bias, stride, padding, dilation, groups


def _channels_last(weight):
    """`weight` in the layout the program's channels-last inputs ask for: packed for any other,
    oneDNN would reorder it again on every call. A 1x1 weight is contiguous and channels-last
    at once, and PyTorch reads its strides as contiguous unless they are channels-last's own,
    so it gets those, as a view: the context keeps the weight it was packed from, and a copy
    would hold the weights a third time."""
    out_channels, in_channels, height, width = weight.shape
    strides = (in_channels * height * width, 1, width * in_channels, in_channels)
    return weight.contiguous(memory_format=torch.channels_last).as_strided(weight.shape, strides)


def prepack_weights(graph):
    """Rewrites `graph` (a traced graph, whose values carry their shapes) so that each float32
    2-D convolution with constant weights runs as a prepacked conv2d_run (convolution_ops():
    Ramiel's where loaded, else PyTorch's mkldnn_prepacked) on a context packed here, fusing a
    ReLU that only it reads, and so do the matrix products _prepack_matrix_products takes;
    returns how many it rewrote. torch.jit.freeze then keeps the contexts as constants."""
    return _prepack_convolutions(graph) + _prepack_matrix_products(graph)


class _Convolution:
    """A traced convolution the pass can take: its node, the node whose output it replaces (the
    convolution or the ReLU fused into it), the activation fused, and its arguments."""

    def __init__(self, node, last, attribute, source, sizes, weight, bias, settings, groups):
        self.node, self.last, self.attribute = node, last, attribute
        self.sizes, self.weight, self.bias = sizes, weight, bias
        self.settings, self.groups = settings, groups  # settings: stride, padding, dilation
        # The input's id: rewriting the convolution before it replaces the value itself.
        self.source_id = source.unique()

    def source(self):
        """The input as the graph has it now."""
        return next(self.node.inputs())

    def sibling_key(self):
        """Equal for convolutions one kernel can compute together: the same input, window and
        settings and fused activation, ungrouped."""
        if self.groups != 1:
            return ("alone", self.node)
        return (self.source_id, tuple(self.weight.shape[1:]), self.settings, self.attribute)


def _convolutions(graph):
    """A _Convolution for each float32 2-D convolution of `graph` with constant weights and an
    input of static sizes, in graph order."""
    found = []
    for node in [n for n in graph.nodes() if n.kind() in ("aten::_convolution", "aten::conv2d")]:
        arguments = _convolution_arguments(node)
        if arguments is None:
            continue
        source, weight, bias, stride, padding, dilation, groups = arguments
        sizes = _static_float_sizes(source)
        if sizes is None or len(sizes) != 4:
            continue
        last, attribute = node, "none"
        reader = _only_reader(node)
        if reader is not None and reader.kind() in _FUSED_ACTIVATIONS:
            last, attribute = reader, _FUSED_ACTIVATIONS[reader.kind()]
        found.append(_Convolution(node, last, attribute, source, sizes, weight, bias,
                                  (tuple(stride), tuple(padding), tuple(dilation)), groups))
    return found


# Sibling convolutions, which read the same input with the same window (an Inception module's
# 1x1 branches), can run as one with their weights stacked, each reading its channels of the
# output as a view: one oneDNN call instead of three, with wider, better used kernels (at two
# threads on an AMD EPYC: GoogLeNet's 192 -> 64, 96, 16 at 28x28 in 288 against 327 us, copies
# of the slices the next convolutions make included; 832 -> 384, 192, 48 at 7x7 in 146 against
# 317 us). But oneDNN may run a stacked weight in another blocked layout than the one it was
# packed in, and reorder it on every call (GoogLeNet's 512 -> 280 at 14x14: 3.5 ms a call), so a
# group is stacked only where one call measured faster at load than its members' calls.
def _prepack_convolutions(graph):
    """prepack_weights for the convolutions; returns how many it rewrote."""
    groups = {}
    for convolution in _convolutions(graph):
        groups.setdefault(convolution.sibling_key(), []).append(convolution)
    for siblings in groups.values():
        alone = [_pack(c) for c in siblings]
        if len(siblings) > 1:
            together = _pack(*siblings)
            if _faster_together(siblings[0].sizes, together, alone):
                _run_packed(graph, siblings, together)
                continue
        for convolution, context in zip(siblings, alone):
            _run_packed(graph, [convolution], context)
    return sum(len(siblings) for siblings in groups.values())


def _pack(*convolutions):
    """A context for `convolutions` (siblings) as one: weights stacked, biases too. A lone
    convolution's weight is packed as it is, no copy: the context keeps what it packed."""
    first = convolutions[0]
    weight, bias = first.weight, first.bias
    if len(convolutions) > 1:
        weight = torch.cat([c.weight for c in convolutions])
        if any(c.bias is not None for c in convolutions):
            bias = torch.cat([c.bias if c.bias is not None else torch.zeros(c.weight.shape[0])
                              for c in convolutions])
    stride, padding, dilation = (list(s) for s in first.settings)
    return convolution_ops().prepack(
        _channels_last(weight), bias, stride, padding, dilation, first.groups, first.sizes,
        first.attribute)


def _faster_together(sizes, together, alone, calls=5):
    """Whether one call of `together` beats the calls of `alone` on an input of `sizes`: the
    fastest of `calls` timings each, after a first call that builds the kernels."""
    run = convolution_ops().run
    example = torch.randn(sizes).contiguous(memory_format=torch.channels_last)

    def fastest(contexts):
        for context in contexts:
            run(example, context)
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            for context in contexts:
                run(example, context)
            times.append(time.perf_counter() - start)
        return min(times)

    return fastest([together]) < fastest(alone)


def _run_packed(graph, convolutions, context):
    """Replaces `convolutions` (one, or siblings packed as one) by conv2d_run on `context`."""
    first = convolutions[0]
    graph.setInsertPoint(first.node)  # the first in graph order: its input is ready there
    output_type = first.last.output().type() if len(convolutions) == 1 else \
        torch._C.TensorType.get()
    run = _insert(graph, convolution_ops().run_kind,
                  [_dense_channels_last(graph, first.source()), graph.insertConstant(context)],
                  output_type)
    pieces, start = [], 0
    for convolution in convolutions:  # all before any node goes: the insert point is one
        end = start + convolution.weight.shape[0]
        pieces.append(run if len(convolutions) == 1 else _channels_of(
            graph, run, start, end, convolution.last.output(), convolution.node))
        start = end
    for convolution, channels in zip(convolutions, pieces):
        _replace(convolution.last, convolution.node, channels)


_CHANNELS_LAST = 2  # c10::MemoryFormat::ChannelsLast, as a traced graph passes memory formats


def _channels_of(graph, output, start, end, replaced, convolution):
    """Channels start to end of a sibling group's `output`, for the value `replaced` (of the node
    `convolution`): a view, copied channels-last where anything but a Concat reads it
    (conv2d_run reads its input as channels-last contiguous whatever its strides)."""
    piece = _insert(graph, "aten::slice",
                    [output] + [graph.insertConstant(v) for v in (1, start, end, 1)],
                    replaced.type(), convolution)
    if all(_concatenates(use.user) for use in replaced.uses()):
        return piece
    return _insert(graph, "aten::contiguous", [piece, graph.insertConstant(_CHANNELS_LAST)],
                   replaced.type(), convolution)


def _concatenates(node):
    """Whether `node` is a Concat's list of inputs (a traced torch.cat reads its tensors through
    one), which reads a view as it is."""
    return node.kind() == "prim::ListConstruct" and all(
        use.user.kind() == "aten::cat" for use in node.output().uses())


def _dense_channels_last(graph, value):
    """`value`, copied channels-last unless the trace saw it so: conv2d_run misreads a
    channels-last view with gaps (a slice of channels: PyTorch 1.13 takes its data as dense)."""
    if _dense_layout(value) == "channels_last":
        return value
    return _insert(graph, "aten::contiguous", [value, graph.insertConstant(_CHANNELS_LAST)],
                   torch._C.TensorType.get())


def _dense_layout(value):
    """"channels_last" or "contiguous" when the trace saw the 4-D `value` dense in that layout
    (channels-last first, where both hold), else None."""
    value_type = value.type()
    sizes, strides = value_type.sizes(), value_type.strides()
    if sizes is None or strides is None or None in strides:
        return None
    _, channels, height, width = sizes
    layouts = {"channels_last": (height * width * channels, 1, width * channels, channels),
               "contiguous": (channels * height * width, height * width, width, 1)}
    for name, dense in layouts.items():
        if all(size == 1 or stride == want for size, stride, want in zip(sizes, strides, dense)):
            return name
    return None


def _static_float_sizes(value):
    """The sizes of a float32 tensor value the trace recorded in full, or None."""
    value_type = value.type()
    if not isinstance(value_type, torch._C.TensorType) or value_type.scalarType() != "Float":
        return None
    sizes = value_type.sizes()
    return None if sizes is None or None in sizes else sizes


def _only_reader(node):
    """The node that reads `node`'s only output, when exactly one does."""
    readers = node.output().uses()
    return readers[0].user if len(readers) == 1 else None


def _insert(graph, kind, inputs, output_type, origin=None):
    """A new node of `kind` at the graph's insert point, its output typed `output_type`, traced
    from the line of `origin` (by default the node it goes before, whose work it does), which is
    where traced_profile.py counts its time."""
    node = graph.insertNode(graph.create(kind, inputs))
    node.copyMetadata(origin or graph.insertPoint())
    node.output().setType(output_type)
    return node.output()


def _replace(last, first, value):
    """Reads `value` wherever `last`'s output was read, then drops the nodes `first` to `last`
    (one node, or a node and the only reader of its output)."""
    last.output().replaceAllUsesWith(value)
    if last is not first:
        last.destroy()
    first.destroy()
