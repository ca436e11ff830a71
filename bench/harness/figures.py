"""Derived figures of one model's latency results: best runs per family and the ratios."""
import math
import random
import statistics

SERIAL = ("serial-1", "serial-all")
PARALLEL = ("thread", "process", "pgo")
TORCH = ("torch-1", "torch-all")
ORT = ("ort-seq-1", "ort-seq-all", "ort-parallel")
ORDER = TORCH + SERIAL + PARALLEL + ORT
# Ramiel as a user runs it: load(onnx) with defaults (thread mode, the schedule's workers) or
# the profile-guided compile; the better of the two. Issue #12 compares it with ONNX Runtime's
# sequential executor at every core.
AS_RUN = ("thread", "pgo")
ORT_REFERENCE = "ort-seq-all"


def median(configs, name):
    return configs.get(name, {}).get("median_ms")


def best(configs, names):
    """(name, median) of the fastest measured configuration among `names`, or (None, None)."""
    measured = [(configs[n]["median_ms"], n) for n in names if median(configs, n)]
    if not measured:
        return None, None
    ms, name = min(measured)
    return name, ms


def derive(configs):
    """Best serial, parallel (the default modes; the profile-guided one apart), PyTorch, ORT
    and Ramiel runs, Ramiel as run against ORT's reference, and each configuration's speedup
    over the best serial run."""
    out = {}
    for key, names in (("serial", SERIAL), ("parallel", ("thread", "process")),
                       ("torch", TORCH), ("ort", ORT), ("ramiel", SERIAL + PARALLEL)):
        name, ms = best(configs, names)
        out["best_" + key] = {"config": name, "median_ms": ms}
    base = out["best_serial"]["median_ms"]
    out["speedup_vs_best_serial"] = {
        n: base / configs[n]["median_ms"] for n in ORDER if base and median(configs, n)}
    serial1 = median(configs, "serial-1")
    parallel = out["best_parallel"]["median_ms"]
    out["parallel_vs_serial_1"] = serial1 / parallel if serial1 and parallel else None
    out["parallel_vs_best_serial"] = base / parallel if base and parallel else None
    torch_best = out["best_torch"]["median_ms"]
    out["serial_vs_torch"] = torch_best / base if torch_best and base else None
    ort_best, ramiel_best = out["best_ort"]["median_ms"], out["best_ramiel"]["median_ms"]
    out["ramiel_over_ort"] = ramiel_best / ort_best if ort_best and ramiel_best else None
    pgo = median(configs, "pgo")
    out["pgo_vs_best_serial"] = base / pgo if base and pgo else None
    name, as_run = best(configs, AS_RUN)
    out["ramiel_as_run"] = {"config": name, "median_ms": as_run}
    ort_ms = median(configs, ORT_REFERENCE)
    out["ort_reference"] = {"config": ORT_REFERENCE, "median_ms": ort_ms}
    out["as_run_over_ort_reference"] = as_run / ort_ms if as_run and ort_ms else None
    out["intervals"] = _intervals(configs, out)
    return out


INTERVAL_LEVEL = 0.90
MIN_ROUNDS = 4  # fewer rounds than this give no interval


def ratio_interval(numerator_rounds, denominator_rounds, resamples=2000, seed=0):
    """The INTERVAL_LEVEL bootstrap interval [low, high] of median(numerator) /
    median(denominator) over the per-round medians, the rounds resampled with both
    configurations' medians together (they ran side by side in a round); None with fewer than
    MIN_ROUNDS rounds. How far the run's noise alone could move a ratio."""
    rounds = min(len(numerator_rounds), len(denominator_rounds))
    if rounds < MIN_ROUNDS:
        return None
    rng = random.Random(seed)
    ratios = []
    for _ in range(resamples):
        picks = [rng.randrange(rounds) for _ in range(rounds)]
        ratios.append(statistics.median(numerator_rounds[i] for i in picks) /
                      statistics.median(denominator_rounds[i] for i in picks))
    ratios.sort()
    tail = (1 - INTERVAL_LEVEL) / 2
    return [ratios[int(tail * resamples)], ratios[int((1 - tail) * resamples) - 1]]


def _intervals(configs, derived):
    """ratio_interval of each target's figure: the parallel configurations over the best
    serial run, Ramiel as run over ONNX Runtime's reference."""
    def rounds(name):
        return configs.get(name, {}).get("round_medians_ms", [])

    base = derived["best_serial"]["config"]
    out = {"speedup_vs_best_serial": {
        n: ratio_interval(rounds(base), rounds(n)) for n in PARALLEL if base and rounds(n)}}
    as_run = derived["ramiel_as_run"]["config"]
    out["as_run_over_ort_reference"] = (ratio_interval(rounds(as_run), rounds(ORT_REFERENCE))
                                        if as_run else None)
    return out


def geomean_over_ort(latency):
    """The geometric mean of Ramiel as run / ORT's reference over the models that have both,
    and those models' labels: (None, []) when none has."""
    ratios = [(m["label"], m["derived"]["as_run_over_ort_reference"]) for m in latency.values()
              if m.get("derived", {}).get("as_run_over_ort_reference")]
    if not ratios:
        return None, []
    mean = math.exp(sum(math.log(r) for _, r in ratios) / len(ratios))
    return mean, [label for label, _ in ratios]
