"""model.py --calibrate FILE: measures this machine's device profile for real (in its quick mode)
and writes JSON that the real ramiel-client compile --device-profile accepts. Numbers are checked
for sense, never for speed."""
import json
import math
import os
import subprocess

import pytest
import torch

from conftest import PYTHON

CLIENT = os.environ.get("RAMIEL_CLIENT")
# DeviceProfile's keys (core/cost/device_profile.h); calibration measures all but these.
PROFILE_KEYS = {"name", "cores", "peak_gflops", "memory_gbps", "inplace_gbps", "op_overhead_us",
                "traced_op_overhead_us", "pool_gops", "separable_pool_gops", "matvec_gbps",
                "vector_gops", "weight_gbps", "transfer_latency_us", "transfer_gbps",
                "intra_op_efficiency", "intra_op_half_us", "intra_op_sync_us",
                "compute_intra_op_half_us", "co_run_slowdown"}
NOT_MEASURED = {"transfer_gbps", "co_run_slowdown"}


def calibrate(program, path, *extra):
    try:
        return subprocess.run([PYTHON, program.path, "--calibrate", str(path), *extra],
                              capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        pytest.fail("model.py --calibrate timed out")


@pytest.fixture(scope="module")
def calibrated(compiled, tmp_path_factory):
    """(program, profile path, the run) of one quick calibration, shared by the tests."""
    program = compiled("branches")
    path = tmp_path_factory.mktemp("calibration") / "device.json"
    return program, path, calibrate(program, path, "--calibrate-quick")


def test_calibrate_writes_a_plausible_profile_of_this_machine(calibrated):
    _, path, run = calibrated
    assert run.returncode == 0, run.stderr
    # Progress on stderr, nothing on stdout.
    assert "calibrating:" in run.stderr and "round 1 of 1" in run.stderr
    assert "device profile written to %s" % path in run.stderr
    profile = json.loads(path.read_text())
    assert set(profile) == PROFILE_KEYS - NOT_MEASURED - (
        {"intra_op_efficiency", "intra_op_half_us", "intra_op_sync_us",
         "compute_intra_op_half_us"} if profile["cores"] == 1 else set())
    # The program's threading: load() runs serially on every core the process may use.
    assert profile["cores"] == len(os.sched_getaffinity(0))
    for key, value in profile.items():
        if key != "name":
            assert isinstance(value, (int, float)) and math.isfinite(value) and value > 0, key
    # Plausible for any CPU that runs torch: one core between 0.1 GFLOP/s and 10 TFLOP/s, ...
    assert 0.1 < profile["peak_gflops"] < 1e4
    assert 0.1 < profile["memory_gbps"] < 1e4
    assert 0.1 < profile["inplace_gbps"] < 1e4
    assert 0.01 < profile["pool_gops"] < 1e4
    assert 0.01 < profile["separable_pool_gops"] < 1e4
    assert 0.01 < profile["matvec_gbps"] < 1e4
    assert 0.01 < profile["vector_gops"] < 1e4
    assert 0.01 < profile["weight_gbps"] <= 1e6  # 1e6: weights cost nothing measurable
    assert 0.05 < profile["op_overhead_us"] < 1e4  # a Python call costs something
    assert 0.05 < profile["traced_op_overhead_us"] < 1e4  # so does one in TorchScript
    if profile["cores"] > 1:
        assert 0 < profile["intra_op_efficiency"] <= 1


@pytest.mark.skipif(not CLIENT, reason="RAMIEL_CLIENT is not set")
def test_the_real_client_compiles_with_the_calibrated_profile(calibrated, tmp_path):
    program, path, run = calibrated
    assert run.returncode == 0, run.stderr
    out = tmp_path / "compiled"
    done = subprocess.run([CLIENT, "compile", program.onnx, "-o", str(out), "--local", "-q",
                           "--device-profile", str(path)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    schedule = json.loads((out / "schedule.json").read_text())
    used = schedule["options"]["device_profile"]
    for key, value in json.loads(path.read_text()).items():
        assert used[key] == pytest.approx(value), key
    assert schedule["prediction"]["serial_us"] > 0


def test_an_unwritable_file_is_a_clear_error_before_measuring(compiled, tmp_path):
    program = compiled("branches")
    missing = tmp_path / "no such directory" / "device.json"
    run = calibrate(program, missing, "--calibrate-quick")
    assert run.returncode == 2
    assert "error: cannot write the device profile to %s" % missing in run.stderr
    assert "calibrating:" not in run.stderr  # refused before any timing


def test_other_actions_still_need_the_model(compiled):
    program = compiled("branches")
    run = subprocess.run([PYTHON, program.path, "--check"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2 and "--onnx" in run.stderr


def test_prepacked_twins_time_the_same_work_without_weight_reads(compiled):
    """Each convolution and weighted matrix product is timed a second time as the prepacked
    engine runs it: the same work and result, with no weight term, which separates the FLOP
    rate from the weights' in the fit; so is the attention product where Ramiel's operator
    library runs it."""
    ramiel = compiled("branches").module.ramiel
    if ramiel.prepacking_unavailable():
        pytest.skip(ramiel.prepacking_unavailable())
    kernels = {kernel.name: kernel for kernel in ramiel._calibration_kernels()}
    twins = [name for name in kernels if name.endswith(" prepacked")]
    weighted = [k for k in kernels.values() if k.kind == "conv" and k.weight_bytes > 0]
    attention = ["matmul 1x4x128x64 @ 1x4x64x128 prepacked"] if ramiel.NATIVE_KERNELS else []
    assert {k.name + " prepacked" for k in weighted} <= set(twins)
    assert sorted(set(twins) - {k.name + " prepacked" for k in weighted}) == attention
    assert len(weighted) > 10
    with torch.no_grad():
        for name in twins:
            packed, eager = kernels[name], kernels[name[:-len(" prepacked")]]
            assert packed.kind == "conv" and packed.work == eager.work
            assert packed.weight_bytes == 0 and (eager.weight_bytes > 0 or name in attention)
            expected, actual = eager.function(), packed.function()
            assert actual.shape == expected.shape
            assert (actual - expected).abs().max() <= 1e-4 * expected.abs().max(), name


def test_prepacked_kernels_are_timed_without_the_python_call_programs_do_not_make(compiled):
    """Python's call of conv2d_run costs more than an aten op's; programs call it from
    TorchScript. The tiny prepacked convolution's extra over the tiny aten ops comes off each
    prepacked kernel's time, and off nothing else."""
    ramiel = compiled("branches").module.ramiel
    if ramiel.prepacking_unavailable():
        pytest.skip(ramiel.prepacking_unavailable())
    kernels = ramiel._calibration_kernels()
    tiny = [k for k in kernels if k.kind == "tiny"]
    assert any(k.name == ramiel._PREPACKED_CALL and k.prepacked for k in kernels)
    times = {k.name: 100.0 for k in kernels}
    times.update({k.name: 4.0 + index % 2 * 2 for index, k in enumerate(tiny)})
    dispatch = sum(times[k.name] for k in tiny) / len(tiny)
    times[ramiel._PREPACKED_CALL] = dispatch + 25
    before = dict(times)
    ramiel._without_prepacked_call(kernels, times)
    for kernel in kernels:
        if kernel.prepacked and kernel.kind == "conv":
            assert times[kernel.name] == pytest.approx(75.0), kernel.name
        elif not kernel.prepacked:
            assert times[kernel.name] == before[kernel.name], kernel.name


def test_a_pass_times_memory_bound_kernels_as_their_second_call_in_a_row(compiled):
    """A program's element-wise ops write into memory an op just freed: a pass calls each
    stream, in-place and vector kernel twice in a row and times the second call, with its
    inputs written in between; a convolution, whose weights a program reads cold, once."""
    ramiel = compiled("branches").module.ramiel
    events = []

    class Activation:  # what the pass writes before each timed call
        def __init__(self, name):
            self.name = name

        def mul_(self, value):
            events.append(self.name + " input")

    def kernel(name, kind):
        return ramiel._Kernel(name, kind, 1.0, 0.0, [Activation(name)],
                              lambda: events.append(name))

    kernels = [kernel("conv", "conv"), kernel("add", "stream"), kernel("relu_", "inplace"),
               kernel("gelu", "vector")]
    times = ramiel._time_pass_us(kernels)
    assert set(times) == {"conv", "add", "relu_", "gelu"}
    assert events == ["conv input", "conv",
                      "add", "add input", "add", "relu_", "relu_ input", "relu_",
                      "gelu", "gelu input", "gelu"]


def test_the_conv_fit_recovers_flop_and_weight_rates(compiled):
    """Times made from known rates (1000 FLOPs and 10 weight bytes per us) come back as those
    rates: the fit the profile's peak_gflops and weight_gbps come from."""
    fit = compiled("branches").module.ramiel._fit_flops_and_weights
    flops = [2e6, 5e5, 8e4, 3e6, 1e5]
    weights = [1e4, 2e5, 4e3, 9e5, 6e4]
    busy = [f / 1000 + w / 10 for f, w in zip(flops, weights)]
    flop_rate, weight_rate = fit(flops, weights, busy)
    assert flop_rate == pytest.approx(1000) and weight_rate == pytest.approx(10)


def test_the_conv_fit_leaves_weights_out_when_they_cost_nothing(compiled):
    """FLOPs alone explain the times: no weight rate (the profile then writes the built-in one),
    and the FLOP rate is total work over total time."""
    fit = compiled("branches").module.ramiel._fit_flops_and_weights
    flops = [2e6, 5e5, 8e4]
    flop_rate, weight_rate = fit(flops, [1e4, 2e5, 4e3], [f / 500 for f in flops])
    assert weight_rate is None and flop_rate == pytest.approx(500)


def test_the_conv_fit_follows_the_kernels_that_carry_the_time(compiled):
    """Long kernels run at the rates (1000 FLOPs and 10 weight bytes per us); the short ones, as
    small convolutions do, at 60% of them. The fitted rates must predict the long ones, which
    carry a program's time, within 3% (weighted alike, the short ones pulled their predicted
    total 26% over)."""
    fit = compiled("branches").module.ramiel._fit_flops_and_weights
    flops = [3e6, 2e6, 2.5e6, 4e4, 2e4, 3e4, 5e4, 1e4]
    weights = [2e5, 5e5, 1e4, 1e3, 4e3, 2e2, 8e2, 3e3]
    busy = [(f / 1000 + w / 10) * (1 if f > 1e6 else 1 / 0.6) for f, w in zip(flops, weights)]
    flop_rate, weight_rate = fit(flops, weights, busy)
    long_kernels = [(f, w, t) for f, w, t in zip(flops, weights, busy) if f > 1e6]
    predicted = sum(f / flop_rate + w / weight_rate for f, w, _ in long_kernels)
    assert predicted == pytest.approx(sum(t for _, _, t in long_kernels), rel=0.03)


def test_the_intra_op_fit_follows_the_kernels_that_carry_the_time(compiled):
    """Long kernels scale as the formula says (efficiency 1, half 64 us, sync 5 us); the many
    short ones run 30% faster at two threads than it says. The fit must follow the long ones,
    which carry a program's time (weighted alike, the short ones pull the long ones' predicted
    total 2.3% low)."""
    fit = compiled("branches").module.ramiel._fit_intra_op
    overhead = 4.0

    def wide(roofline, half=64.0, sync=5.0):
        return roofline / (1 + roofline / (roofline + half)) + overhead + sync

    long_kernels = [400.0, 800.0, 1600.0, 3200.0]
    short_kernels = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0] * 2
    measured = [wide(r) for r in long_kernels] + [0.7 * wide(r) for r in short_kernels]
    efficiency, half_us, sync_us = fit(long_kernels + short_kernels, measured, 2, overhead)
    predicted = sum(r / (1 + efficiency * r / (r + half_us)) + overhead + sync_us
                    for r in long_kernels)
    assert math.isclose(predicted, sum(wide(r) for r in long_kernels), rel_tol=0.015)
