"""The generated program's command line: --help, --check, --bench, --profile, --trace, errors."""
import json
import os
import subprocess

import pytest

from conftest import PYTHON, write_variant


def run(program, *args, timeout=300):
    try:
        return subprocess.run([PYTHON, program.path, "--onnx", program.onnx, *args],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail("model.py %s timed out" % " ".join(args))


def test_help_lists_every_action(compiled):
    program = compiled("branches")
    result = subprocess.run([PYTHON, program.path, "--help"], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    for option in ("--onnx", "--check", "--bench", "--profile", "--trace", "--workers", "--mode",
                   "--threads"):
        assert option in result.stdout
    assert "'branches'" in result.stdout


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_check_compares_parallel_with_serial(compiled, mode):
    program = compiled("encoder")
    result = run(program, "--check", "--mode", mode)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check: %s, 3 workers" % mode in result.stdout
    assert "check: passed" in result.stdout


def test_check_fails_when_parallel_differs(compiled, tmp_path):
    # A program whose parallel path disagrees with its serial one must exit non-zero: make the
    # serial function compute something else.
    program = compiled("chain")
    source = open(program.path).read()
    broken = source.replace("vd = torch.sigmoid(x)\n    del x\n    io.send(\"vd\", vd)",
                            "vd = torch.sigmoid(x) + 1\n    del x\n    io.send(\"vd\", vd)", 1)
    assert broken != source
    path = write_variant(program.path, tmp_path, "broken.py", broken)
    result = subprocess.run([PYTHON, path, "--onnx", program.onnx, "--check"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "vd" in result.stdout and "FAIL" in result.stdout
    assert "check: FAILED" in result.stdout


def test_bench_prints_a_table_and_json(compiled):
    # Serial at one thread, serial at every core and parallel, with the ratios.
    program = compiled("branches")
    cores = len(os.sched_getaffinity(0))
    result = run(program, "--bench", "--runs", "5", "--warmup", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].split() == ["run", "mode", "workers", "threads", "median_ms", "min_ms"]
    assert lines[1].split()[:4] == ["serial-1", "serial", "1", "1"]
    rows = 2
    if cores > 1:
        assert lines[2].split()[:4] == ["serial-%d" % cores, "serial", "1", str(cores)]
        rows = 3
    assert lines[rows].split()[:3] == ["parallel", "thread", "2"]
    assert lines[rows + 1].startswith("parallel: ")
    report = json.loads(lines[-1])
    assert report["model"] == "branches" and report["cores"] == cores
    assert report["serial_1"]["runs"] == report["parallel"]["runs"] == 5
    assert report["serial_1"]["threads"] == [1] and report["serial_all"]["threads"] == [cores]
    assert report["parallel"]["workers"] == 2
    for key in ("serial_1", "serial_all", "parallel"):
        assert 0 < report[key]["min_ms"] <= report[key]["median_ms"]
    ratio = report["serial_1"]["median_ms"] / report["parallel"]["median_ms"]
    assert report["speedup_vs_serial_1"] == pytest.approx(ratio)
    best = min(report["serial_1"]["median_ms"], report["serial_all"]["median_ms"])
    assert report["speedup_vs_best_serial"] == pytest.approx(best / report["parallel"]["median_ms"])
    assert report["predicted_speedup"] == program.module.PREDICTED_SPEEDUP


def test_profile_times_every_node_at_one_thread_and_every_core(compiled, tmp_path):
    program = compiled("layout")
    path = tmp_path / "costs.json"
    result = run(program, "--profile", str(path), "--runs", "3", "--warmup", "1")
    assert result.returncode == 0, result.stderr
    assert "written to %s" % path in result.stdout
    profile = json.loads(path.read_text())
    module = program.module
    assert profile["model"] == "layout" and profile["sha256"] == module.MODEL_SHA256
    assert profile["threads"] == len(os.sched_getaffinity(0)) and profile["runs"] == 3
    nodes = {label for label, category in module.NODE_LINES.values()
             if category not in ("recv", "send")}
    assert set(profile["nodes"]) == nodes  # named as in the schedule, hand-offs left out
    for name, times in profile["nodes"].items():
        assert set(times) == {"us_1", "us_T"}, name
        assert times["us_1"] >= 0 and times["us_T"] >= 0
    # The convolutions are the heavy nodes of this model; a flatten of 8 numbers is not.
    assert profile["nodes"]["conv_a"]["us_1"] > profile["nodes"]["flatten"]["us_1"]


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_trace_has_a_track_per_worker_and_a_slice_per_node(compiled, tmp_path, mode):
    program = compiled("encoder")
    trace_path = tmp_path / "trace.json"
    result = run(program, "--trace", str(trace_path), "--mode", mode)
    assert result.returncode == 0, result.stderr
    events = json.loads(trace_path.read_text())["traceEvents"]
    tracks = {e["tid"]: e["args"]["name"] for e in events if e["name"] == "thread_name"}
    assert tracks == {0: "worker 0 (cluster 0)", 1: "worker 1 (cluster 1)",
                      2: "worker 2 (cluster 2)"}
    slices = [e for e in events if e["ph"] == "X"]
    nodes = {e["name"]: e for e in slices if e["cat"] not in ("recv", "send")}
    expected = {label for label, category in program.module.NODE_LINES.values()
                if category not in ("recv", "send")}
    assert set(nodes) == expected  # every node once
    assert len(nodes) == len([e for e in slices if e["cat"] not in ("recv", "send")])
    assert nodes["k_proj"]["tid"] == 1 and nodes["v_proj"]["tid"] == 2
    assert nodes["scores"]["cat"] == "MatMul"
    for e in slices:
        assert e["dur"] >= 0 and e["ts"] >= 0
    # k_proj needs h, which worker 0 sends after ln0: the trace shows the wait.
    assert nodes["k_proj"]["ts"] >= nodes["ln0"]["ts"] + nodes["ln0"]["dur"]


def test_trace_of_a_serial_run_has_one_track(compiled, tmp_path):
    program = compiled("branches")
    trace_path = tmp_path / "serial.json"
    result = run(program, "--trace", str(trace_path), "--workers", "1")
    assert result.returncode == 0, result.stderr
    events = json.loads(trace_path.read_text())["traceEvents"]
    assert {e["tid"] for e in events if e["ph"] == "X"} == {0}


def test_a_wrong_model_file_is_a_clear_error(compiled):
    program = compiled("branches")
    other = compiled("chain")
    result = subprocess.run([PYTHON, program.path, "--onnx", other.onnx, "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "error: " in result.stderr
    assert "is not the model this program was compiled from" in result.stderr
    assert "Traceback" not in result.stderr
