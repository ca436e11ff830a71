"""load(engine=...): each cluster eager (its Python function), frozen (traced once at load,
torch.jit.freeze + optimize_for_inference) or prepacked (traced, frozen, convolutions prepacked)
computes what a direct torch computation does, in every mode; what cannot be traced falls back
to eager and says so."""
import json
import os
import subprocess

import pytest

from conftest import PYTHON, assert_outputs_match, import_program, run_python, write_variant

MODES = [("thread", 1), ("thread", None), ("process", None)]


@pytest.fixture(autouse=True)
def no_engine_from_the_environment(monkeypatch):
    monkeypatch.delenv("RAMIEL_ENGINE", raising=False)


@pytest.mark.parametrize("name", ["branches", "layout", "encoder", "ops"])
@pytest.mark.parametrize("engine", ["eager", "frozen", "prepacked"])
@pytest.mark.parametrize("mode,workers", MODES)
def test_engines_match_direct_torch(compiled, name, engine, mode, workers):
    program = compiled(name)
    # Clusters that hand tensors to each other both ways stay eager: frozen, each would wait
    # for all its inputs before sending anything.
    both_ways = program.module.ramiel._cluster_order(program.module.MODEL) is None
    expected_engine = "eager" if both_ways and workers is None else engine
    with program.module.load(program.onnx, workers=workers, mode=mode, engine=engine) as p:
        # Every cluster (or the serial function) really runs with the engine expected.
        assert set(p.engines.values()) == {expected_engine}, p.engines
        for seed in (0, 1):  # the trace used random inputs; these are the model's own
            inputs = program.model.inputs(seed)
            expected = program.model.reference(program.model.weights(), *inputs)
            assert_outputs_match(expected, p(*inputs))


def test_default_engine_is_the_programs_table_and_the_environment_overrides_it(
        compiled, monkeypatch):
    program = compiled("branches")
    table = program.module.ENGINES
    assert len(table) == len(program.module.CLUSTERS)
    assert set(table) <= {"eager", "frozen", "prepacked"}
    with program.module.load(program.onnx) as p:
        assert [p.engines[i] for i in range(len(table))] == list(table)
    monkeypatch.setenv("RAMIEL_ENGINE", "frozen")
    with program.module.load(program.onnx) as p:
        assert set(p.engines.values()) == {"frozen"}
    with program.module.load(program.onnx, engine="eager") as p:  # the argument wins
        assert set(p.engines.values()) == {"eager"}


def test_a_bad_engine_name_is_a_clear_error(compiled, monkeypatch):
    program = compiled("branches")
    with pytest.raises(ValueError,
                       match="engine must be None, 'eager', 'frozen' or 'prepacked', not 'jit'"):
        program.module.load(program.onnx, engine="jit")
    monkeypatch.setenv("RAMIEL_ENGINE", "fast")
    with pytest.raises(ValueError, match="not 'fast'"):
        program.module.load(program.onnx)


# A cluster whose statements decide on a tensor's value: a trace would bake the decision in.
_DATA_DEPENDENT = "    if bool(x.sum() > 1e9):\n        x = x * 2\n"


def test_a_cluster_that_cannot_be_traced_runs_eagerly_and_says_so_once(compiled, tmp_path):
    program = compiled("branches")
    source = open(program.path).read()
    marker = '    x = io.recv("x")\n'
    first = source.index("def cluster_1(")
    position = source.index(marker, first) + len(marker)
    variant = write_variant(program.path, tmp_path, "model.py",
                            source[:position] + _DATA_DEPENDENT + source[position:])
    code = """
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("variant", %r)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
import torch
x = torch.randn(1, 3, 8, 8)
with module.load(%r, engine="frozen") as p:
    out = p(x)
    again = p(x)
    engines = {str(k): v for k, v in sorted(p.engines.items(), key=str)}
with module.load(%r, engine="eager") as q:
    expected = q(x)
print(json.dumps({"engines": engines,
                  "same": bool(torch.allclose(out[0], expected[0], rtol=1e-4, atol=1e-6))}))
""" % (variant, program.onnx, program.onnx)
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["same"]
    assert report["engines"] == {"0": "frozen", "1": "eager"}
    said = [line for line in result.stderr.splitlines() if "cannot be frozen" in line]
    assert len(said) == 1, result.stderr
    assert "branches: cluster 1 runs eagerly, it cannot be frozen: TracerWarning: Converting a " \
        "tensor to a Python boolean" in said[0]


