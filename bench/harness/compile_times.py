"""Compile time: per stage for the reference models (medians of repeated ramiel-client runs),
and the scheduler's growth on random DAGs (bench/schedule_scaling)."""
import json
import os
import re
import shutil
import statistics
import subprocess
import time

from harness.models import compile_model

STAGES = ["import", "passes", "cost", "schedule", "codegen", "total"]


def _stages_from_stdout(text):
    """Stage times from the client's 'compile: import 1.0 ms, ...' line (when schedule.json
    carries none)."""
    match = re.search(r"^compile: (.*)$", text, re.MULTILINE)
    if not match:
        return {}
    return {name: float(ms) for name, ms in re.findall(r"(\w+) ([0-9.]+) ms", match.group(1))}


def model_compile_times(client, onnx, scratch, workers, runs):
    """Medians over `runs` compiles: each stage, the core compile (after import), the client
    process wall time."""
    per_stage = {s: [] for s in STAGES}
    wall = []
    for r in range(runs):
        out = os.path.join(scratch, "run%d" % r)
        start = time.perf_counter()
        schedule, _ = compile_model(client, onnx, out, workers, quiet=True)
        wall.append((time.perf_counter() - start) * 1e3)
        timings = schedule.get("timings_ms")
        if not timings:  # kept out of schedule.json: ask the client's own report instead
            _, stdout = compile_model(client, onnx, out, workers, quiet=False)
            timings = _stages_from_stdout(stdout)
        for stage in STAGES:
            if stage in timings:
                per_stage[stage].append(timings[stage])
        shutil.rmtree(out, ignore_errors=True)
    result = {stage: statistics.median(v) for stage, v in per_stage.items() if v}
    if "total" in result and "import" in result:
        after = [t - i for t, i in zip(per_stage["total"], per_stage["import"])]
        result["after_import"] = statistics.median(after)
    result["client_wall"] = statistics.median(wall)
    result["runs"] = runs
    return result


def dag_scaling(binary, json_path, runs):
    """schedule_scaling's JSON (sizes 1k, 10k, 100k; medians of `runs`; fitted exponents)."""
    subprocess.run([binary, "--runs", str(runs), "--json", json_path], check=True,
                   stdout=subprocess.DEVNULL)
    with open(json_path) as f:
        return json.load(f)
