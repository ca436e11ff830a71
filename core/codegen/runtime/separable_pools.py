# --- separable_pools: max pooling as a max over rows, then over columns ---------------------------

# PyTorch 1.13 computes max pooling with the index of each maximum, even where nothing reads it
# (aten::max_pool2d calls max_pool2d_with_indices): in a channels-last tensor, a compare and two
# blends per window element, and int64 indices written at twice the output's size. GoogLeNet's
# 13 poolings took 1.2 ms of its 9.1 at two threads on an AMD EPYC (replaced by strided copies:
# 7.9 ms), against ONNX Runtime's 0.3. A max over a window is a max over its rows of a max over
# its columns, and in a channels-last tensor both are passes over long contiguous runs: this pass
# rewrites a traced pooling that way. Each pass is an amax over windows (a view: Tensor.unfold)
# into an output allocated once, its edge windows (cut by padding or ceil mode) each an amax of
# their own; a stride-1 pass is a running maximum of shifted views instead, no window view.
# Isolated, at two threads: GoogLeNet's first pooling 211 -> 118 us, its 3x3 stride-1 ones at
# 28x28 80 -> 57; in the whole program 0.97x (bench/ab_programs.py). Small tensors stay as they
# are: their native call is cheaper than the passes' several (832 channels at 7x7: 22 -> 33 us),
# and so do windows that do not overlap (2x2 at stride 2: 14 -> 27 us), where the native kernel
# reads each input once anyway. The cost model applies the same rule (codegen::pools_separably,
# whose kMinSeparablePoolElements must stay this minimum).
_MIN_SEPARABLE_ELEMENTS = 100_000


def separate_max_pools(graph):
    """Rewrites each max pooling of `graph` (a traced graph) whose input the trace saw dense
    channels-last, large enough and with overlapping windows, as a max over rows, then over
    columns; returns how many it rewrote."""
    pools = [p for p in (_pooling(n) for n in graph.nodes() if n.kind() == "aten::max_pool2d")
             if p is not None]
    for node, windows in pools:
        _separate(graph, node, windows)
    return len(pools)


def channels_last_max_pool(node):
    """(kernel, stride, padding, ceil mode) of a traced aten::max_pool2d whose input the trace
    saw as a dense channels-last float tensor of static sizes, with 2-D undilated windows; else
    None. What the prepacked engine's pooling rewrites start from (this pass and
    native_kernels.py's)."""
    source = next(node.inputs())
    sizes = _static_float_sizes(source)
    if sizes is None or len(sizes) != 4 or _dense_layout(source) != "channels_last":
        return None
    try:
        kernel, stride, padding, dilation, ceil_mode = [_constant(v)
                                                        for v in list(node.inputs())[1:]]
    except ValueError:
        return None
    stride = stride or kernel  # an empty stride is the kernel's
    if any(len(v) != 2 for v in (kernel, stride, padding, dilation)) or dilation != [1, 1]:
        return None
    return kernel, stride, padding, bool(ceil_mode)


def _pooling(node):
    """(node, [(kernel, stride, padding, input size, output size)] for rows and columns) of an
    aten::max_pool2d the pass can take, or None."""
    settings = channels_last_max_pool(node)
    out_sizes = _static_float_sizes(node.output())
    if settings is None or out_sizes is None or len(out_sizes) != 4 or \
            _dense_layout(node.output()) is None:
        return None
    kernel, stride, padding, _ = settings
    sizes = _static_float_sizes(next(node.inputs()))
    if sizes[0] * sizes[1] * sizes[2] * sizes[3] < _MIN_SEPARABLE_ELEMENTS or \
            all(k <= s for k, s in zip(kernel, stride)):
        return None
    return node, list(zip(kernel, stride, padding, sizes[2:], out_sizes[2:]))


