"""runtime/prepack.py: the prepacked engine's pass swaps each convolution of a traced graph for
oneDNN's prepacked one (weights packed once, a ReLU only it reads fused into it), and each large
enough product by a constant matrix for a 1x1 one over its rows (its bias fused), and computes
what they did; what it cannot take stays as traced."""
import os
import subprocess

import pytest
import torch
import torch.nn.functional as F

from conftest import PYTHON


@pytest.fixture(scope="module")
def runtime(compiled):
    module = compiled("branches").module.ramiel
    if module.prepacking_unavailable():
        pytest.skip(module.prepacking_unavailable())
    return module


def weight(*shape):
    return (torch.randn(*shape) * 0.1).contiguous(memory_format=torch.channels_last)


def channels_last(*shape):
    return torch.randn(*shape).contiguous(memory_format=torch.channels_last)


class Convolutions(torch.nn.Module):
    """A 3x3 convolution with its ReLU, a strided grouped one, a dilated one without bias whose
    output two nodes read (so its ReLU stays apart), the way the generated programs call them."""

    def __init__(self):
        super().__init__()
        self.w1, self.b1 = weight(8, 4, 3, 3), torch.randn(8)
        self.w2, self.b2 = weight(8, 4, 3, 3), torch.randn(8)
        self.w3 = weight(6, 8, 3, 3)

    def forward(self, x):
        a = F.relu(F.conv2d(x, self.w1, self.b1, padding=1), inplace=False)
        b = F.conv2d(a, self.w2, self.b2, stride=2, padding=1, groups=2)
        c = F.conv2d(b, self.w3, dilation=2, padding=2)
        return F.relu(c) + c


def kinds(graph):
    return [node.kind() for node in graph.nodes()]


def test_convolutions_run_prepacked_with_their_relus_and_compute_the_same(runtime):
    module = Convolutions().eval()
    x = channels_last(1, 4, 12, 12)
    with torch.no_grad():
        traced = torch.jit.trace(module, (x,))
        assert runtime.prepack_weights(traced.graph) == 3
        found = kinds(traced.graph)
        assert found.count(runtime.convolution_ops().run_kind) == 3
        assert "aten::_convolution" not in found and "aten::conv2d" not in found
        # The first ReLU is fused; the last convolution's is not: its output is read twice.
        assert found.count("aten::relu") == 1
        frozen = torch.jit.freeze(traced)
        for seed in (1, 2):  # other inputs than the trace's
            torch.manual_seed(seed)
            other = channels_last(1, 4, 12, 12)
            expected, actual = module(other), frozen(other)
            assert actual.shape == expected.shape
            assert torch.allclose(actual, expected, rtol=1e-4, atol=1e-5)


class Siblings(torch.nn.Module):
    """An Inception module's head: three 1x1 convolutions of one input, two with their ReLUs
    (one without bias) and one without, then a 3x3 on the same input and a 3x3 on a sibling's
    output."""

    def __init__(self):
        super().__init__()
        self.a, self.ab = weight(8, 16, 1, 1), torch.randn(8)
        self.b = weight(4, 16, 1, 1)
        self.c, self.cb = weight(6, 16, 1, 1), torch.randn(6)
        self.d, self.db = weight(5, 16, 3, 3), torch.randn(5)
        self.e, self.eb = weight(3, 4, 3, 3), torch.randn(3)

    def forward(self, x):
        a = F.relu(F.conv2d(x, self.a, self.ab))
        b = F.relu(F.conv2d(x, self.b))
        c = F.conv2d(x, self.c, self.cb)
        d = F.conv2d(x, self.d, self.db, padding=1)
        e = F.conv2d(b, self.e, self.eb, padding=1)
        f = F.conv2d(d[:, 1:5], self.e, padding=1)
        return torch.cat([a, c, d, e, f], dim=1)


def prepacked_siblings(runtime, monkeypatch, together):
    """A Siblings module, its trace after the pass (with stacking decided as `together` says,
    not by timing) and the kinds of its nodes."""
    monkeypatch.setattr(runtime, "_faster_together", lambda *args: together)
    module = Siblings().eval()
    with torch.no_grad():
        traced = torch.jit.trace(module, (channels_last(1, 16, 9, 9),))
        assert runtime.prepack_weights(traced.graph) == 6
    return module, traced, kinds(traced.graph)


