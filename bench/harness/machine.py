"""What the results were measured on: CPU, cores, memory, software versions, load."""
import datetime
import os
import platform
import subprocess


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _node_version():
    try:
        return subprocess.run(["node", "--version"], stdout=subprocess.PIPE, text=True,
                              timeout=30).stdout.strip() or None
    except (OSError, subprocess.TimeoutExpired):
        return None


def load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def describe():
    import torch

    return {"cpu": _cpu_model(), "cores": len(os.sched_getaffinity(0)),
            "memory_gb": _memory_gb(), "kernel": platform.release(),
            "python": platform.python_version(), "torch": torch.__version__,
            "node": _node_version(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_average_at_start": load_average()}