def _separate(graph, node, windows):
    """Replaces the pooling `node` by a pass over rows, then one over columns, of its input seen
    as NHWC (a view of the channels-last tensor), viewed back as NCHW."""
    graph.setInsertPoint(node)
    tensor = torch._C.TensorType.get()
    rows = _insert(graph, "aten::permute",
                   [next(node.inputs()), graph.insertConstant([0, 2, 3, 1])], tensor)
    batch, channels = _static_float_sizes(node.output())[:2]
    sizes = [batch, windows[0][3], windows[1][3], channels]
    for dim, window in ((1, windows[0]), (2, windows[1])):
        rows = _max_along(graph, rows, dim, window, sizes)
        sizes[dim] = window[4]
    pooled = _insert(graph, "aten::permute", [rows, graph.insertConstant([0, 3, 1, 2])],
                     node.output().type())
    node.output().replaceAllUsesWith(pooled)
    node.destroy()


def _max_along(graph, source, dim, window, sizes):
    """The max over windows along `dim` of `source` (NHWC, of `sizes`), in a new tensor."""
    kernel, stride, padding, length, count = window
    if stride == 1 and count == length and kernel == 2 * padding + 1:
        return _running_max(graph, source, dim, kernel, padding, sizes)
    out_sizes = list(sizes)
    out_sizes[dim] = count
    out = _empty(graph, out_sizes)
    # Output i reads inputs [i * stride - padding, + kernel), cut to [0, length).
    first = -(-padding // stride)
    last = min(count - 1, (length - kernel + padding) // stride)
    if last >= first:
        inner = last - first + 1
        span = _narrow(graph, source, dim, first * stride - padding, (inner - 1) * stride + kernel)
        windowed = _insert(graph, "aten::unfold", [span] + [graph.insertConstant(v) for v in
                                                            (dim, kernel, stride)],
                           torch._C.TensorType.get())
        _amax_into(graph, windowed, -1, False, _narrow(graph, out, dim, first, inner))
    for index in list(range(0, first)) + list(range(last + 1, count)):
        start, end = max(0, index * stride - padding), min(length, index * stride - padding +
                                                           kernel)
        _amax_into(graph, _narrow(graph, source, dim, start, end - start), dim, True,
                   _narrow(graph, out, dim, index, 1))
    return out


def _running_max(graph, source, dim, kernel, padding, sizes):
    """A stride-1 max over windows that keeps the length along `dim`: the maximum of `source`
    (of `sizes`) and its first shift, then with each other shift in place (a row's neighbours
    are contiguous runs of the same length); the rows the first shift does not reach are
    copied."""
    offsets = [offset for offset in range(-padding, kernel - padding) if offset != 0]
    length = sizes[dim]
    out = _empty(graph, sizes)
    for index, offset in enumerate(offsets):
        reach = length - abs(offset)
        into = _narrow(graph, out, dim, max(0, -offset), reach)
        shifted = _narrow(graph, source, dim, max(0, offset), reach)
        if index == 0:
            rest = (reach, length - reach) if offset > 0 else (0, -offset)
            _insert(graph, "aten::copy_", [_narrow(graph, out, dim, *rest),
                                           _narrow(graph, source, dim, *rest),
                                           graph.insertConstant(False)], torch._C.TensorType.get())
            _insert(graph, "aten::maximum", [_narrow(graph, source, dim, max(0, -offset), reach),
                                             shifted, into], torch._C.TensorType.get())
        else:
            _insert(graph, "aten::maximum", [into, shifted, into], torch._C.TensorType.get())
    return out


def _empty(graph, sizes):
    """A new float32 tensor of `sizes`, contiguous."""
    return _insert(graph, "aten::empty", [graph.insertConstant(list(sizes)),
                                          graph.insertConstant(6)]  # ScalarType Float
                   + [graph.insertConstant(None)] * 4, torch._C.TensorType.get())


def _narrow(graph, value, dim, start, length):
    return _insert(graph, "aten::narrow", [value] + [graph.insertConstant(v) for v in
                                                     (dim, start, length)],
                   torch._C.TensorType.get())


def _amax_into(graph, value, dim, keepdim, out):
    """aten::amax of `value` over `dim`, written into `out` (amax.out)."""
    _insert(graph, "aten::amax", [value, graph.insertConstant([dim]),
                                  graph.insertConstant(keepdim), out], torch._C.TensorType.get())
