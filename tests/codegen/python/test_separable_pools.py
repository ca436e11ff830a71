"""runtime/separable_pools.py: a max pooling of a large channels-last tensor becomes a max over
rows, then over columns, and computes exactly what the pooling did (padding, ceil mode, NaN and
infinities included); poolings it cannot take or would not speed up stay as traced."""
import pytest
import torch
import torch.nn.functional as F

from test_prepack import channels_last, kinds, runtime  # noqa: F401 (runtime: a fixture)


class Pool(torch.nn.Module):
    def __init__(self, kernel, stride, padding=0, dilation=1, ceil_mode=False):
        super().__init__()
        self.settings = (kernel, stride, padding, dilation, ceil_mode)

    def forward(self, x):
        # A reader after it, as in a program: the rewrite must hand it a channels-last tensor.
        return F.relu(F.max_pool2d(x, *self.settings))


def rewritten(runtime, module, x):
    """How many poolings the pass rewrote, the traced graph's node kinds after it, and the
    frozen module."""
    with torch.no_grad():
        traced = torch.jit.trace(module, (x,))
        count = runtime.separate_max_pools(traced.graph)
        return count, kinds(traced.graph), torch.jit.freeze(traced)


CASES = [  # channels, height, width, kernel, stride, padding, ceil mode
    (64, 112, 112, 3, 2, 0, True),   # GoogLeNet's first: ceil mode cuts the last window
    (96, 109, 109, 3, 2, 0, True),   # SqueezeNet's first: no window cut
    (192, 28, 28, 3, 1, 1, True),    # an Inception branch's: stride 1, padded
    (64, 147, 147, 3, 2, 0, False),  # Inception-v3's
    (128, 30, 40, 3, 2, 1, False),   # padded at stride 2, not square
    (128, 33, 31, (3, 5), (2, 1), (1, 2), True),  # a kernel of its own per axis
]


@pytest.mark.parametrize("channels,height,width,kernel,stride,padding,ceil_mode", CASES)
def test_a_large_pooling_becomes_row_and_column_passes_and_computes_the_same(
        runtime, channels, height, width, kernel, stride, padding, ceil_mode):
    module = Pool(kernel, stride, padding, ceil_mode=ceil_mode).eval()
    x = channels_last(1, channels, height, width)
    count, found, frozen = rewritten(runtime, module, x)
    assert count == 1 and "aten::max_pool2d" not in found
    with torch.no_grad():
        for _ in range(2):  # a second call must not see the first one's values
            x = channels_last(1, channels, height, width)
            expected, actual = module(x), frozen(x)
            assert torch.equal(expected, actual)
            assert actual.is_contiguous(memory_format=torch.channels_last)


def test_infinities_and_nan_come_out_as_pytorch_pools_them(runtime):
    module = Pool(3, 2, 1, ceil_mode=True).eval()
    x = channels_last(1, 64, 45, 45)
    count, _, frozen = rewritten(runtime, module, x)
    assert count == 1
    x[0, 3, 0, 0], x[0, 5, 10:13, 10:13] = float("nan"), float("-inf")
    x[0, 7, 44, 44], x[0, 9, 20, 21] = float("inf"), float("nan")
    with torch.no_grad():
        expected, actual = module(x), frozen(x)
    assert torch.equal(expected.isnan(), actual.isnan())
    assert torch.equal(expected.nan_to_num(0.5), actual.nan_to_num(0.5))


@pytest.mark.parametrize("why,module,shape,layout", [
    ("small: the native call is cheaper", Pool(3, 1, 1), (1, 832, 7, 7), "channels_last"),
    ("windows that do not overlap", Pool(2, 2), (1, 256, 56, 56), "channels_last"),
    ("dilated", Pool(3, 2, dilation=2), (1, 64, 112, 112), "channels_last"),
    ("contiguous (NCHW)", Pool(3, 2), (1, 64, 112, 112), "contiguous"),
])
def test_poolings_it_cannot_take_or_would_not_speed_up_stay(runtime, why, module, shape, layout):
    x = torch.randn(shape)
    if layout == "channels_last":
        x = x.contiguous(memory_format=torch.channels_last)
    count, found, frozen = rewritten(runtime, module.eval(), x)
    assert count == 0 and "aten::max_pool2d" in found, why
    with torch.no_grad():
        assert torch.equal(module(x), frozen(x))
