#!/usr/bin/env python3
"""Soak test of ramiel-server: N concurrent clients for a bounded time, good models and the
hostile-model corpus mixed, the memory cache disabled so that every answer goes through the disk
tier or a compile worker.

    /usr/bin/python3 bench/server_soak.py --build build [--clients 16] [--minutes 10]
                                          [--models-dir build/models] [--out bench/results]

Starts the real ramiel-server on loopback (temporary cache) and drives it with the C++ load
generator in soak mode (tests/server/load_generator.cc). Every good model must compile; every
hostile one must be refused with INVALID_ARGUMENT, UNIMPLEMENTED or RESOURCE_EXHAUSTED; anything
else (INTERNAL, UNAVAILABLE, a deadline, a crash of the server) is an unexpected error. The run
has two phases, a one-minute warm-up and the rest; between them and after the last, with no
request in flight, the server's RSS is read. Its growth is the second reading less the first: what
the whole main phase left behind. Under load RSS follows the uploads in flight (a hostile model is
up to 64 MiB, held while it uploads), so those samples (every 5 s) give the peak, not the growth.
Writes server_soak.json and server_soak.md into --out; exits 1 on any unexpected error or if the
server stops answering health.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "server", "system"))

import models  # noqa: E402
from ramiel_harness import Server  # noqa: E402

MIB = 1 << 20


def build_mix(mix_dir, models_dir):
    """good-*.onnx: small branchy models and the reference models found; bad-*: the corpus."""
    for seed in range(6):
        models.branchy(os.path.join(mix_dir, f"good-branchy{seed}.onnx"), branches=2 + seed % 3,
                       seed=seed)
    for name in ("squeezenet1_0", "googlenet"):
        path = os.path.join(models_dir or "", f"{name}.onnx")
        if models_dir and os.path.exists(path):
            os.symlink(os.path.abspath(path), os.path.join(mix_dir, f"good-{name}.onnx"))
    corpus = tempfile.mkdtemp(prefix="ramiel-hostile-")
    subprocess.run([sys.executable, os.path.join(ROOT, "tests", "hostile", "make_hostile_models.py"),
                    corpus], check=True, capture_output=True)
    for name in sorted(os.listdir(corpus)):
        os.rename(os.path.join(corpus, name), os.path.join(mix_dir, f"bad-{name}"))
    return sorted(os.listdir(mix_dir))


def idle_rss_bytes(pid, settle_seconds=12):
    """The server's RSS once the requests of a phase have ended, their buffers are freed, and the
    server's trimmer (every 5 s) has handed freed memory back to the kernel."""
    time.sleep(settle_seconds)
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))


def run_phase(tool, server, mix_dir, seconds, clients):
    proc = subprocess.run([tool, "--server", server.address, "--mode", "soak", "--mix-dir", mix_dir,
                           "--duration", str(seconds), "--concurrency", str(clients),
                           "--server-pid", str(server.proc.pid)],
                          capture_output=True, text=True, timeout=seconds + 600)
    if not proc.stdout.strip():
        raise RuntimeError(f"load generator failed: {proc.stderr}")
    return json.loads(proc.stdout)


def merge_phases(warm_up, main):
    """One report for both phases: counts added, latencies and samples of the main phase."""
    report = dict(main)
    report["seconds"] = warm_up["seconds"] + main["seconds"]
    report["requests"] = warm_up["requests"] + main["requests"]
    report["requests_per_second"] = report["requests"] / report["seconds"]
    report["unexpected"] = warm_up["unexpected"] + main["unexpected"]
    report["unexpected_examples"] = {**warm_up["unexpected_examples"], **main["unexpected_examples"]}
    report["by_code"] = {key: warm_up["by_code"].get(key, 0) + main["by_code"].get(key, 0)
                         for key in sorted(set(warm_up["by_code"]) | set(main["by_code"]))}
    offset = warm_up["seconds"]
    report["server_rss_bytes"] = warm_up["server_rss_bytes"] + [
        [t + offset, b] for t, b in main["server_rss_bytes"]]
    return report