def test_sibling_convolutions_run_as_one_and_compute_the_same(runtime, monkeypatch):
    """The two 1x1 convolutions with ReLUs become one oneDNN call whose output each reads its
    channels of (where that measures faster: here, always); the one without a ReLU and the 3x3
    ones run on their own; a convolution of a slice of channels reads a dense copy (conv2d_run
    would misread the view)."""
    module, traced, found = prepacked_siblings(runtime, monkeypatch, together=True)
    assert found.count(runtime.convolution_ops().run_kind) == 5
    # Dense copies of b's channels and of d[:, 1:5], which convolutions read; none of a's.
    assert found.count("aten::contiguous") == 2
    assert "aten::relu" not in found
    with torch.no_grad():
        frozen = torch.jit.freeze(traced)
        for seed in (1, 2):
            torch.manual_seed(seed)
            other = channels_last(1, 16, 9, 9)
            expected, actual = module(other), frozen(other)
            assert torch.allclose(actual, expected, rtol=1e-4, atol=1e-5)


def test_siblings_are_stacked_only_where_one_call_measures_faster(runtime, monkeypatch):
    """A stacked weight that oneDNN would reorder on every call, or that runs slower for any
    reason, loses the load-time race against its members' calls, and they stay apart."""
    pack = runtime.convolution_ops().prepack

    def context(out_channels, in_channels):
        return pack(weight(out_channels, in_channels, 1, 1), None, [1, 1], [0, 0], [1, 1], 1,
                    [1, in_channels, 28, 28], "none")

    small, large = context(8, 64), context(1024, 64)
    with torch.no_grad():
        assert runtime._faster_together([1, 64, 28, 28], small, [large, large])
        assert not runtime._faster_together([1, 64, 28, 28], large, [small, small])
    module, traced, found = prepacked_siblings(runtime, monkeypatch, together=False)
    assert found.count(runtime.convolution_ops().run_kind) == 6
    assert found.count("aten::contiguous") == 1  # d[:, 1:5] only
    contexts = [node.output().toIValue() for node in traced.graph.nodes()
                if node.kind() == "prim::Constant" and
                str(node.output().type()).endswith(("ConvOpContext", "ramiel.Conv2d"))]
    assert len(contexts) == 6
    if runtime.NATIVE_KERNELS is None:
        # PyTorch's context keeps the weight it packed: the module's own, never a copy (a copy
        # of every weight cost ResNet-50 90 MB more). Ramiel's keeps the packed weight only.
        packed = {context.__getstate__()[0][0].data_ptr() for context in contexts}
        assert packed == {w.data_ptr() for w in (module.a, module.b, module.c, module.d, module.e)}


def test_clusters_are_traced_at_the_threads_they_will_run_with(compiled, monkeypatch):
    """oneDNN packs a weight in the layout it picks for the thread count at packing time; packed
    at torch's default and run at the program's count, a weight may be reordered on every call.
    So load() traces each cluster at its run's count, and gives the calling thread its own
    back."""
    program = compiled("branches")
    ramiel = program.module.ramiel
    seen = []
    trace = ramiel._freeze_at_these_threads

    def spy(*args):
        seen.append(torch.get_num_threads())
        return trace(*args)

    monkeypatch.setattr(ramiel, "_freeze_at_these_threads", spy)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        with program.module.load(program.onnx, workers=1, threads=2, engine="prepacked"):
            assert seen == [2]
            assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


class Untouched(torch.nn.Module):
    """Convolutions the pass leaves alone: a computed weight, a 1-D and a transposed one."""

    def __init__(self):
        super().__init__()
        self.w = weight(4, 4, 3, 3)
        self.w1d = torch.randn(4, 4, 3)
        self.wt = torch.randn(4, 4, 2, 2)

    def forward(self, x, scale):
        y = F.conv2d(x, self.w * scale, padding=1)
        z = F.conv1d(y.flatten(2), self.w1d, padding=1).view_as(y)
        return F.conv_transpose2d(z, self.wt, stride=2)


def test_convolutions_it_cannot_prepack_stay_as_traced(runtime):
    x, scale = channels_last(1, 4, 6, 6), torch.tensor(2.0)
    with torch.no_grad():
        traced = torch.jit.trace(Untouched().eval(), (x, scale))
        before = kinds(traced.graph)
        assert runtime.prepack_weights(traced.graph) == 0
        assert kinds(traced.graph) == before


class Products(torch.nn.Module):
    """Matrix products the way the generated programs call them: MatMul then its bias Add in
    place, a Gemm (F.linear) on 2-D rows, and a product whose output two nodes read (so an Add
    after it stays apart)."""

    def __init__(self):
        super().__init__()
        self.w1, self.b1 = torch.randn(256, 512) * 0.05, torch.randn(512)
        self.w2, self.b2 = torch.randn(256, 512) * 0.05, torch.randn(256)
        self.w3, self.b3 = torch.randn(256, 512) * 0.05, torch.randn(512)

    def forward(self, x):
        a = torch.matmul(x, self.w1).add_(self.b1)  # [1, 32, 256] -> [1, 32, 512]
        b = F.linear(a.reshape(32, 512), self.w2, self.b2)
        c = torch.matmul(b, self.w3)
        return (c + self.b3) * c


