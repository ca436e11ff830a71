# --- prepack: a traced cluster's convolutions on oneDNN weights packed once, at load ------------

# Eagerly, PyTorch 1.13 hands each channels-last convolution to oneDNN, which reorders the weight
# into its blocked layout on every call: a third of a 1x1 convolution's time at 7x7, and up to
# two thirds for ResNet's 2048-channel ones. optimize_for_inference avoids that by moving every
# tensor into oneDNN's own layout, which costs a reorder at each Concat and pooling that oneDNN
# cannot take. This pass keeps the program's tensors as they are and only swaps each convolution
# for oneDNN's prepacked one (weights reordered here, once, for the compiled input shape), with
# a ReLU that is the convolution's only reader fused into it.

_FUSED_ACTIVATIONS = {"aten::relu": "relu", "aten::relu_": "relu"}


def prepacking_unavailable():
    """Why this PyTorch cannot prepack convolutions (None when it can): the mkldnn_prepacked
    operators came with PyTorch 1.13's builds with oneDNN (pytorch#76581); a build without them
    runs the cluster eagerly."""
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


def prepack_convolutions(graph):
    """Rewrites `graph` (a traced graph, whose values carry their shapes) so that each float32
    2-D convolution with constant weights runs as mkldnn_prepacked::conv2d_run on a context
    packed here, fusing a ReLU that only it reads; returns how many it rewrote. torch.jit.freeze
    then keeps the contexts as constants."""
    rewritten = 0
    for node in [n for n in graph.nodes() if n.kind() in ("aten::_convolution", "aten::conv2d")]:
        arguments = _convolution_arguments(node)
        if arguments is None:
            continue
        source, weight, bias, stride, padding, dilation, groups = arguments
        source_type = source.type()
        sizes = source_type.sizes() if isinstance(source_type, torch._C.TensorType) else None
        if sizes is None or len(sizes) != 4 or None in sizes or \
                source_type.scalarType() != "Float":
            continue
        last, attribute = node, "none"
        readers = node.output().uses()
        if len(readers) == 1 and readers[0].user.kind() in _FUSED_ACTIVATIONS:
            last = readers[0].user
            attribute = _FUSED_ACTIVATIONS[last.kind()]
        context = torch.ops.mkldnn_prepacked.conv2d_prepack(
            _channels_last(weight), bias, stride, padding, dilation, groups, sizes, attribute)
        graph.setInsertPoint(node)
        run = graph.create("mkldnn_prepacked::conv2d_run", [source, graph.insertConstant(context)])
        run.insertBefore(node)
        run.output().setType(last.output().type())
        last.output().replaceAllUsesWith(run.output())
        if last is not node:
            last.destroy()
        node.destroy()
        rewritten += 1
    return rewritten
