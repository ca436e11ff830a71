#!/usr/bin/env python3
"""Cache-hit and cache-miss latency and cache-hit throughput of ramiel-server, measured side by
side in one run on loopback.

    /usr/bin/python3 bench/server_load.py --build build [--model M.onnx] [--workers 2]

Starts the real ramiel-server (temporary cache), then drives it with the C++ load generator
(tests/server/load_generator.cc, target ramiel_server_load) and with the real ramiel-client:
  miss         Compile upload with a fresh model name each call: every call compiles
  compile-hit  Compile upload of a model the server has cached: upload + cache answer
  lookup-hit   Lookup of a cached model: what a device does before deciding to upload
  client-hit   `ramiel-client compile --server` end to end (process start, Lookup, write files)
Prints one JSON object per scenario and a summary table (medians, p99, requests per second).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "server", "system"))

from ramiel_harness import Server  # noqa: E402


def load(tool, server, model, mode, concurrency, requests, workers):
    proc = subprocess.run([tool, "--server", server.address, "--model", model, "--mode", mode,
                           "--concurrency", str(concurrency), "--requests", str(requests),
                           "--workers", str(workers)],
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed: {proc.stdout}{proc.stderr}")
    report = json.loads(proc.stdout)
    report["scenario"] = f"{mode} x{concurrency}"
    return report


def client_hits(client, server, model, runs, workers):
    times = []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            begin = time.perf_counter()
            proc = subprocess.run([client, "compile", model, "-o", out, "--server", server.address,
                                   "-q", "--workers", str(workers)],
                                  capture_output=True, text=True, timeout=300)
            times.append((time.perf_counter() - begin) * 1000)
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr)
    times.sort()
    return {"scenario": "client-hit x1", "mode": "client-hit", "requests": runs,
            "latency_ms": {"p50": statistics.median(times), "p99": times[-1], "mean": statistics.mean(times)},
            "requests_per_second": 1000 / statistics.mean(times)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build", help="build directory with the binaries")
    parser.add_argument("--model", help="ONNX model (default: googlenet from BUILD/models)")
    parser.add_argument("--workers", type=int, default=2, help="compile option: parallel workers")
    parser.add_argument("--server-workers", type=int, default=2, help="ramiel-server --workers")
    parser.add_argument("--miss-requests", type=int, default=10)
    parser.add_argument("--hit-requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8, help="clients for the throughput runs")
    parser.add_argument("--out", help="also write the reports to this JSON file")
    args = parser.parse_args()

    build = os.path.abspath(args.build)
    os.environ["RAMIEL_SERVER"] = os.path.join(build, "server", "ramiel-server")
    os.environ["RAMIEL_CLIENT"] = os.path.join(build, "client", "ramiel-client")
    tool = os.path.join(build, "tests", "server", "ramiel_server_load")
    model = args.model or os.path.join(build, "models", "googlenet.onnx")
    if not os.path.exists(model):
        sys.exit(f"no model at {model}: pass --model or run ctest -R export_reference_models")

    reports = []
    with tempfile.TemporaryDirectory() as work:
        with Server(work, "--no-request-log", workers=args.server_workers) as server:
            reports.append(load(tool, server, model, "miss", 1, args.miss_requests, args.workers))
            # Warm the cache entry the hit scenarios read (model name "load").
            load(tool, server, model, "compile", 1, 1, args.workers)
            reports.append(load(tool, server, model, "compile", 1, max(50, args.hit_requests // 20),
                                args.workers))
            reports.append(load(tool, server, model, "lookup", 1, args.hit_requests, args.workers))
            reports.append(load(tool, server, model, "lookup", args.concurrency, args.hit_requests * 4,
                                args.workers))
            reports.append(load(tool, server, model, "compile", args.concurrency,
                                max(200, args.hit_requests // 4), args.workers))
            # The client names the model after the file stem: warm that entry, then measure.
            client_hits(os.environ["RAMIEL_CLIENT"], server, model, 1, args.workers)
            reports.append(client_hits(os.environ["RAMIEL_CLIENT"], server, model, 20, args.workers))

    for report in reports:
        print(json.dumps(report))
    print(f"\nmodel {model} ({os.path.getsize(model)} bytes); {os.cpu_count()} CPUs shared by "
          f"server and load generator")
    print(f"{'scenario':<16}{'p50 ms':>10}{'p99 ms':>10}{'req/s':>12}")
    for r in reports:
        lat = r["latency_ms"]
        print(f"{r['scenario']:<16}{lat['p50']:>10.3f}{lat['p99']:>10.3f}{r['requests_per_second']:>12.1f}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(reports, f, indent=2)


if __name__ == "__main__":
    main()
