# --- native_products: products of two activations on Ramiel's oneDNN matmul ---------------------

# A Transformer's attention multiplies activations: Q by K^T, then the softmax by V, every head
# a strided view of one QKV projection. PyTorch 1.13 runs these through its BLAS head by head:
# 4 heads of 128x64 by 64x128 took 66-120 us at two threads on a 2-vCPU AMD EPYC, against 46 us
# for ramiel::matmul_run with its call (26 us in oneDNN), a primitive built for the strides the
# trace saw. It also folds a constant division or multiplication that only it feeds (attention's
# scale) into the product, and writes its output in the order a permute after it reads, so that
# the reshape after that permute is a view, not a copy. Small products stay with PyTorch: the
# call costs some 20 us more.
_MIN_ACTIVATION_MULTIPLY_ADDS = 1 << 20

_SCALINGS = {"aten::div": lambda v: 1.0 / v, "aten::div_": lambda v: 1.0 / v,
             "aten::mul": lambda v: v, "aten::mul_": lambda v: v}


def multiply_activations_natively(graph):
    """Rewrites each aten::matmul of two computed float32 tensors (_activation_operands) of
    `graph` (a traced graph) as ramiel::matmul_run, with the scale and output order above;
    returns how many it rewrote. Only where the library is loaded."""
    if not NATIVE_KERNELS:
        return 0
    rewritten = 0
    for node in [n for n in graph.nodes() if n.kind() == "aten::matmul"]:
        operands = _activation_operands(node)
        if operands is None:
            continue
        last, scale = _folded_scale(node)
        order = _order_read(last.output(), len(operands[0][0]))
        (a_sizes, a_strides), (b_sizes, b_strides) = operands
        product = pack_activation_product(a_sizes, a_strides, b_sizes, b_strides, order, scale)
        if product is None:
            continue
        graph.setInsertPoint(node)
        a, b = node.inputs()
        run = _insert(graph, "ramiel::matmul_run", [a, b, graph.insertConstant(product)],
                      torch._C.TensorType.get())
        _replace(last, node, run)
        rewritten += 1
    return rewritten


def pack_activation_product(a_sizes, a_strides, b_sizes, b_strides, order, scale):
    """A ramiel.MatMul for these operands, or None where oneDNN would not run it on its jit
    gemm: its reference loops are slower than PyTorch's BLAS, and so was its brgemm (what it
    picks for dense operands), in a PyTorch process: 4 heads of 128x64 by 64x128 at two threads
    took 117-315 us there, against 20 us in a C++ program of its own (not understood)."""
    product = torch.ops.ramiel.matmul_prepack(a_sizes, a_strides, b_sizes, b_strides, order,
                                              scale)
    return product if product.implementation().startswith("gemm") else None


def _activation_operands(node):
    """((sizes, strides) of a, (sizes, strides) of b) for a traced aten::matmul(a, b) of two
    computed float32 tensors the trace saw in full, of one rank (2 or more) and equal batch
    sizes, with at least _MIN_ACTIVATION_MULTIPLY_ADDS; else None."""
    operands = []
    for value in node.inputs():
        sizes = _static_float_sizes(value)
        strides = value.type().strides() if sizes is not None else None
        if value.node().kind() == "prim::Constant" or strides is None or None in strides:
            return None
        operands.append((list(sizes), list(strides)))
    (a, _), (b, _) = operands
    if len(a) < 2 or len(a) != len(b) or a[:-2] != b[:-2] or a[-1] != b[-2]:
        return None
    multiply_adds = b[-1]
    for size in a:
        multiply_adds *= size
    return operands if multiply_adds >= _MIN_ACTIVATION_MULTIPLY_ADDS else None


def _folded_scale(node):
    """(the node whose output the product replaces, the scale folded into it): the division or
    multiplication by a constant number that is `node`'s only reader, or (node, 1.0)."""
    reader = _only_reader(node)
    inputs = list(reader.inputs()) if reader is not None else []
    if reader is None or reader.kind() not in _SCALINGS or len(inputs) != 2 or \
            inputs[0] != node.output():
        return node, 1.0
    try:
        value = _constant(inputs[1])
    except ValueError:
        return node, 1.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value == 0:
        return node, 1.0
    return reader, float(_SCALINGS[reader.kind()](value))


def _order_read(value, rank):
    """The dims of `value` outermost first as its only reader, a permute, orders them (so that
    the permuted view is dense), or in their own order."""
    readers = value.uses()
    if len(readers) == 1 and readers[0].user.kind() == "aten::permute":
        try:
            dims = _constant(list(readers[0].user.inputs())[1])
        except ValueError:
            dims = None
        if isinstance(dims, list) and sorted(d % rank for d in dims) == list(range(rank)):
            return [d % rank for d in dims]
    return list(range(rank))