@pytest.mark.parametrize("engine", ["frozen", "prepacked"])
def test_command_line_checks_and_traces_traced_programs(compiled, tmp_path, engine):
    program = compiled("branches")
    result = subprocess.run([PYTHON, program.path, "--onnx", program.onnx, "--check",
                             "--engine", engine], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "engines %s,%s against serial eager" % (engine, engine) in result.stdout
    assert "check: passed" in result.stdout
    trace = tmp_path / "trace.json"
    result = subprocess.run([PYTHON, program.path, "--onnx", program.onnx, "--trace", str(trace),
                             "--engine", engine], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    # A traced cluster is one slice: its nodes cannot be told apart inside the frozen graph.
    names = {e["name"] for e in json.loads(trace.read_text())["traceEvents"] if e["ph"] == "X"}
    assert {"cluster 0 (%s)" % engine, "cluster 1 (%s)" % engine} <= names
    assert "conv_a" not in names


def test_profile_records_each_clusters_engine_with_its_nodes(compiled, tmp_path):
    program = compiled("branches")
    costs = tmp_path / "costs.json"
    result = subprocess.run([PYTHON, program.path, "--onnx", program.onnx, "--profile",
                             str(costs), "--runs", "3", "--warmup", "1"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    profile = json.loads(costs.read_text())
    clusters = profile["engines"]["clusters"]
    assert sorted(clusters) == ["0", "1"]
    for row in clusters.values():
        assert row["eager_ms"] > 0 and row["frozen_ms"] > 0 and row["prepacked_ms"] > 0
        fastest = min(("eager", "frozen", "prepacked"), key=lambda e: row[e + "_ms"])
        # A traced engine wins only by 2% (it costs a trace at each load); else eager does.
        assert row["winner"] in (fastest, "eager")
        if row["winner"] == "eager" and fastest != "eager":
            assert row[fastest + "_ms"] >= row["eager_ms"] * 0.98
    # Every node carries its cluster's winner (the nodes still have eager per-node times) and
    # its cluster's faster traced time over eager, which the compile scales them by where they
    # run traced.
    assert profile["nodes"]["conv_b"]["engine"] == clusters["1"]["winner"]
    assert profile["nodes"]["fc"]["engine"] == clusters["0"]["winner"]
    for node, index in (("conv_b", "1"), ("fc", "0")):
        row = clusters[index]
        assert profile["nodes"][node]["frozen_scale"] == pytest.approx(
            min(row["frozen_ms"], row["prepacked_ms"]) / row["eager_ms"], rel=1e-3)
    assert all(node["us_1"] > 0 for node in profile["nodes"].values())
    # Each node's time in the prepacked engine, from the operators traced from its line: the
    # convolutions (their ReLUs fused into them take none), the pooling, the Concat, the Gemm.
    prepacked = {name: node["prepacked_us_T"] for name, node in profile["nodes"].items()
                 if "prepacked_us_T" in node}
    assert {"conv_a", "conv_b", "pool_b", "concat", "gap", "fc"} <= set(prepacked)
    assert "relu_a" not in prepacked and "relu_b" not in prepacked
    # The profiler times operators to the microsecond: this model's Gemm and Flatten take less
    # (0 in some runs), its convolutions several.
    assert all(us >= 0 for us in prepacked.values())
    assert prepacked["conv_a"] > 0 and prepacked["conv_b"] > 0
    # Whole untraced runs against the traced nodes' sums, at 1 thread and at every core. (No
    # closer bound: this model's whole run is 0.1 ms, and at 2 threads on a 2-vCPU VM waking
    # the OpenMP worker after the other process's turn has taken 10 ms, 20x the nodes' sum.)
    assert sorted(profile["untraced_scale"]) == ["us_1", "us_T"]
    assert all(scale > 0 for scale in profile["untraced_scale"].values())
    assert "engine: cluster 0 " in result.stdout
