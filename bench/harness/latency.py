"""Latency of several configurations side by side: interleaved rounds over long-lived workers.

Every configuration is loaded once in each of `processes` worker processes. After an excluded
warm-up, round r asks each configuration in turn for k timed iterations, on its worker r mod
`processes`, so all of them see the same machine state; only one runs at a time, and a short
pause between configurations lets the previous one's spinning thread pools go idle. The order
is shuffled every round (seeded, so a run can be repeated): a rotating order kept each
configuration behind the same one in every round, and whatever that one leaves behind (its data
in the caches, its threads' state) fell on the same configuration each time. Figures are medians
over the iterations of all rounds.

How many rounds: at least `rounds`, then more until the rounds have lasted `min_seconds` (at most
`max_rounds`, and always a whole turn of the processes). This machine's speed changes from one
moment to the next by more than the differences measured, and a fast model's rounds are short:
with 16 rounds for every model, SqueezeNet's lasted 14 s and Inception-v3's 34 s, and two
identical programs of SqueezeNet came out 9% apart. A time budget gives every model's figures
about the same share of the machine's changes to average over.

Why more than one process per configuration: the same program runs a few percent faster or
slower for the whole life of one process (where its buffers landed, measured: five processes of
one program, 30 interleaved rounds, medians 6.09-6.56 ms). Two configurations that each own one
process differ by that much even when they run the same code; alternating every configuration
between its processes averages it out of the comparison.
"""
import os
import random
import time

import numpy as np

from harness.protocol import Worker, WorkerError


ORDER_SEED = 12  # the rounds' shuffled orders: the same in every run


def summarize(samples):
    if not samples:
        return {}
    values = np.asarray(samples, dtype=float)
    return {"median_ms": float(np.median(values)), "p25_ms": float(np.percentile(values, 25)),
            "p75_ms": float(np.percentile(values, 75)), "min_ms": float(values.min()),
            "samples": len(samples)}


def _start(config, processes, scratch_dir):
    """The configuration's worker processes, still loading."""
    return [Worker(config.name, config.argv, wait=False,
                   log_path=os.path.join(scratch_dir, "%s.%d.log" % (config.name, index)))
            for index in range(processes)]


def _ready(config, workers, warmup, scratch_dir):
    """Waits for every worker of one configuration to load and warm up; returns its result
    fields (info from the first, the outputs of one run for the sanity check)."""
    result = {}
    for worker in workers:
        info = worker.wait_ready()
        result.setdefault("info", info)
        if warmup:
            worker.request({"cmd": "run", "iters": warmup})
    result["outputs_file"] = os.path.join(scratch_dir, config.name + ".outputs")
    workers[0].request({"cmd": "outputs", "path": result["outputs_file"]})
    return result


def another_round(done, rounds, processes, elapsed_s, min_seconds, max_rounds):
    """Whether to run round number `done` (counting from 0) after `elapsed_s` seconds of rounds:
    the first `rounds` always; then while under `min_seconds` and `max_rounds`, finishing the
    processes' turn so that each process runs as many rounds as the others."""
    if done < rounds:
        return True
    if max_rounds is not None and done >= max_rounds:
        return False
    return done % processes != 0 or elapsed_s < min_seconds


def measure(configs, rounds, iters, warmup, settle_s, scratch_dir, log, processes=2,
            min_seconds=0.0, max_rounds=None):
    """Results by configuration name: timing summary, per-round medians, each process's median,
    worker info, and the file holding the outputs of one run ("outputs_file") for the sanity
    check; a configuration that fails in any of its processes gets "error" and is left out of
    the rounds. Rounds: see the module's comment."""
    os.makedirs(scratch_dir, exist_ok=True)
    results, workers, starting = {}, {}, {}
    try:
        # Load every worker at once (loading is the slow part), then use them one at a time.
        for config in configs:
            result = results[config.name] = {"label": config.label, "family": config.family}
            if config.skip:
                result["skipped"] = config.skip
                continue
            try:
                starting[config.name] = _start(config, processes, scratch_dir)
            except OSError as error:
                result["error"] = str(error)
        for config in configs:
            if config.name not in starting:
                continue
            group = starting.pop(config.name)
            try:
                results[config.name].update(_ready(config, group, warmup, scratch_dir))
                workers[config.name] = group
            except WorkerError as error:
                results[config.name]["error"] = str(error)
                for worker in group:
                    worker.kill()
                log("  %s: %s" % (config.name, error))
        names = [c.name for c in configs if c.name in workers]
        rounds_by_name = {name: [] for name in names}
        by_process = {name: [[] for _ in range(processes)] for name in names}
        order = random.Random(ORDER_SEED)
        started, r = time.monotonic(), 0
        while workers and another_round(r, rounds, processes, time.monotonic() - started,
                                        min_seconds, max_rounds):
            for name in order.sample(names, len(names)):
                if name not in workers:
                    continue
                time.sleep(settle_s)
                try:
                    times = workers[name][r % processes].request(
                        {"cmd": "run", "iters": iters})["times_ms"]
                except WorkerError as error:
                    results[name]["error"] = str(error)
                    for worker in workers.pop(name):
                        worker.kill()
                    continue
                by_process[name][r % processes].extend(times)
                rounds_by_name[name].append(float(np.median(times)))
            r += 1
            log("  round %d (%.0f s): %s" % (r, time.monotonic() - started, "  ".join(
                "%s %.1f" % (n, rounds_by_name[n][-1]) for n in names if rounds_by_name[n]
                and n in workers)))
        for name in names:
            results[name].update(summarize(
                [t for times in by_process[name] for t in times]))
            results[name]["round_medians_ms"] = rounds_by_name[name]
            results[name]["process_medians_ms"] = [float(np.median(times))
                                                   for times in by_process[name] if times]
    finally:
        for group in list(starting.values()) + list(workers.values()):
            for worker in group:
                worker.close()
    return results