def markdown(report, server_flags):
    lat = report["latency_ms"]
    lines = [
        "# Server soak", "",
        f"{report['concurrency']} clients for {report['seconds']:.0f} s against one ramiel-server "
        f"(`{' '.join(server_flags)}`), {report['models']} models "
        f"({report['good_models']} good, {report['models'] - report['good_models']} hostile), "
        f"measured {report['date']} on {report['machine']}.", "",
        "| figure | value |", "|---|---|",
        f"| requests | {report['requests']} ({report['requests_per_second']:.1f}/s) |",
        f"| unexpected errors | {report['unexpected']} |",
        f"| good: p50 / p99 / max ms | {lat['good']['p50']:.1f} / {lat['good']['p99']:.1f} / "
        f"{lat['good']['max']:.1f} |",
        f"| hostile: p50 / p99 / max ms | {lat['bad']['p50']:.1f} / {lat['bad']['p99']:.1f} / "
        f"{lat['bad']['max']:.1f} |",
        f"| server RSS idle after the warm-up minute / idle at the end / peak under load, MiB | "
        f"{report['rss_baseline_mib']:.1f} / {report['rss_end_mib']:.1f} / "
        f"{report['rss_peak_mib']:.1f} |",
        f"| server RSS growth over the main phase | {report['rss_growth_mib']:+.1f} MiB |", "",
        "Answers by model kind and status code:", "",
        "| answer | count |", "|---|---|",
    ]
    lines += [f"| {key} | {count} |" for key, count in sorted(report["by_code"].items())]
    if report["unexpected_examples"]:
        lines += ["", "Unexpected answers (first per model):", ""]
        lines += [f"- `{name}`: {text}" for name, text in sorted(report["unexpected_examples"].items())]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--models-dir", default=None, help="reference models (build/models)")
    parser.add_argument("--out", default=os.path.join(HERE, "results"))
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    os.environ.setdefault("RAMIEL_SERVER", os.path.join(build, "server", "ramiel-server"))
    os.environ.setdefault("RAMIEL_CLIENT", os.path.join(build, "client", "ramiel-client"))
    tool = os.path.join(build, "tests", "server", "ramiel_server_load")
    models_dir = args.models_dir or os.path.join(build, "models")

    work = tempfile.mkdtemp(prefix="ramiel-soak-")
    mix_dir = os.path.join(work, "mix")
    os.makedirs(mix_dir)
    names = build_mix(mix_dir, models_dir)
    # Every client shares 127.0.0.1, so the per-peer slots are opened to the whole load.
    flags = ["--memory-cache-bytes", "0", "--max-uploads-per-peer", str(4 * args.clients),
             "--max-compiles-per-peer", str(4 * args.clients), "--no-request-log"]
    seconds = args.minutes * 60
    warm_up_seconds = min(60.0, seconds / 2)
    with Server(os.path.join(work, "server"), *flags) as server:
        warm_up = run_phase(tool, server, mix_dir, warm_up_seconds, args.clients)
        rss_after_warm_up = idle_rss_bytes(server.proc.pid)
        main_phase = run_phase(tool, server, mix_dir, seconds - warm_up_seconds, args.clients)
        rss_at_end = idle_rss_bytes(server.proc.pid)
        report = merge_phases(warm_up, main_phase)
        report["server_serving_after"] = subprocess.run(
            [os.environ["RAMIEL_CLIENT"], "health", "--server", server.address],
            capture_output=True).returncode == 0
    samples = report.pop("server_rss_bytes")
    report.update({
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{os.cpu_count()} CPUs, {os.uname().release}",
        "good_models": sum(n.startswith("good-") for n in names),
        "rss_baseline_mib": rss_after_warm_up / MIB, "rss_end_mib": rss_at_end / MIB,
        "rss_peak_mib": max(b for _, b in samples) / MIB,
        "rss_growth_mib": (rss_at_end - rss_after_warm_up) / MIB,
        "rss_samples": samples,
    })
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "server_soak.json"), "w") as f:
        json.dump(report, f, indent=1)
    with open(os.path.join(args.out, "server_soak.md"), "w") as f:
        f.write(markdown(report, ["ramiel-server"] + flags))
    print(markdown(report, ["ramiel-server"] + flags))
    ok = report["unexpected"] == 0 and report["server_serving_after"]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
