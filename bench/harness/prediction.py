"""The cost model's prediction against the measured serial run, per model, and the device profile
it predicted with (calibrated at the start of the run by a compiled program's --calibrate, or a
file named on the command line).

schedule.json's prediction.serial_us is the sum of every node's cost at the profile's cores: the
program run serially with every core as intra-op threads, which is the `serial-all`
configuration (workers=1, threads=cores)."""
import os
import subprocess

MEASURED = "serial-all"
TOLERANCE = 0.20  # issue #12: predicted serial within 20% of measured, each model


def calibrate(python, program, path, quick, log):
    """Runs `model.py --calibrate PATH` (its progress goes to the log); raises RuntimeError."""
    argv = [python, program, "--calibrate", path] + (["--calibrate-quick"] if quick else [])
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=900)
    for line in done.stdout.splitlines():
        log("  " + line)
    if done.returncode != 0 or not os.path.exists(path):
        raise RuntimeError("%s --calibrate failed (%d): %s" % (program, done.returncode,
                                                               done.stdout.strip()[-300:]))


def compare(predicted_serial_ms, configs):
    """{predicted_ms, measured_ms, ratio (predicted / measured), within (the 20% target)};
    measured and ratio are None when serial-all has no median."""
    measured = configs.get(MEASURED, {}).get("median_ms")
    ratio = predicted_serial_ms / measured if measured and predicted_serial_ms else None
    return {"predicted_ms": predicted_serial_ms, "measured_ms": measured, "ratio": ratio,
            "within": None if ratio is None else abs(ratio - 1) <= TOLERANCE}


def rows(latency):
    """(label, comparison) per model that has a prediction."""
    return [(model["label"], model["prediction"]) for model in latency.values()
            if model.get("prediction")]
