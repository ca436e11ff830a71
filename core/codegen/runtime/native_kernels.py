# --- native_kernels: Ramiel's own operators (libramiel_kernels.so), when this device has them ---

# PyTorch 1.13 builds a convolution's oneDNN primitive descriptor again on every
# mkldnn_prepacked::conv2d_run (its context keeps only the packed weights), and pools with the
# index of every maximum. The operator library kernels/ builds (torch.ops.ramiel.*) keeps the
# primitive and pools without indices: on a 2-vCPU AMD EPYC, GoogLeNet's program ran 0.861x and
# SqueezeNet's 0.885x of its time on PyTorch's kernels (bench/ab_programs.py). The prepacked
# engine uses it where it is loaded; programs run the same without it, more slowly.
#
# Where it comes from: RAMIEL_KERNELS, the library's path ("off": none), or else
# libramiel_kernels.so beside this file. A path given but not loadable is an error; a library
# found beside this file but built for another torch is skipped with a warning.
NATIVE_KERNELS_FILE = "libramiel_kernels.so"


def _load_native_kernels():
    """The path of the operator library this process loaded, or None."""
    setting = os.environ.get("RAMIEL_KERNELS", "")
    if setting.lower() == "off":
        return None
    # Another program of this process loaded it already, maybe from its own directory: a second
    # copy would register the same operators again, which torch refuses.
    loaded = [path for path in torch.ops.loaded_libraries
              if os.path.basename(path) == NATIVE_KERNELS_FILE or path == setting]
    if loaded:
        return loaded[0]
    path = setting or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                   NATIVE_KERNELS_FILE)
    if not setting and not os.path.exists(path):
        return None
    try:
        torch.ops.load_library(path)
    except (OSError, RuntimeError) as error:
        if setting:
            raise ImportError("RAMIEL_KERNELS=%s cannot be loaded (%s); set RAMIEL_KERNELS=off to "
                              "run on PyTorch's kernels" % (setting, error)) from error
        warnings.warn("ramiel: %s not loaded, running on PyTorch's kernels: %s" % (path, error))
        return None
    return path


NATIVE_KERNELS = _load_native_kernels()


class ConvolutionOps:
    """The prepacked convolution operators a graph calls: prepack(weight, bias, stride, padding,
    dilation, groups, input size, activation) -> context, and run(input, context) by its name in
    a graph and as a Python callable."""

    def __init__(self, namespace):
        ops = getattr(torch.ops, namespace)
        self.prepack, self.run = ops.conv2d_prepack, ops.conv2d_run
        self.run_kind = namespace + "::conv2d_run"


def convolution_ops():
    """Ramiel's convolutions where the library is loaded, else PyTorch's mkldnn_prepacked."""
    return ConvolutionOps("ramiel" if NATIVE_KERNELS else "mkldnn_prepacked")


def pool_max_natively(graph):
    """Rewrites each max pooling of `graph` (a traced graph) whose input the trace saw as dense
    channels-last float32, undilated (channels_last_max_pool), as ramiel::max_pool2d; returns
    how many it rewrote. Only where the library is loaded (the prepacked engine runs
    separate_max_pools otherwise)."""
    pools = [(node, settings) for node, settings in
             ((n, channels_last_max_pool(n)) for n in graph.nodes()
              if n.kind() == "aten::max_pool2d") if settings is not None]
    for node, settings in pools:
        graph.setInsertPoint(node)
        pooled = _insert(graph, "ramiel::max_pool2d",
                         [next(node.inputs())] + [graph.insertConstant(v) for v in settings],
                         node.output().type())
        _replace(node, node, pooled)
    return len(pools)


def average_globally_natively(graph):
    """Rewrites each adaptive average pooling to 1x1 of `graph` (a traced graph) whose input the
    trace saw as a dense channels-last float32 tensor (_global_average_pool) as
    ramiel::global_avg_pool2d; returns how many it rewrote. Only where the library is loaded."""
    pools = [n for n in graph.nodes() if _global_average_pool(n)]
    for node in pools:
        graph.setInsertPoint(node)
        pooled = _insert(graph, "ramiel::global_avg_pool2d", [next(node.inputs())],
                         node.output().type())
        _replace(node, node, pooled)
    return len(pools)


def _global_average_pool(node):
    """Whether `node` is a traced aten::adaptive_avg_pool2d to 1x1 whose input the trace saw as
    a dense channels-last 4-D float32 tensor of static sizes."""
    if node.kind() != "aten::adaptive_avg_pool2d":
        return False
    try:
        output_size = _constant(list(node.inputs())[1])
    except ValueError:
        return False
    source = next(node.inputs())
    sizes = _static_float_sizes(source)
    return output_size in ([1, 1], 1) and sizes is not None and len(sizes) == 4 and \
        _dense_layout(source) == "channels_last"


def rewrite_pools(graph):
    """The prepacked engine's poolings: Ramiel's kernels where loaded, else separable passes
    over the large max poolings (separable_pools.py); returns how many it rewrote."""
    if not NATIVE_KERNELS:
        return separate_max_pools(graph)
    return pool_max_natively(graph) + average_globally_natively(graph)
