"""kernels/ and runtime/native_kernels.py: Ramiel's own convolution (its oneDNN primitive built
once), product of two activations, max pooling and global average pooling compute what
PyTorch's do, refuse what they were not packed for, run from several threads at once, and a
program runs the same with them as without them."""
import os
import subprocess
import threading

import pytest
import torch
import torch.nn.functional as F

from conftest import PYTHON
from test_prepack import channels_last, kinds, runtime  # noqa: F401 (runtime: a fixture)


@pytest.fixture(scope="module")
def native(runtime):  # noqa: F811 (the fixture imported above)
    if runtime.NATIVE_KERNELS is None:
        pytest.skip("libramiel_kernels.so is not built here (RAMIEL_KERNELS=off)")
    return runtime


CONVOLUTIONS = [  # in, out, kernel, stride, padding, dilation, groups, bias, activation, size
    (3, 96, 7, 2, 0, 1, 1, True, "relu", 57),   # SqueezeNet's stem
    (16, 64, 3, 1, 1, 1, 1, True, "relu", 13),
    (96, 16, 1, 1, 0, 1, 1, False, "none", 14),
    (12, 20, 3, 2, 1, 1, 4, True, "none", 15),  # grouped, strided
    (32, 32, 3, 1, 2, 2, 32, True, "relu", 11),  # depthwise, dilated
    (8, 24, (1, 7), 1, (0, 3), 1, 1, True, "relu", 17),  # Inception-v3's 1x7
]


@pytest.mark.parametrize(
    "c_in,c_out,kernel,stride,padding,dilation,groups,with_bias,activation,size", CONVOLUTIONS)
