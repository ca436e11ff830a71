"""The reference models, their compiled programs and their saved inputs and outputs."""
import json
import os
import subprocess

import numpy as np
import torch

MODELS = ["googlenet", "inception_v3", "squeezenet1_0", "resnet50", "densenet121", "transformer"]
LABELS = {"googlenet": "GoogLeNet", "inception_v3": "Inception-v3",
          "squeezenet1_0": "SqueezeNet 1.0", "resnet50": "ResNet-50",
          "densenet121": "DenseNet-121", "transformer": "Transformer encoder"}


class ModelFiles:
    """Paths of one exported reference model."""

    def __init__(self, models_dir, name):
        self.name = name
        self.label = LABELS.get(name, name)
        self.onnx = os.path.join(models_dir, name + ".onnx")
        self.input = os.path.join(models_dir, name + ".input.pt")
        self.expected = os.path.join(models_dir, name + ".expected.pt")


def ensure_models(names, models_dir, python, export_script, log):
    """Exports the models that are missing (the export script keeps existing ones)."""
    missing = [n for n in names if not all(os.path.exists(p) for p in (
        ModelFiles(models_dir, n).onnx, ModelFiles(models_dir, n).input,
        ModelFiles(models_dir, n).expected))]
    if missing:
        log("exporting %s into %s" % (", ".join(missing), models_dir))
        os.makedirs(models_dir, exist_ok=True)
        subprocess.run([python, export_script, models_dir, "--only"] + missing, check=True,
                       stdout=subprocess.DEVNULL)
    return [ModelFiles(models_dir, n) for n in names]


def compile_model(client, onnx, out_dir, workers, costs=None, quiet=True, device_profile=None):
    """Runs ramiel-client compile --local; returns (schedule.json as a dict, client stdout)."""
    argv = [client, "compile", onnx, "-o", out_dir, "--local", "--workers", str(workers)]
    if costs:
        argv += ["--costs", costs]
    if device_profile:
        argv += ["--device-profile", device_profile]
    if quiet:
        argv.append("-q")
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError("ramiel-client failed (%d) on %s: %s" % (done.returncode, onnx,
                                                                   done.stderr.strip()))
    with open(os.path.join(out_dir, "schedule.json")) as f:
        return json.load(f), done.stdout


def _as_list(loaded):
    return list(loaded) if isinstance(loaded, (tuple, list)) else [loaded]


def load_inputs(files):
    return _as_list(torch.load(files.input))


def load_expected(files):
    return _as_list(torch.load(files.expected))


_ORT_TYPES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64",
              torch.int32: "int32", torch.int8: "int8", torch.uint8: "uint8", torch.bool: "bool"}


def write_ort_feeds(files, input_names, out_dir):
    """The saved input tensors as raw files plus FEEDS.json for ort_worker.js; returns its path."""
    os.makedirs(out_dir, exist_ok=True)
    specs = []
    for i, (name, tensor) in enumerate(zip(input_names, load_inputs(files))):
        path = os.path.join(out_dir, "%s.input%d.bin" % (files.name, i))
        tensor.contiguous().numpy().tofile(path)
        specs.append({"name": name, "type": _ORT_TYPES[tensor.dtype],
                      "dims": list(tensor.shape), "file": path})
    feeds = os.path.join(out_dir, files.name + ".feeds.json")
    with open(feeds, "w") as f:
        json.dump(specs, f)
    return feeds


_NUMPY_TYPES = {"float32": np.float32, "float64": np.float64, "int64": np.int64,
                "int32": np.int32, "int8": np.int8, "uint8": np.uint8, "bool": np.bool_}


def read_ort_outputs(index_path):
    with open(index_path) as f:
        index = json.load(f)
    return [torch.from_numpy(np.fromfile(o["file"], dtype=_NUMPY_TYPES[o["type"]])
                             .reshape(o["dims"])) for o in index]


def compare(expected, actual, rtol=1e-3, atol=1e-4):
    """(agree, max |difference|, max |difference| / the output's scale) of two output lists.

    Randomly initialised deep networks can output values near 1e12, where a different
    summation order (another thread count, another library) moves single elements by more than
    an element-wise rtol; so outputs agree when every difference is within atol + rtol times the
    largest |expected| value of its tensor."""
    if len(expected) != len(actual):
        return False, float("inf"), float("inf")
    worst, worst_scaled, ok = 0.0, 0.0, True
    for e, a in zip(expected, actual):
        if tuple(e.shape) != tuple(a.shape):
            return False, float("inf"), float("inf")
        if not e.numel():
            continue
        e, a = e.double(), a.double()
        diff = (e - a).abs().max().item()
        scale = max(1.0, e.abs().max().item())
        worst, worst_scaled = max(worst, diff), max(worst_scaled, diff / scale)
        ok = ok and diff <= atol + rtol * scale
    return ok, worst, worst_scaled
