"""Peak memory (RSS) of configurations, each in a fresh process: load, run n times, then read
the peak RSS of the worker and of every process it started (process-mode workers)."""
import os

from harness.protocol import Worker, WorkerError


def _summary(report, iters):
    children = sum(report["children_peak_kb"])
    return {"peak_rss_mb": (report["self_peak_kb"] + children) / 1024.0,
            "self_mb": report["self_peak_kb"] / 1024.0, "children_mb": children / 1024.0,
            "processes": 1 + len(report["children_peak_kb"]), "pss_mb": report["pss_kb"] / 1024.0,
            "iters": iters}


def peak_memory(configs, iters, scratch_dir):
    """{key: {peak_rss_mb (worker + descendants), self_mb, children_mb, pss_mb} or {error}}
    for `configs` ({key: Config}). The processes load at the same time (RSS is per process)
    and run one after another."""
    out, started = {}, {}
    for key, config in configs.items():
        try:
            started[key] = Worker(config.name + "-memory", config.argv, wait=False,
                                  log_path=os.path.join(scratch_dir,
                                                        config.name + ".memory.log"))
        except OSError as error:
            out[key] = {"error": str(error)}
    for key, worker in started.items():
        try:
            worker.wait_ready()
            out[key] = _summary(worker.request({"cmd": "memory", "iters": iters}), iters)
        except WorkerError as error:
            out[key] = {"error": str(error)}
        finally:
            worker.close()
    return out
