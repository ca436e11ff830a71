"""Latency of several configurations side by side: interleaved rounds over long-lived workers.

Every configuration is a worker process loaded once. After an excluded warm-up, round r asks
each configuration in turn (the starting one rotates every round) for k timed iterations, so
all of them see the same machine state; only one runs at a time, and a short pause between
configurations lets the previous one's spinning thread pools go idle. Figures are medians over
the iterations of all rounds.
"""
import os
import time

import numpy as np

from harness.protocol import Worker, WorkerError


def summarize(samples):
    if not samples:
        return {}
    values = np.asarray(samples, dtype=float)
    return {"median_ms": float(np.median(values)), "p25_ms": float(np.percentile(values, 25)),
            "p75_ms": float(np.percentile(values, 75)), "min_ms": float(values.min()),
            "samples": len(samples)}


def measure(configs, rounds, iters, warmup, settle_s, scratch_dir, log):
    """Results by configuration name: timing summary, per-round medians, worker info, and the
    file holding the outputs of one run ("outputs_file") for the sanity check; a configuration
    that fails gets "error" and is left out of the rounds."""
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
                starting[config.name] = Worker(
                    config.name, config.argv, wait=False,
                    log_path=os.path.join(scratch_dir, config.name + ".log"))
            except OSError as error:
                result["error"] = str(error)
        for config in configs:
            if config.name not in starting:
                continue
            result, worker = results[config.name], starting.pop(config.name)
            try:
                result["info"] = worker.wait_ready()
                if warmup:
                    worker.request({"cmd": "run", "iters": warmup})
                result["outputs_file"] = os.path.join(scratch_dir, config.name + ".outputs")
                worker.request({"cmd": "outputs", "path": result["outputs_file"]})
                workers[config.name] = worker
            except WorkerError as error:
                result["error"] = str(error)
                worker.kill()
                log("  %s: %s" % (config.name, error))
        names = [c.name for c in configs if c.name in workers]
        samples = {name: [] for name in names}
        rounds_by_name = {name: [] for name in names}
        for r in range(rounds):
            shift = r % len(names) if names else 0
            for name in names[shift:] + names[:shift]:
                if name not in workers:
                    continue
                time.sleep(settle_s)
                try:
                    times = workers[name].request({"cmd": "run", "iters": iters})["times_ms"]
                except WorkerError as error:
                    results[name]["error"] = str(error)
                    workers.pop(name).kill()
                    continue
                samples[name].extend(times)
                rounds_by_name[name].append(float(np.median(times)))
            log("  round %d/%d: %s" % (r + 1, rounds, "  ".join(
                "%s %.1f" % (n, rounds_by_name[n][-1]) for n in names if rounds_by_name[n]
                and n in workers)))
        for name in names:
            results[name].update(summarize(samples[name]))
            results[name]["round_medians_ms"] = rounds_by_name[name]
    finally:
        for worker in list(starting.values()) + list(workers.values()):
            worker.close()
    return results
