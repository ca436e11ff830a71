#!/usr/bin/env python3
"""Exports the reference models the tests and benchmarks compile.

torchvision's GoogLeNet, Inception-v3, SqueezeNet 1.0, ResNet-50 and DenseNet-121, and a small
BERT-like transformer encoder, each exported with torch.onnx.export at batch 1 with random
(seeded) weights. Next to each MODEL.onnx it saves MODEL.input.pt and MODEL.expected.pt: a random
input and PyTorch's own output for it, the reference the generated programs are compared with.

Usage: export_models.py OUT_DIR [--opset 13] [--only NAME ...]
Models that already exist are kept (delete them to re-export).
"""
import argparse
import math
import os
import sys
import warnings

import torch
import torch.nn as nn
import torchvision

MODELS = ["googlenet", "inception_v3", "squeezenet1_0", "resnet50", "densenet121", "transformer"]


class EncoderLayer(nn.Module):
    """One post-norm encoder block written out by hand: Linear, MatMul, Softmax, LayerNorm, GELU."""

    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm1 = nn.LayerNorm(dim)
        self.ff1 = nn.Linear(dim, hidden)
        self.ff2 = nn.Linear(hidden, dim)
        self.norm2 = nn.LayerNorm(dim)

    def forward(self, x):
        seq, dim = x.shape[1], x.shape[2]
        head_dim = dim // self.heads
        q, k, v = self.qkv(x).split(dim, dim=-1)
        q = q.reshape(1, seq, self.heads, head_dim).transpose(1, 2)
        k = k.reshape(1, seq, self.heads, head_dim).transpose(1, 2)
        v = v.reshape(1, seq, self.heads, head_dim).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(head_dim)
        attended = torch.matmul(torch.softmax(scores, dim=-1), v)
        attended = attended.transpose(1, 2).reshape(1, seq, dim)
        x = self.norm1(x + self.proj(attended))
        return self.norm2(x + self.ff2(nn.functional.gelu(self.ff1(x))))


class TinyBert(nn.Module):
    def __init__(self, vocab=1000, dim=256, heads=4, hidden=1024, layers=4, seq=128):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.position = nn.Parameter(torch.randn(1, seq, dim) * 0.02)
        self.layers = nn.ModuleList(EncoderLayer(dim, heads, hidden) for _ in range(layers))
        self.pool = nn.Linear(dim, dim)

    def forward(self, tokens):
        x = self.embed(tokens) + self.position
        for layer in self.layers:
            x = layer(x)
        return torch.tanh(self.pool(x[:, 0]))


def build(name):
    """The module and an example input for `name`."""
    if name == "transformer":
        return TinyBert().eval(), torch.randint(0, 1000, (1, 128))
    kwargs = {"weights": None}
    if name == "googlenet":
        kwargs.update(aux_logits=False, init_weights=True)
    if name == "inception_v3":
        kwargs.update(aux_logits=False, init_weights=True)
    model = getattr(torchvision.models, name)(**kwargs).eval()
    size = 299 if name == "inception_v3" else 224
    return model, torch.randn(1, 3, size, size)


def export(name, out_dir, opset):
    path = os.path.join(out_dir, f"{name}.onnx")
    if os.path.exists(path):
        return path
    torch.manual_seed(0)
    model, example = build(name)
    with torch.no_grad():
        expected = model(example)
    tmp = path + ".tmp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (example,), tmp, opset_version=opset,
                          input_names=["input"], output_names=["output"],
                          do_constant_folding=True)
    torch.save(example, os.path.join(out_dir, f"{name}.input.pt"))
    torch.save(expected, os.path.join(out_dir, f"{name}.expected.pt"))
    os.replace(tmp, path)  # last, so a half-written export is never mistaken for a model
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--only", nargs="*", choices=MODELS, default=MODELS)
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.set_num_threads(os.cpu_count() or 1)
    for name in args.only:
        print(export(name, args.out_dir, args.opset), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
