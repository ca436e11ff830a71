#!/usr/bin/env python3
"""Drift of the machine during a run: a fixed calibration kernel timed again and again.

A cloud VM's speed moves under a long run (a neighbour's load, frequency scaling, a host
migration), and interleaving only makes the configurations of one model comparable with each
other. Timing the same small kernel at the start, before each model's latency section and at
the end shows whether the machine itself changed between models. The kernel runs in a fresh
interpreter (python3 drift.py) at one intra-op thread, so no worker's thread pool or state
shares it: a GoogLeNet-sized 3x3 convolution and a 1024x1024 matmul, each the median of
repeated runs after a warm-up.
"""
import datetime
import json
import os
import subprocess
import sys

THRESHOLD_PCT = 5.0  # a larger change of either kernel from the start is reported as drift
KERNELS = {"conv_ms": "3x3 convolution 1x128x28x28 -> 192 channels (GoogLeNet's inception 3b)",
           "matmul_ms": "1024x1024 by 1024x1024 matmul"}
WARMUP, REPEATS = 3, 11


def _kernel_medians():
    """Runs in the fresh interpreter: each kernel's median time in ms at one thread."""
    import statistics
    import time

    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    x, w = torch.randn(1, 128, 28, 28), torch.randn(192, 128, 3, 3)
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    kernels = {"conv_ms": lambda: torch.nn.functional.conv2d(x, w, padding=1),
               "matmul_ms": lambda: torch.mm(a, b)}
    out = {}
    with torch.no_grad():
        for key, kernel in kernels.items():
            for _ in range(WARMUP):
                kernel()
            times = []
            for _ in range(REPEATS):
                start = time.perf_counter()
                kernel()
                times.append((time.perf_counter() - start) * 1e3)
            out[key] = statistics.median(times)
    return out


def calibrate(when, python=sys.executable):
    """One timing of the calibration kernel in a fresh process: {"when", "time" (UTC, ISO
    8601), "conv_ms", "matmul_ms"}, or "error" in place of the times."""
    entry = {"when": when, "time": datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")}
    env = dict(os.environ, OMP_NUM_THREADS="1")
    try:
        done = subprocess.run([python, os.path.abspath(__file__)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=300, env=env,
                              check=True)
        entry.update(json.loads(done.stdout))
    except (OSError, subprocess.SubprocessError, ValueError) as error:
        entry["error"] = str(error)[:300]
    return entry


def summarize(timings):
    """The run's drift: every timing, each one's change from the first in percent, the
    largest change (either kernel) and whether it exceeds THRESHOLD_PCT."""
    measured = [t for t in timings if "error" not in t]
    start = measured[0] if measured else None
    largest, at, kernel = None, None, None
    for t in measured:
        t["change_pct"] = {k: (t[k] / start[k] - 1) * 100 for k in KERNELS}
        for key, change in t["change_pct"].items():
            if largest is None or abs(change) > abs(largest):
                largest, at, kernel = change, t["when"], key
    return {"kernels": KERNELS, "threads": 1, "repeats": REPEATS,
            "threshold_pct": THRESHOLD_PCT, "timings": timings, "largest_change_pct": largest,
            "largest_change_at": at, "largest_change_kernel": kernel,
            "drifted": None if largest is None else abs(largest) > THRESHOLD_PCT}


if __name__ == "__main__":
    print(json.dumps(_kernel_medians()))