def test_a_packed_convolution_computes_what_conv2d_does(
        native, c_in, c_out, kernel, stride, padding, dilation, groups, with_bias, activation,
        size):
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    pair = (lambda v: [v, v] if isinstance(v, int) else list(v))
    weight = torch.randn(c_out, c_in // groups, kh, kw) * 0.1
    bias = torch.randn(c_out) if with_bias else None
    context = torch.ops.ramiel.conv2d_prepack(weight, bias, pair(stride), pair(padding),
                                              pair(dilation), groups, [1, c_in, size, size],
                                              activation)
    for seed in (1, 2):  # a second call must not see the first one's values
        torch.manual_seed(seed)
        x = channels_last(1, c_in, size, size)
        expected = F.conv2d(x, weight, bias, stride, padding, dilation, groups)
        if activation == "relu":
            expected = F.relu(expected)
        actual = torch.ops.ramiel.conv2d_run(x, context)
        assert actual.shape == expected.shape
        assert actual.is_contiguous(memory_format=torch.channels_last)
        assert torch.allclose(actual, expected, rtol=1e-4, atol=1e-4)
    # A plain (NCHW) input of the packed size is read as it is, not misread.
    assert torch.allclose(torch.ops.ramiel.conv2d_run(x.contiguous(), context), actual)


def test_a_packed_convolution_refuses_what_it_was_not_packed_for(native):
    weight = torch.randn(8, 4, 3, 3)
    context = torch.ops.ramiel.conv2d_prepack(weight, None, [1, 1], [1, 1], [1, 1], 1,
                                              [1, 4, 10, 10], "none")
    with pytest.raises(RuntimeError, match="packed for float32"):
        torch.ops.ramiel.conv2d_run(channels_last(1, 4, 12, 12), context)
    with pytest.raises(RuntimeError, match="packed for float32"):
        torch.ops.ramiel.conv2d_run(channels_last(1, 4, 10, 10).double(), context)
    with pytest.raises(RuntimeError, match="activation must be"):
        torch.ops.ramiel.conv2d_prepack(weight, None, [1, 1], [1, 1], [1, 1], 1, [1, 4, 10, 10],
                                        "gelu")
    with pytest.raises(RuntimeError, match="input channels"):
        torch.ops.ramiel.conv2d_prepack(weight, None, [1, 1], [1, 1], [1, 1], 1, [1, 6, 10, 10],
                                        "none")
    with pytest.raises(RuntimeError, match="does not fit"):
        torch.ops.ramiel.conv2d_prepack(weight, None, [1, 1], [0, 0], [1, 1], 1, [1, 4, 2, 2],
                                        "none")


POOLS = [  # channels, height, width, kernel, stride, padding, ceil mode
    (64, 112, 112, 3, 2, 0, True),   # GoogLeNet's first: ceil mode cuts the last window
    (96, 109, 109, 3, 2, 0, True),   # SqueezeNet's first: no window cut
    (192, 28, 28, 3, 1, 1, True),    # an Inception branch's
    (64, 112, 112, 3, 2, 1, False),  # ResNet's
    (832, 14, 14, 2, 2, 0, True),    # windows that do not overlap
    (20, 33, 31, (3, 5), (2, 1), (1, 2), True),  # per axis; 20 channels: a partial vector
    (3, 9, 9, 3, 3, 0, False),
]


@pytest.mark.parametrize("channels,height,width,kernel,stride,padding,ceil_mode", POOLS)
def test_max_pooling_computes_what_pytorch_pools_nan_and_infinities_included(
        native, channels, height, width, kernel, stride, padding, ceil_mode):
    pair = (lambda v: [v, v] if isinstance(v, int) else list(v))
    x = channels_last(1, channels, height, width)
    x[0, 0, 0, 0], x[0, channels - 1, 2:5, 1:4] = float("nan"), float("-inf")
    x[0, channels // 2, :, :] = float("-inf")
    expected = F.max_pool2d(x, kernel, stride, padding, 1, ceil_mode)
    actual = torch.ops.ramiel.max_pool2d(x, pair(kernel), pair(stride), pair(padding), ceil_mode)
    assert actual.shape == expected.shape
    assert actual.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(actual.isnan(), expected.isnan())
    assert torch.equal(actual.nan_to_num(0.5), expected.nan_to_num(0.5))
    # A plain input is pooled the same.
    plain = torch.ops.ramiel.max_pool2d(x.contiguous(), pair(kernel), pair(stride), pair(padding),
                                        ceil_mode)
    assert torch.equal(plain.nan_to_num(0.5), expected.nan_to_num(0.5))


def test_the_portable_pooling_loops_compute_the_same(native):
    """The loops that CPUs without AVX-512 run (RAMIEL_KERNELS_PORTABLE forces it here)."""
    script = (
        "import sys, torch, torch.nn.functional as F\n"
        "torch.ops.load_library(sys.argv[1])\n"
        "torch.manual_seed(0)\n"
        "x = torch.randn(1, 20, 33, 31).contiguous(memory_format=torch.channels_last)\n"
        "x[0, 3, 0, 0] = float('nan')\n"
        "for k, s, p, c in ((3, 2, 0, True), (3, 1, 1, False), (2, 2, 0, True)):\n"
        "    e = F.max_pool2d(x, k, s, p, 1, c)\n"
        "    a = torch.ops.ramiel.max_pool2d(x, [k, k], [s, s], [p, p], c)\n"
        "    assert torch.equal(a.nan_to_num(0.5), e.nan_to_num(0.5)), (k, s, p, c)\n"
        "    assert torch.equal(a.isnan(), e.isnan())\n"
        "for shape in ((1, 20, 5, 3), (2, 130, 7, 7)):\n"
        "    x = torch.randn(*shape).contiguous(memory_format=torch.channels_last)\n"
        "    e, a = F.adaptive_avg_pool2d(x, 1), torch.ops.ramiel.global_avg_pool2d(x)\n"
        "    assert torch.allclose(a, e, rtol=1e-5, atol=1e-6), shape\n")
    result = subprocess.run([PYTHON, "-c", script, native.NATIVE_KERNELS], capture_output=True,
                            text=True, env=dict(os.environ, RAMIEL_KERNELS_PORTABLE="1"))
    assert result.returncode == 0, result.stderr


def test_max_pooling_refuses_what_pytorch_refuses(native):
    x = channels_last(1, 4, 8, 8)
    with pytest.raises(RuntimeError, match="at most half the kernel"):
        torch.ops.ramiel.max_pool2d(x, [2, 2], [2, 2], [2, 2], False)
    with pytest.raises(RuntimeError, match="does not fit"):
        torch.ops.ramiel.max_pool2d(channels_last(1, 4, 2, 2), [3, 3], [1, 1], [0, 0], False)
    with pytest.raises(RuntimeError, match="float32"):
        torch.ops.ramiel.max_pool2d(x.double(), [2, 2], [2, 2], [0, 0], False)


def attention_operands(seq=128, heads=4, width=64):
    """Q [1, heads, seq, width], K^T [1, heads, width, seq] and V [1, heads, seq, width]: views
    of one QKV projection, as a Transformer's attention reads them."""
    qkv = torch.randn(1, seq, 3 * heads * width)
    q, k, v = (t.reshape(1, seq, heads, width) for t in qkv.split(heads * width, dim=-1))
    return q.permute(0, 2, 1, 3), k.permute(0, 2, 3, 1), v.permute(0, 2, 1, 3)


def pack_product(a, b, order=None, scale=1.0):
    return torch.ops.ramiel.matmul_prepack(list(a.shape), list(a.stride()), list(b.shape),
                                           list(b.stride()), order or list(range(a.dim())),
                                           scale)


def test_a_packed_product_computes_what_matmul_does_in_the_layout_asked(native):
    q, kt, v = attention_operands()
    scores = pack_product(q, kt, scale=0.125)
    assert not scores.implementation().startswith("ref")
    for seed in (1, 2):  # a second call must not see the first one's values
        torch.manual_seed(seed)
        q, kt, v = attention_operands()
        expected = torch.matmul(q, kt) / 8
        actual = torch.ops.ramiel.matmul_run(q, kt, scores)
        assert actual.shape == expected.shape and actual.is_contiguous()
        assert torch.allclose(actual, expected, rtol=1e-5, atol=1e-5)
    # Written so that the permute after it is dense: its reshape is a view.
    weights = torch.softmax(expected, dim=-1)
    context = pack_product(weights, v, order=[0, 2, 1, 3])
    actual = torch.ops.ramiel.matmul_run(weights, v, context)
    assert actual.permute(0, 2, 1, 3).is_contiguous()
    assert torch.allclose(actual, torch.matmul(weights, v), rtol=1e-5, atol=1e-5)
    # Two plain matrices, and a batch whose second operand is transposed.
    for a, b in ((torch.randn(96, 40), torch.randn(40, 72)),
                 (torch.randn(3, 50, 20), torch.randn(3, 30, 20).transpose(1, 2))):
        product = torch.ops.ramiel.matmul_run(a, b, pack_product(a, b, scale=-2.0))
        assert torch.allclose(product, torch.matmul(a, b) * -2, rtol=1e-5, atol=1e-4)


def test_a_packed_product_multiplies_other_layouts_through_pytorch(native):
    """Operands of other strides or sizes than those packed for: the same values, by PyTorch."""
    q, kt, _ = attention_operands()
    scores = pack_product(q, kt, scale=0.125)
    expected = torch.matmul(q, kt) * 0.125
    for a, b in ((q.contiguous(), kt), (q, kt.contiguous()), (q.double(), kt.double())):
        actual = torch.ops.ramiel.matmul_run(a, b, scores)
        assert torch.allclose(actual.float(), expected, rtol=1e-5, atol=1e-5)
    smaller = attention_operands(seq=64)
    actual = torch.ops.ramiel.matmul_run(smaller[0], smaller[1], scores)
    assert torch.allclose(actual, torch.matmul(smaller[0], smaller[1]) * 0.125)


def test_a_product_refuses_to_pack_what_it_cannot_multiply(native):
    a, b = torch.randn(2, 8, 4), torch.randn(2, 4, 6)
    with pytest.raises(RuntimeError, match="cannot multiply"):
        pack_product(a, torch.randn(2, 5, 6))
    with pytest.raises(RuntimeError, match="batch sizes must be equal"):
        pack_product(a, torch.randn(3, 4, 6))
    with pytest.raises(RuntimeError, match="one rank"):
        pack_product(a, torch.randn(4, 6))
    with pytest.raises(RuntimeError, match="permutation"):
        pack_product(a, b, order=[0, 1, 1])


class Attention(torch.nn.Module):
    """Attention's two products as the generated programs write them, and a product too small
    to take."""

    def forward(self, q, kt, v, small):
        weights = F.softmax(torch.matmul(q, kt).div_(8.0), dim=-1)
        context = torch.matmul(weights, v).permute(0, 2, 1, 3).reshape(1, 128, 256)
        return context, torch.matmul(small, small)


def test_attention_products_run_ramiels_operator_scale_and_permute_folded(native):
    module = Attention().eval()
    example = list(attention_operands()) + [torch.randn(8, 8)]
    with torch.no_grad():
        traced = torch.jit.trace(module, tuple(example))
        assert native.multiply_activations_natively(traced.graph) == 2
        found = kinds(traced.graph)
        assert found.count("ramiel::matmul_run") == 2 and found.count("aten::matmul") == 1
        assert "aten::div_" not in found
        frozen = torch.jit.freeze(traced)
        inputs = [list(attention_operands()) + [torch.randn(8, 8)] for _ in range(4)]
        wanted = [module(*i) for i in inputs]
        got = [None] * 4

        def call(index):  # one packed primitive, four threads calling it at once
            for _ in range(10):
                got[index] = frozen(*inputs[index])

        threads = [threading.Thread(target=call, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for outputs, expected in zip(got, wanted):
            for actual, want in zip(outputs, expected):
                assert torch.allclose(actual, want, rtol=1e-5, atol=1e-5)


GLOBAL_POOLS = [  # batch, channels, height, width
    (1, 1000, 13, 13),  # SqueezeNet's
    (1, 1024, 7, 7),    # DenseNet-121's
    (1, 2048, 8, 8),    # Inception-v3's
    (2, 20, 5, 3),      # two images; 20 channels: a partial block and a partial vector
    (1, 70, 1, 1),      # one pixel
]


@pytest.mark.parametrize("batch,channels,height,width", GLOBAL_POOLS)
def test_global_average_pooling_computes_what_pytorch_does(native, batch, channels, height,
                                                           width):
    x = channels_last(batch, channels, height, width)
    x[0, 0, 0, 0], x[batch - 1, channels - 1, 0, 0] = float("nan"), float("inf")
    expected = F.adaptive_avg_pool2d(x, 1)
    for source in (x, x.contiguous()):  # a plain input is pooled the same
        actual = torch.ops.ramiel.global_avg_pool2d(source)
        assert actual.shape == expected.shape
        assert actual.is_contiguous(memory_format=torch.channels_last)
        assert torch.equal(actual.isnan(), expected.isnan())
        assert torch.equal(actual.isinf(), expected.isinf())
        # Another summation order than PyTorch's: equal within float32 rounding.
        assert torch.allclose(actual, expected, rtol=1e-5, atol=1e-6, equal_nan=True)


def test_global_average_pooling_refuses_what_it_cannot_pool(native):
    with pytest.raises(RuntimeError, match="4-D float32"):
        torch.ops.ramiel.global_avg_pool2d(channels_last(1, 4, 3, 3).double())
    with pytest.raises(RuntimeError, match="4-D float32"):
        torch.ops.ramiel.global_avg_pool2d(torch.randn(4, 3, 3))
    with pytest.raises(RuntimeError, match="no pixels"):
        torch.ops.ramiel.global_avg_pool2d(torch.randn(1, 4, 0, 3))


class ConvPool(torch.nn.Module):
    """A stem as the reference models have it: convolution, ReLU, max pooling, then a 1x1."""

    def __init__(self):
        super().__init__()
        self.w1, self.b1 = torch.randn(16, 3, 3, 3) * 0.2, torch.randn(16)
        self.w2 = torch.randn(8, 16, 1, 1) * 0.2

    def forward(self, x):
        y = F.max_pool2d(F.relu(F.conv2d(x, self.w1, self.b1, stride=2)), 3, 2, ceil_mode=True)
        return F.conv2d(y, self.w2)


def test_the_prepacked_engine_runs_ramiels_operators_and_computes_the_same(native):
    module = ConvPool().eval()
    x = channels_last(1, 3, 64, 64)
    with torch.no_grad():
        traced = torch.jit.trace(module, (x,))
        assert native.rewrite_pools(traced.graph) == 1
        assert native.prepack_weights(traced.graph) == 2
        found = kinds(traced.graph)
        assert found.count("ramiel::conv2d_run") == 2 and "ramiel::max_pool2d" in found
        assert "aten::max_pool2d" not in found and "mkldnn_prepacked::conv2d_run" not in found
        frozen = torch.jit.freeze(traced)
        x = channels_last(1, 3, 64, 64)
        expected = module(x)
        assert torch.allclose(frozen(x), expected, rtol=1e-4, atol=1e-5)

        # One packed primitive, four threads calling it at once: each gets its own answer.
        inputs = [channels_last(1, 3, 64, 64) for _ in range(4)]
        wanted = [module(i) for i in inputs]
        got = [None] * 4

        def call(index):
            for _ in range(20):
                got[index] = frozen(inputs[index])

        threads = [threading.Thread(target=call, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(torch.allclose(g, w, rtol=1e-4, atol=1e-5) for g, w in zip(got, wanted))


def test_poolings_the_kernel_cannot_take_stay_as_traced(native):
    """An unbatched (3-D) pooling and a dilated one are left to PyTorch, and the pass goes on."""
    class Pools(torch.nn.Module):
        def forward(self, x):
            return (F.max_pool2d(x[0], 3, 2), F.max_pool2d(x, 3, 1, dilation=2),
                    F.max_pool2d(x, 3, 2))

    with torch.no_grad():
        traced = torch.jit.trace(Pools().eval(), (channels_last(1, 8, 16, 16),))
        assert native.pool_max_natively(traced.graph) == 1
        assert kinds(traced.graph).count("aten::max_pool2d") == 2


def test_global_average_poolings_of_channels_last_tensors_run_ramiels_operator(native):
    """Pooled to 1x1 from a channels-last tensor: Ramiel's operator; from a plain one (PyTorch's
    mean is a contiguous reduction there) or to another size: left as traced."""
    class Pools(torch.nn.Module):
        def forward(self, x):
            return (F.adaptive_avg_pool2d(x, 1), F.adaptive_avg_pool2d(x.contiguous(), 1),
                    F.adaptive_avg_pool2d(x, 2))

    module = Pools().eval()
    with torch.no_grad():
        traced = torch.jit.trace(module, (channels_last(1, 24, 9, 9),))
        assert native.rewrite_pools(traced.graph) == 1
        found = kinds(traced.graph)
        assert found.count("ramiel::global_avg_pool2d") == 1
        assert found.count("aten::adaptive_avg_pool2d") == 2
        frozen = torch.jit.freeze(traced)
        x = channels_last(1, 24, 9, 9)
        for actual, expected in zip(frozen(x), module(x)):
            assert torch.allclose(actual, expected, rtol=1e-5, atol=1e-6)


def run_program(compiled_program, kernels):
    """The program's outputs for a fixed input, run in a fresh process with RAMIEL_KERNELS set
    to `kernels`; (outputs, what it loaded)."""
    script = (
        "import importlib.util, sys, torch\n"
        "spec = importlib.util.spec_from_file_location('p', sys.argv[1])\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "torch.manual_seed(0)\n"
        "inputs = [torch.randn(*i[3]) for i in m.INPUTS]\n"
        "with m.load(sys.argv[2], engine='prepacked') as program:\n"
        "    outputs = program(*inputs)\n"
        "torch.save([o for o in outputs], sys.argv[3])\n"
        "print(m.ramiel.NATIVE_KERNELS)\n")
    out = compiled_program.path + ".%s.pt" % ("native" if kernels != "off" else "pytorch")
    environment = dict(os.environ, RAMIEL_KERNELS=kernels)
    result = subprocess.run([PYTHON, "-c", script, compiled_program.path, compiled_program.onnx,
                             out], capture_output=True, text=True, env=environment)
    assert result.returncode == 0, result.stderr
    return torch.load(out), result.stdout.strip()


def test_a_program_computes_the_same_with_and_without_the_library(native, compiled):
    program = compiled("layout")
    with_library, loaded = run_program(program, native.NATIVE_KERNELS)
    without, none = run_program(program, "off")
    assert loaded == native.NATIVE_KERNELS and none == "None"
    assert len(with_library) == len(without)
    for a, b in zip(with_library, without):
        assert torch.allclose(a, b, rtol=1e-4, atol=1e-5)


def test_two_programs_with_the_library_beside_each_share_one_copy(native, compiled, tmp_path):
    """Two program directories, each with its own copy of the library, in one process (as
    bench/ab_programs.py runs them): the second uses the operators the first loaded."""
    import shutil
    program = compiled("layout")
    paths = []
    for name in ("a", "b"):
        directory = tmp_path / name
        shutil.copytree(os.path.dirname(program.path), directory)
        shutil.copy(native.NATIVE_KERNELS, directory / "libramiel_kernels.so")
        paths.append(str(directory / "model.py"))
    script = (
        "import importlib.util, sys, warnings\n"
        "warnings.simplefilter('error')\n"
        "for i, path in enumerate(sys.argv[1:]):\n"
        "    spec = importlib.util.spec_from_file_location('p%d' % i, path)\n"
        "    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "    print(m.ramiel.NATIVE_KERNELS)\n")
    environment = {k: v for k, v in os.environ.items() if k != "RAMIEL_KERNELS"}
    result = subprocess.run([PYTHON, "-c", script] + paths, capture_output=True, text=True,
                            env=environment)
    assert result.returncode == 0, result.stderr
    first = str(tmp_path / "a" / "libramiel_kernels.so")
    assert result.stdout.split() == [first, first]


def test_a_library_named_but_not_loadable_is_an_error_that_says_how_to_go_on(native, compiled,
                                                                             tmp_path):
    bogus = tmp_path / "libramiel_kernels.so"
    bogus.write_text("not a shared library")
    result = subprocess.run(
        [PYTHON, "-c", "import importlib.util, sys\n"
         "spec = importlib.util.spec_from_file_location('p', sys.argv[1])\n"
         "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n",
         compiled("layout").path],
        capture_output=True, text=True, env=dict(os.environ, RAMIEL_KERNELS=str(bogus)))
    assert result.returncode != 0
    assert "RAMIEL_KERNELS=%s cannot be loaded" % bogus in result.stderr
    assert "RAMIEL_KERNELS=off" in result.stderr
