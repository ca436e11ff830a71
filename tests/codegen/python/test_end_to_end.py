"""End to end: `ramiel-client compile MODEL.onnx -o OUT --local` writes OUT/model.py, which
computes what PyTorch computed for the reference models (tests/models/export_models.py).

Needs RAMIEL_CLIENT (the built client) and RAMIEL_MODELS_DIR (the exported models); ctest
provides both once the client exists.
"""
import json
import os
import subprocess

import pytest
import torch

from conftest import PYTHON, import_program

MODELS = ["googlenet", "inception_v3", "squeezenet1_0", "resnet50", "densenet121", "transformer"]


def environment():
    client = os.environ.get("RAMIEL_CLIENT", "")
    models = os.environ.get("RAMIEL_MODELS_DIR", "")
    if not os.path.exists(client) or not os.path.isdir(models):
        pytest.fail("RAMIEL_CLIENT and RAMIEL_MODELS_DIR must be set (ctest does)")
    return client, models


# Device profiles that shape the schedule, so every kind of program is checked: the default
# (this machine's), one core (narrow clusters only, one per worker), and weak intra-op
# scaling (staged: serial stretches on a wide worker with every core, branches on narrow ones).
# The second part of a node split-branches divided (core/ir/split_parts.h).
SPLIT = "_split"

PROFILES = {
    "default": None,
    "narrow": {"cores": 1},
    "staged": {"intra_op_efficiency": 0.5, "intra_op_half_us": 300, "co_run_slowdown": 1},
}


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    """(name, profile) -> (onnx path, program directory), compiled once for 2 workers."""
    client, models = environment()
    out = tmp_path_factory.mktemp("e2e")
    cache = {}

    def get(name, profile="default"):
        if (name, profile) not in cache:
            onnx_path = os.path.join(models, name + ".onnx")
            target = out / profile / name
            command = [client, "compile", onnx_path, "-o", str(target), "--local", "--workers", "2"]
            if PROFILES[profile] is not None:
                profile_path = out / (profile + ".json")
                profile_path.write_text(json.dumps(PROFILES[profile]))
                command += ["--device-profile", str(profile_path)]
            result = subprocess.run(command, capture_output=True, text=True, timeout=600)
            assert result.returncode == 0, result.stderr
            cache[(name, profile)] = (onnx_path, str(target))
        return cache[(name, profile)]

    return get


def reference(name):
    _, models = environment()
    inputs = torch.load(os.path.join(models, name + ".input.pt"))
    expected = torch.load(os.path.join(models, name + ".expected.pt"))
    inputs = tuple(inputs) if isinstance(inputs, (list, tuple)) else (inputs,)
    expected = tuple(expected) if isinstance(expected, (list, tuple)) else (expected,)
    return inputs, expected


def close_enough(actual, expected):
    scale = max(expected.abs().max().item(), 1.0)
    return (actual - expected).abs().max().item() <= 1e-4 * scale