def test_matrix_products_run_prepacked_with_their_biases_and_compute_the_same(runtime):
    module = Products().eval()
    with torch.no_grad():
        traced = torch.jit.trace(module, (torch.randn(1, 32, 256),))
        assert runtime.prepack_weights(traced.graph) == 3
        found = kinds(traced.graph)
        assert found.count(runtime.convolution_ops().run_kind) == 3
        assert "aten::matmul" not in found and "aten::linear" not in found
        # The first product's bias Add is fused; the last one's output is read twice.
        assert "aten::add_" not in found and found.count("aten::add") == 1
        frozen = torch.jit.freeze(traced)
        for seed in (1, 2):
            torch.manual_seed(seed)
            other = torch.randn(1, 32, 256)
            expected, actual = module(other), frozen(other)
            assert actual.shape == expected.shape
            assert torch.allclose(actual, expected, rtol=1e-4, atol=1e-4)


class SmallProducts(torch.nn.Module):
    """Products the pass leaves to BLAS: a single row (a matrix-vector product), one too small
    to pay for oneDNN's call, a product of two activations, and a double-precision one."""

    def __init__(self):
        super().__init__()
        self.w = torch.randn(256, 256)
        self.w64 = torch.randn(256, 256, dtype=torch.float64)

    def forward(self, x):
        row = torch.matmul(x[:1], self.w)
        small = torch.matmul(x[:16], self.w)
        both = torch.matmul(x, x.t())
        return row.sum() + small.sum() + both.sum() + torch.matmul(x.double(), self.w64).sum()


def test_products_it_leaves_to_blas_stay_as_traced(runtime):
    with torch.no_grad():
        traced = torch.jit.trace(SmallProducts().eval(), (torch.randn(64, 256),))
        before = kinds(traced.graph)
        assert runtime.prepack_weights(traced.graph) == 0
        assert kinds(traced.graph) == before


def test_a_program_run_prepacked_calls_the_prepacked_convolutions(compiled):
    program = compiled("branches")
    ramiel = program.module.ramiel
    constants = ramiel.Constants(ramiel.load_constants(program.module.MODEL, program.onnx))
    functions, engines = ramiel.cluster_functions(
        program.module.MODEL, constants, ["prepacked"] * len(program.module.CLUSTERS), [],
        serial=True)
    assert engines == {"serial": "prepacked"}
    found = kinds(functions["serial"]._module.graph)
    # Both convolutions, each with the ReLU after it.
    assert found.count(ramiel.convolution_ops().run_kind) == 2
    assert "aten::relu_" not in found and "aten::relu" not in found


# Runs a 1x1 and a 3x3 convolution prepacked, then marks where the steady state begins.
_STEADY_STATE = """
import importlib.util, os, sys, torch
import torch.nn.functional as F
spec = importlib.util.spec_from_file_location("program", %r)
program = importlib.util.module_from_spec(spec)
spec.loader.exec_module(program)

class Pair(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w1 = torch.randn(32, 64, 1, 1).contiguous(memory_format=torch.channels_last)
        self.w3 = torch.randn(16, 32, 3, 3).contiguous(memory_format=torch.channels_last)

    def forward(self, x):
        return F.conv2d(F.relu(F.conv2d(x, self.w1)), self.w3, padding=1)

x = torch.randn(1, 64, 14, 14).contiguous(memory_format=torch.channels_last)
with torch.no_grad():
    traced = torch.jit.trace(Pair().eval(), (x,))
    assert program.ramiel.prepack_weights(traced.graph) == 2
    frozen = torch.jit.freeze(traced)
    for _ in range(3):
        frozen(x)
    sys.stdout.flush()
    os.write(1, b"STEADY\\n")
    for _ in range(3):
        frozen(x)
"""


def test_prepacked_convolutions_never_reorder_their_weights_again(runtime, compiled):
    """What the engine is for: after the first calls, oneDNN runs the convolutions alone, no
    weight reorder, the 1x1 one too (its weight is contiguous and channels-last at once, which
    PyTorch reads as contiguous unless packed with channels-last's own strides)."""
    program = compiled("branches")
    result = subprocess.run([PYTHON, "-c", _STEADY_STATE % program.path], capture_output=True,
                            text=True, timeout=180, env=dict(os.environ, DNNL_VERBOSE="1"))
    assert result.returncode == 0, result.stderr
    steady = result.stdout.split("STEADY\n", 1)[1].splitlines()
    primitives = [line.split(",")[3] for line in steady if line.startswith("onednn_verbose,exec")]
    assert primitives == ["convolution"] * 6, steady
