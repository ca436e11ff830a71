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
        assert found.count("mkldnn_prepacked::conv2d_run") == 3
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
        assert found.count("mkldnn_prepacked::conv2d_run") == 3
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
    assert found.count("mkldnn_prepacked::conv2d_run") == 2
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
