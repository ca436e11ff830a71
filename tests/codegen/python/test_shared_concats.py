"""runtime/shared_concats.py: a chain of Concats each of which begins with all of the previous
one's inputs (a DenseNet block) becomes views of one tensor that each input is copied into once,
and computes what the Concats did; chains it cannot share stay as traced."""
import pytest
import torch
import torch.nn.functional as F

from test_prepack import channels_last, kinds, runtime, weight  # noqa: F401 (runtime: a fixture)


class DenseBlock(torch.nn.Module):
    """Three DenseNet layers (each: Concat of every map before it, batch norm, ReLU, 1x1 and 3x3
    convolutions) and the block's Concat; a 1x1 convolution also reads the second layer's
    Concat directly, and another the block's, the way a transition does."""

    def __init__(self, channels=6, growth=4, layers=3):
        super().__init__()
        self.layers = []
        for index in range(layers):
            width = channels + index * growth
            self.layers.append((torch.rand(width) + 0.5, torch.randn(width), torch.randn(width),
                                torch.rand(width) + 0.5, weight(8, width, 1, 1),
                                weight(growth, 8, 3, 3)))
        self.side = weight(3, channels + growth, 1, 1)
        self.transition = weight(5, channels + layers * growth, 1, 1)

    def forward(self, x):
        features, side = [x], None
        for mean_scale, mean, bias, scale, squeeze, grow in self.layers:
            joined = torch.cat(features, 1)
            if len(features) == 2:
                side = F.conv2d(joined, self.side)
            normed = F.batch_norm(joined, mean, mean_scale, scale, bias)
            hidden = F.relu(F.conv2d(F.relu(normed), squeeze))
            features.append(F.conv2d(hidden, grow, padding=1))
        return F.conv2d(torch.cat(features, 1), self.transition), side


def traced_and_frozen(runtime, module, x, expected_shared):
    with torch.no_grad():
        traced = torch.jit.trace(module, (x,))
        assert runtime.share_concat_buffers(traced.graph) == expected_shared
        found = kinds(traced.graph)
        runtime.prepack_weights(traced.graph)
        return found, torch.jit.freeze(traced)


def test_a_dense_block_copies_each_map_once_and_computes_the_same(runtime):
    module = DenseBlock().eval()
    found, frozen = traced_and_frozen(runtime, module, channels_last(1, 6, 9, 9), 4)
    assert "aten::cat" not in found
    # The block's input and each layer's new maps, each copied into the block's tensor once.
    assert found.count("aten::copy_") == 4 and found.count("aten::empty") == 1
    with torch.no_grad():
        for _ in range(2):  # a second call must not see the first one's values
            x = channels_last(1, 6, 9, 9)
            for expected, actual in zip(module(x), frozen(x)):
                assert (expected - actual).abs().max().item() < 1e-4


def test_concats_of_contiguous_maps_share_a_contiguous_tensor(runtime):
    module = DenseBlock().eval()
    found, frozen = traced_and_frozen(runtime, module, torch.randn(1, 6, 7, 7), 4)
    assert "aten::cat" not in found
    with torch.no_grad():
        x = torch.randn(1, 6, 7, 7)
        for expected, actual in zip(module(x), frozen(x)):
            assert (expected - actual).abs().max().item() < 1e-4


class ChainOfChains(torch.nn.Module):
    """A chain whose Concats begin with another chain's last Concat (one tensor of its own
    becomes an input of the next)."""

    def forward(self, a, b, c, d, e):
        first = torch.cat([a, b], 1)
        whole = torch.cat([a, b, c], 1)
        second = torch.cat([whole, d], 1)
        return first * 2, second + 1, torch.cat([whole, d, e], 1) * 3


def test_a_chain_may_begin_with_another_chains_concat(runtime):
    module = ChainOfChains()
    x = [channels_last(1, 2, 5, 5) for _ in range(5)]
    with torch.no_grad():
        traced = torch.jit.trace(module, tuple(x))
        assert runtime.share_concat_buffers(traced.graph) == 4
        assert "aten::cat" not in kinds(traced.graph)
        x = [channels_last(1, 2, 5, 5) for _ in range(5)]
        for expected, actual in zip(module(*x), traced(*x)):
            assert torch.equal(expected, actual)


class WrittenInPlace(torch.nn.Module):
    """A chain of Concats whose first input is written in place between them: each Concat must
    copy what it holds when it runs."""

    def forward(self, a, b, c):
        first = torch.cat([a, b], 1)
        a.relu_()
        return torch.cat([a, b, c], 1) * 2, first


class Branching(torch.nn.Module):
    """Two Concats extend the same one: they cannot both be its tensor."""

    def forward(self, a, b, c, d):
        first = torch.cat([a, b], 1)
        return first + 1, torch.cat([a, b, c], 1), torch.cat([a, b, d], 1)


@pytest.mark.parametrize("module, inputs", [(WrittenInPlace(), 3), (Branching(), 4)])
def test_concats_it_cannot_share_stay_as_traced(runtime, module, inputs):
    x = [channels_last(1, 2, 5, 5) for _ in range(inputs)]
    with torch.no_grad():
        traced = torch.jit.trace(module, tuple(t.clone() for t in x))
        before = kinds(traced.graph).count("aten::cat")
        assert runtime.share_concat_buffers(traced.graph) == 0
        assert kinds(traced.graph).count("aten::cat") == before
        for expected, actual in zip(module(*[t.clone() for t in x]),
                                    traced(*[t.clone() for t in x])):
            assert torch.equal(expected, actual)