@pytest.mark.parametrize("name", MODELS)
def test_program_sits_next_to_the_schedule_and_checks_itself(programs, name):
    onnx_path, directory = programs(name)
    # The compile wrote the program (model.py, and the runtime it imports) and the report.
    assert {"model.py", "ramiel_runtime.py", "schedule.json", "graph.dot"} <= set(
        os.listdir(directory))
    result = subprocess.run([PYTHON, os.path.join(directory, "model.py"), "--onnx", onnx_path,
                             "--check"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check: passed" in result.stdout


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("name", MODELS)
def test_program_computes_what_pytorch_computed(programs, name, profile):
    """Serially, with the schedule's workers in threads, and in processes when it has more than
    one cluster: the same outputs as PyTorch's own, within 1e-4 of the output's scale."""
    onnx_path, directory = programs(name, profile)
    module = import_program(os.path.join(directory, "model.py"))
    inputs, expected = reference(name)
    # This process loaded OpenMP before the program: let a staged program run its parallel
    # driver anyway (it would run serially, see test_staged_program_runs_serially_after_openmp).
    module.MODEL.openmp_spin_limited = True
    runs = [(1, "thread"), (None, "thread")]
    if len(module.CLUSTERS) > 1:
        runs.append((None, "process"))
    for workers, mode in runs:
        with module.load(onnx_path, workers=workers, mode=mode) as program:
            assert program.workers == (workers or len(module.CLUSTERS))
            forced = os.environ.get("RAMIEL_ENGINE")
            if forced in ("frozen", "prepacked") and program.workers == 1:
                # ctest's *_frozen run: the whole graph really ran with that engine.
                assert program.engines == {"serial": forced}
            outputs = program(*inputs)
        assert len(outputs) == len(expected)
        for a, e in zip(outputs, expected):
            assert a.shape == e.shape
            assert close_enough(a, e), "%s (%s profile), workers=%s, %s: max |diff| %g" % (
                name, profile, workers, mode, (a - e).abs().max().item())


def test_the_transformer_runs_its_projections_on_prepacked_weights(programs):
    """Without a profile the encoder's matrix products run prepacked: each layer's four
    products by a weight (q/k/v, output, two feed-forward) as a oneDNN 1x1 convolution over the
    128 tokens, bias fused; the attention's products of two activations on Ramiel's matmul
    where its library is loaded (the scale folded in), else PyTorch's; and the result is still
    PyTorch's."""
    onnx_path, directory = programs("transformer")
    module = import_program(os.path.join(directory, "model.py"))
    assert set(module.ENGINES) == {"prepacked"}
    ramiel = module.ramiel
    if ramiel.prepacking_unavailable():
        pytest.skip(ramiel.prepacking_unavailable())
    constants = ramiel.Constants(ramiel.load_constants(module.MODEL, onnx_path))
    functions, engines = ramiel.cluster_functions(
        module.MODEL, constants, list(module.ENGINES), [], serial=True)
    assert engines == {"serial": "prepacked"}
    kinds = [node.kind() for node in functions["serial"]._module.graph.nodes()]
    assert kinds.count(ramiel.convolution_ops().run_kind) == 4 * 4
    if ramiel.NATIVE_KERNELS:
        assert kinds.count("ramiel::matmul_run") == 4 * 2 and "aten::matmul" not in kinds
        assert "aten::div_" not in kinds and "aten::div" not in kinds
    else:
        assert kinds.count("aten::matmul") == 4 * 2
    inputs, expected = reference("transformer")
    # The engine named, so that ctest's RAMIEL_ENGINE=frozen run checks this one too.
    with module.load(onnx_path, workers=1, engine="prepacked") as program:
        assert program.engines == {"serial": "prepacked"}
        (output,) = program(*inputs)
    assert close_enough(output, expected[0])


@pytest.mark.parametrize("name", ["googlenet", "inception_v3"])
def test_profiles_give_parallel_schedules(programs, name):
    """The narrow and staged profiles really exercise the parallel drivers on these models."""
    for profile in ("narrow", "staged"):
        _, directory = programs(name, profile)
        with open(os.path.join(directory, "schedule.json")) as f:
            schedule = json.load(f)
        assert len(schedule["clusters"]) >= 2, profile
        staged = any(c["kind"] == "wide" for c in schedule["clusters"])
        with open(os.path.join(directory, "model.py")) as f:
            source = f.read()
        # Staged programs keep the wide worker's idle OpenMP threads from spinning.
        assert ("\nSTAGED = %s\n" % staged in source), profile


# Loads the staged GoogLeNet in a fresh interpreter, torch imported before or after it; prints
# the workers it runs with and whether the outputs match the expected ones.
_LOAD_STAGED = """
import importlib.util, json, sys, warnings
if sys.argv[4] == "torch-first":
    import torch
spec = importlib.util.spec_from_file_location("program", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
import torch
inputs, expected = torch.load(sys.argv[3]), torch.load(sys.argv[2])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    with module.load(sys.argv[5]) as program:
        (output,) = program(inputs)
        workers, mode = program.workers, program.mode
scale = max(expected.abs().max().item(), 1.0)
print(json.dumps({"workers": workers, "mode": mode, "clusters": len(module.CLUSTERS),
                  "close": (output - expected).abs().max().item() <= 1e-4 * scale,
                  "warnings": [str(w.message) for w in caught]}))
"""


@pytest.mark.parametrize("order, spin, parallel", [
    ("program-first", None, True),   # the program sets GOMP_SPINCOUNT before OpenMP loads
    ("torch-first", None, False),    # too late: the wide worker's team would spin
    ("torch-first", "10000", True),  # the user set it in the environment
])
def test_staged_program_runs_serially_after_openmp(programs, order, spin, parallel):
    """A staged program runs in parallel only when OpenMP's idle threads cannot spin beside
    the narrow workers; otherwise it runs serially with every core, and says so."""
    onnx_path, directory = programs("googlenet", "staged")
    _, models = environment()
    env = dict(os.environ)
    env.pop("GOMP_SPINCOUNT", None)
    env.pop("OMP_WAIT_POLICY", None)
    if spin is not None:
        env["GOMP_SPINCOUNT"] = spin
    result = subprocess.run(
        [PYTHON, "-c", _LOAD_STAGED, os.path.join(directory, "model.py"),
         os.path.join(models, "googlenet.expected.pt"), os.path.join(models, "googlenet.input.pt"),
         order, onnx_path], capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["close"]
    if parallel:
        assert report["workers"] == report["clusters"] > 1 and report["mode"] == "thread"
        assert report["warnings"] == []
    else:
        assert report["workers"] == 1 and report["mode"] == "serial"
        assert len(report["warnings"]) == 1 and "GOMP_SPINCOUNT" in report["warnings"][0]


def profile_then_compile(onnx_path, directory, out):
    """The program's `--profile` (3 runs), then a compile with those costs for 2 workers into
    `out`: (the profile as JSON, its path)."""
    client, _ = environment()
    costs = out.parent / (out.name + ".costs.json")
    result = subprocess.run([PYTHON, os.path.join(directory, "model.py"), "--onnx", onnx_path,
                             "--profile", str(costs), "--runs", "3", "--warmup", "1"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    result = subprocess.run([client, "compile", onnx_path, "-o", str(out), "--local",
                             "--workers", "2", "--costs", str(costs)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return json.loads(costs.read_text()), costs


def test_profile_guided_compile_uses_every_measured_node(programs, tmp_path):
    """`--profile` measures the nodes of a program whose convolutions split-branches divided (the
    narrow profile's parallel schedule keeps them split); compiling with those costs may split
    differently, or not at all when its schedule is one cluster, and must still match every node
    to what was measured: parts measured whole cost their share, wholes measured as parts their
    sum. A node where the schedule runs it wide costs its time at every core, at most its
    one-thread time (on a busy machine two threads can measure slower than one); a whole
    measured as parts, the lesser of the parts' sums; each traced time scaled to the profile's
    untraced runs and, in a cluster that runs traced (frozen or prepacked), by the traced /
    eager ratio measured with it."""
    onnx_path, directory = programs("googlenet", "narrow")
    with open(os.path.join(directory, "schedule.json")) as f:
        assert json.load(f)["graph"]["split"] > 0  # the profiled program has split nodes
    profile, _ = profile_then_compile(onnx_path, directory, tmp_path / "guided")
    measured = profile["nodes"]
    with open(tmp_path / "guided" / "schedule.json") as f:
        guided = json.load(f)
    wide = {name for c in guided["clusters"] if c["kind"] == "wide" for name in c["nodes"]}
    cost = {n["name"]: n["cost_us"] for n in guided["nodes"] if n["name"] in wide}
    assert cost, "the guided compile has no wide cluster to compare"
    engines = import_program(str(tmp_path / "guided" / "model.py")).ENGINES
    traced = {n["name"] for n in guided["nodes"]
              if engines[n["cluster"]] in ("frozen", "prepacked")}

    untraced = profile["untraced_scale"]

    def as_measured(names):
        rows = [measured[name] for name in names]
        scale = rows[0].get("frozen_scale", 1) if names[0] in traced else 1
        return min(sum(r["us_1"] for r in rows) * untraced["us_1"],
                   sum(r["us_T"] for r in rows) * untraced["us_T"]) * scale

    checked = 0
    for name in cost:
        if name.endswith(SPLIT) or name not in measured:
            continue
        if name + SPLIT in cost:  # split here
            if name + SPLIT in measured:  # and there: part against part
                assert cost[name] == pytest.approx(as_measured([name]), rel=1e-3, abs=0.01)
            else:  # measured whole: the parts share it
                assert cost[name] + cost[name + SPLIT] == pytest.approx(
                    as_measured([name]), rel=1e-3, abs=0.01)
        else:  # whole here, measured whole or as parts
            parts = [name] + ([name + SPLIT] if name + SPLIT in measured else [])
            assert cost[name] == pytest.approx(as_measured(parts), rel=1e-3, abs=0.01), name
        checked += 1
    # Every measured node found its node, but the Concats split-branches joined (flattened).
    unmatched = [name for name in measured
                 if name not in cost and name.removesuffix(SPLIT) not in cost]
    assert all(name.endswith("_joined") for name in unmatched), unmatched
    assert checked > 100


def test_profile_guided_compile_records_each_clusters_engine(programs, tmp_path):
    """The profile times each cluster with each engine and gives each node the winner; the
    compile records it per cluster in ENGINES, and follows whatever the file says, costing a
    measured node that runs traced (frozen or prepacked) at its traced / eager ratio."""
    client, _ = environment()
    onnx_path, directory = programs("googlenet")
    out = tmp_path / "guided"
    profile, costs = profile_then_compile(onnx_path, directory, out)
    winners = {row["winner"] for row in profile["engines"]["clusters"].values()}
    engines_line = [line for line in open(out / "model.py") if line.startswith("ENGINES = ")]
    if len(winners) == 1:
        assert engines_line[0].count('"%s"' % winners.pop()) == len(json.load(
            open(out / "schedule.json"))["clusters"])
    for engine in ("frozen", "prepacked", "eager"):
        for node in profile["nodes"].values():
            node["engine"] = engine
        costs.write_text(json.dumps(profile))
        forced = tmp_path / engine
        result = subprocess.run([client, "compile", onnx_path, "-o", str(forced), "--local",
                                 "--workers", "2", "--costs", str(costs)],
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        module = import_program(str(forced / "model.py"))
        assert module.ENGINES == (engine,) * len(module.CLUSTERS)
    costs_of = {}
    for engine in ("frozen", "prepacked", "eager"):
        with open(tmp_path / engine / "schedule.json") as f:
            costs_of[engine] = {n["name"]: n["cost_us"] for n in json.load(f)["nodes"]}
    scaled = [name for name, node in profile["nodes"].items() if name in costs_of["eager"]]
    assert len(scaled) > 100
    for name in scaled:
        for engine in ("frozen", "prepacked"):
            assert costs_of[engine][name] == pytest.approx(
                costs_of["eager"][name] * profile["nodes"][name]["frozen_scale"], rel=2e-3,
                abs=0.01)
