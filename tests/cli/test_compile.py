"""ramiel-client compile --local on real and hand-made models (issue: compiler core)."""
import json
import os

import pytest

import small_models
from schedule_checks import check_schedule

REFERENCE = ["googlenet", "inception_v3", "squeezenet1_0", "resnet50"]
EXIT_USAGE, EXIT_BAD_MODEL = 2, 3


@pytest.mark.parametrize("name", REFERENCE)
@pytest.mark.parametrize("workers", [1, 2, 4])
def test_reference_models_get_valid_schedules(compile_model, models_dir, name, workers):
    out = compile_model(os.path.join(models_dir, f"{name}.onnx"), "--workers", workers)
    assert out.returncode == 0, out.stderr
    s = out.schedule
    check_schedule(s, max_clusters=workers)
    assert s["model"]["name"] == name
    assert len(s["model"]["sha256"]) == 64
    assert s["options"]["workers"] == workers
    assert s["graph"]["nodes_out"] == len(s["nodes"])
    assert set(s["timings_ms"]) == {"import", "passes", "cost", "schedule", "codegen", "total"}
    assert b"digraph" in out.file("graph.dot")
    if workers == 1:
        assert len(s["clusters"]) == 1
        assert s["clusters"][0]["threads"] >= 1


@pytest.mark.parametrize("name", ["googlenet", "inception_v3"])
def test_branchy_models_are_parallel_at_two_workers(compile_model, models_dir, name, tmp_path):
    # One core per worker: clustering alone decides, as on a machine without intra-op threads.
    profile = tmp_path / "one_core.json"
    profile.write_text('{"cores": 1}')
    out = compile_model(os.path.join(models_dir, f"{name}.onnx"), "--workers", 2,
                        "--device-profile", profile)
    assert out.returncode == 0, out.stderr
    s = out.schedule
    assert len(s["clusters"]) == 2
    assert all(c["kind"] == "narrow" and c["threads"] == 1 for c in s["clusters"])
    assert s["prediction"]["speedup"] > 1.05
    assert s["cluster_edges"], "parallel clusters must exchange tensors"
    assert "cluster_1" in out.file("graph.dot").decode()


def test_weak_intra_op_scaling_gives_a_staged_schedule(compile_model, models_dir, tmp_path):
    # Where intra-op threads pay little, the branchy modules go to narrow workers while the
    # wide worker keeps the stem and joins.
    profile = tmp_path / "weak.json"
    profile.write_text('{"cores": 2, "intra_op_efficiency": 0.5, "intra_op_half_us": 300, '
                       '"co_run_slowdown": 1}')
    out = compile_model(os.path.join(models_dir, "inception_v3.onnx"), "--workers", 2,
                        "--device-profile", profile)
    assert out.returncode == 0, out.stderr
    s = out.schedule
    kinds = sorted(c["kind"] for c in s["clusters"])
    assert kinds == ["narrow", "narrow", "wide"], kinds
    wide = next(c for c in s["clusters"] if c["kind"] == "wide")
    assert wide["threads"] == 2
    assert s["nodes"][0]["name"] in wide["nodes"], "the stem runs wide"
    assert s["prediction"]["speedup"] > 1.05


def test_pure_chain_is_one_cluster(compile_model, tmp_path):
    out = compile_model(small_models.chain(tmp_path / "chain.onnx"), "--workers", 4)
    assert out.returncode == 0, out.stderr
    s = out.schedule
    assert len(s["clusters"]) == 1
    assert s["prediction"]["speedup"] == 1.0
    assert [n["op"] for n in s["nodes"]] == ["Relu", "Sigmoid"] * 3


def test_folding_and_dead_code_are_removed_and_counted(compile_model, tmp_path):
    out = compile_model(small_models.foldable(tmp_path / "foldable.onnx"))
    assert out.returncode == 0, out.stderr
    s = out.schedule
    ops = sorted(n["op"] for n in s["nodes"])
    # The shape chain and the constant subexpression became constants, the dead branch vanished.
    assert ops == ["Add", "Reshape"], ops
    assert s["graph"]["nodes_in"] == 10
    assert s["graph"]["folded"] >= 3   # at least Concat (the shape) and Add (the bias) plus their chains
    assert s["graph"]["removed"] >= 2  # the dead Exp and Neg
    assert s["graph"]["nodes_out"] == 2
    names = {n["name"] for n in s["nodes"]}
    assert not names & {"dead_exp", "dead_neg", "shape", "gather", "const_mul"}


def test_output_is_deterministic(compile_model, models_dir):
    model = os.path.join(models_dir, "googlenet.onnx")
    first, second = compile_model(model), compile_model(model)
    assert first.returncode == second.returncode == 0
    assert first.file("graph.dot") == second.file("graph.dot")
    a, b = first.schedule, second.schedule
    a.pop("timings_ms"), b.pop("timings_ms")
    assert a == b


def test_missing_file_is_a_clear_error(compile_model, tmp_path):
    out = compile_model(tmp_path / "nope.onnx")
    assert out.returncode == EXIT_BAD_MODEL
    assert "nope.onnx: no such file" in out.stderr


def test_random_bytes_are_rejected(compile_model, tmp_path):
    path = tmp_path / "random.onnx"
    path.write_bytes(os.urandom(4096))
    out = compile_model(path)
    assert out.returncode == EXIT_BAD_MODEL
    assert "not an ONNX model" in out.stderr or "rejected" in out.stderr
    assert not (out.out_dir / "schedule.json").exists()


def test_truncated_model_is_rejected(compile_model, models_dir, tmp_path):
    data = open(os.path.join(models_dir, "squeezenet1_0.onnx"), "rb").read()
    for fraction in (0.5, 0.9, 0.999):
        path = tmp_path / f"truncated_{fraction}.onnx"
        path.write_bytes(data[: int(len(data) * fraction)])
        out = compile_model(path)
        assert out.returncode == EXIT_BAD_MODEL, (fraction, out.stderr)
        assert "error:" in out.stderr


def test_usage_errors_are_distinguished(compile_model, tmp_path):
    model = small_models.chain(tmp_path / "chain.onnx")
    assert compile_model(model, "--workers", 0).returncode == EXIT_USAGE
    assert compile_model(model, "--input-shape", "x=1xbad").returncode == EXIT_USAGE
    assert compile_model(model, "--bogus-flag").returncode == EXIT_USAGE
    # Neither --local nor --server.
    assert compile_model(model, local=False).returncode == EXIT_USAGE


def test_input_shape_binds_symbolic_dims(compile_model, tmp_path):
    from onnx import TensorProto, helper
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"], name="relu")], "dynamic",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "seq"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", "seq"])])
    model = small_models.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
                              tmp_path / "dynamic.onnx")
    unbound = compile_model(model)
    assert unbound.returncode == EXIT_BAD_MODEL
    assert "'seq'" in unbound.stderr and "--input-shape" in unbound.stderr
    bound = compile_model(model, "--input-shape", "x=1x7")
    assert bound.returncode == 0, bound.stderr
    assert bound.schedule["model"]["inputs"][0]["shape"] == [1, 7]
    assert bound.schedule["options"]["input_shapes"] == {"x": [1, 7]}
