"""Fixtures of the control-flow suite: compile a model with the real `ramiel-client compile
--local`, serially (one worker) and under a multi-cluster schedule, and run both programs.

Needs RAMIEL_CLIENT (the built client); ctest sets it.
"""
import importlib.util
import io
import json
import os
import subprocess
import uuid

import onnx
import pytest
import torch

CLIENT = os.environ.get("RAMIEL_CLIENT", "")
CONTROL_FLOW_OPS = ("If", "Loop", "Scan")


def _compile(onnx_path, out, workers, costs=None, profile=None):
    if not CLIENT or not os.path.exists(CLIENT):
        pytest.fail("set RAMIEL_CLIENT to the ramiel-client binary (ctest does)")
    command = [CLIENT, "compile", onnx_path, "-o", out, "--local", "--workers", str(workers), "-q"]
    if costs:
        command += ["--costs", costs]
    if profile:
        command += ["--device-profile", profile]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr or result.stdout
    spec = importlib.util.spec_from_file_location("ramiel_program_" + uuid.uuid4().hex,
                                                  os.path.join(out, "model.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with open(os.path.join(out, "schedule.json")) as f:
        return module, json.load(f)


class Compiled:
    """One model compiled twice: `serial` (one worker) and `parallel` (two workers on a one-core
    device profile, which allows narrow clusters only, with measured costs that make every
    main-graph node equally dear, so that a control-flow node and an independent branch beside
    it land in different clusters)."""

    def __init__(self, model, directory, name):
        self.onnx_path = os.path.join(str(directory), name + ".onnx")
        onnx.save(model, self.onnx_path)
        self.serial, self.serial_schedule = _compile(
            self.onnx_path, os.path.join(str(directory), name + "_serial"), 1)
        costs = os.path.join(str(directory), name + "_costs.json")
        with open(costs, "w") as f:
            json.dump({n.name: 1000.0 for n in model.graph.node if n.op_type != "Constant"}, f)
        profile = os.path.join(str(directory), "one_core.json")
        with open(profile, "w") as f:
            json.dump({"cores": 1}, f)
        self.parallel, self.parallel_schedule = _compile(
            self.onnx_path, os.path.join(str(directory), name + "_parallel"), 2, costs, profile)

    def clusters_of(self, schedule):
        return {node["name"]: node["cluster"] for node in schedule["nodes"]}

    def run(self, inputs):
        """The outputs of both programs (a tuple each), run in thread mode; the parallel program
        also in process mode where it can (it needs every handed-over tensor's shape, and ONNX
        shape inference often leaves a Loop's carried outputs unknown), which must agree."""
        results = []
        for module in (self.serial, self.parallel):
            with module.load(self.onnx_path) as program:
                results.append(program(*[t.clone() for t in inputs]))
        shapes = [shape for _, shape, _ in self.parallel.TRANSFERS.values()]
        if any(shape is None or None in shape for shape in shapes):
            return results
        with self.parallel.load(self.onnx_path, mode="process") as program:
            for a, b in zip(program(*[t.clone() for t in inputs]), results[1]):
                assert torch.equal(a, b), "process mode differs from thread mode"
        return results


@pytest.fixture
def compiled(tmp_path):
    return lambda model, name: Compiled(model, tmp_path, name)


def control_flow_node(schedule):
    nodes = [n for n in schedule["nodes"] if n["op"] in CONTROL_FLOW_OPS]
    assert len(nodes) == 1, "expected one control-flow task, got %s" % nodes
    return nodes[0]


def export_scripted(module, inputs, input_names, output_names):
    scripted = torch.jit.script(module)
    buffer = io.BytesIO()
    torch.onnx.export(scripted, inputs, buffer, opset_version=13, input_names=input_names,
                      output_names=output_names)
    return onnx.load_from_string(buffer.getvalue())


class Beside(torch.nn.Module):
    """The independent branch every model has beside its control flow."""

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(6, 6)

    def forward(self, z):
        return torch.relu(self.fc(z))
