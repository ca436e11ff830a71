# --- prepack_products: matrix products on the prepacked convolutions' kernels ------------------

# A product of a batch-1 activation and a constant weight is a 1x1 convolution over the rows:
# the rows [..., M, K] read as a channels-last image of K channels, 1 high and M wide, a view of
# the same memory. oneDNN's convolution kernels (AVX-512 where the CPU has it) ran these up to
# twice as fast as PyTorch's BLAS on an AMD EPYC with AVX-512, bias Add fused (two threads, 128
# rows: 256 -> 1024 in 218 against 416 us, 256 -> 768 in 169 against 274). oneDNN's call costs
# some 25 us more, so small products stay (32x256 by 256x256: 35 against 32 us; 16 rows: 30
# against 21), and so does a single row, a matrix-vector product (2048 -> 1000, weights out of
# cache: 243 against 155 us, and codegen emits addmv for it anyway).
_MIN_ROWS = 2
_MIN_MULTIPLY_ADDS = 1 << 21

_BIAS_ADDS = ("aten::add", "aten::add_")


def _product_arguments(node):
    """(input, its sizes, its rows, weight [N, K], bias or None) of a traced aten::matmul by a
    constant float32 matrix [K, N] or an aten::linear with constant weight and bias, whose input
    is float32 of static sizes, of at least _MIN_ROWS rows and _MIN_MULTIPLY_ADDS; else None."""
    values = list(node.inputs())
    try:
        weight = _constant(values[1])
        bias = _constant(values[2]) if node.kind() == "aten::linear" else None
    except ValueError:
        return None
    source, sizes = values[0], _static_float_sizes(values[0])
    if not isinstance(weight, torch.Tensor) or weight.dim() != 2 or \
            weight.dtype != torch.float32 or sizes is None or len(sizes) < 2 or \
            (bias is not None and bias.dtype != torch.float32):
        return None
    if node.kind() == "aten::matmul":
        weight = weight.t().contiguous()
    rows = 1
    for size in sizes[:-1]:
        rows *= size
    if rows < _MIN_ROWS or rows * weight.numel() < _MIN_MULTIPLY_ADDS or \
            sizes[-1] != weight.shape[1]:
        return None
    return source, sizes, rows, weight, bias


def _bias_add(node, columns):
    """The Add that is `node`'s only reader and adds a constant float32 bias of `columns` values
    to it (alpha 1), and that bias; else (None, None)."""
    reader = _only_reader(node)
    if reader is None or reader.kind() not in _BIAS_ADDS:
        return None, None
    first, second, alpha = reader.inputs()
    other = second if first == node.output() else first
    if reader.kind() == "aten::add_" and other is first:
        return None, None  # it adds in place into the constant
    try:
        bias, alpha = _constant(other), _constant(alpha)
    except ValueError:
        return None, None
    if not isinstance(bias, torch.Tensor) or bias.dtype != torch.float32 or alpha != 1 or \
            bias.numel() != columns or bias.shape[-1] != columns:
        return None, None
    return reader, bias.reshape(columns)


def _pack_product(weight, bias, rows):
    """A context that runs a product by `weight` [N, K] (plus `bias` or None) on `rows` rows of
    K, read as a channels-last image 1 high and `rows` wide: the weight as a 1x1 convolution's."""
    columns, depth = weight.shape
    return convolution_ops().prepack(
        _channels_last(weight.reshape(columns, depth, 1, 1)), bias, [1, 1], [0, 0], [1, 1], 1,
        [1, depth, 1, rows], "none")


def _prepack_matrix_products(graph):
    """Rewrites each matrix product _product_arguments accepts as conv2d_run on its rows read as
    a channels-last image, fusing the bias, or a bias Add that is a bias-less product's only
    reader; returns how many."""
    rewritten = 0
    for node in [n for n in graph.nodes() if n.kind() in ("aten::matmul", "aten::linear")]:
        arguments = _product_arguments(node)
        if arguments is None:
            continue
        source, sizes, rows, weight, bias = arguments
        columns, depth = weight.shape
        last = node
        if bias is None:
            add, bias = _bias_add(node, columns)
            last = add or node
        context = _pack_product(weight, bias, rows)
        graph.setInsertPoint(node)
        tensor = torch._C.TensorType.get()
        as_rows = _insert(graph, "aten::reshape",
                          [source, graph.insertConstant([1, 1, rows, depth])], tensor)
        as_image = _insert(graph, "aten::permute",
                           [as_rows, graph.insertConstant([0, 3, 1, 2])], tensor)
        run = _insert(graph, convolution_ops().run_kind,
                      [as_image, graph.insertConstant(context)], tensor)
        back = _insert(graph, "aten::permute", [run, graph.insertConstant([0, 2, 3, 1])], tensor)
        result = _insert(graph, "aten::reshape",
                         [back, graph.insertConstant(list(sizes[:-1]) + [columns])],
                         last.output().type())
        _replace(last, node, result)
        rewritten += 1
    return rewritten
