#!/usr/bin/python3
"""Measures a Ramiel device profile (core/cost/device_profile.h) on this machine.

The generated programs are PyTorch eager code run from Python threads, one intra-op thread per
worker, so everything here runs with torch.set_num_threads(1) and is timed from Python: the
numbers include the interpreter's dispatch cost exactly as the generated code pays it.

Prints the profile as JSON (the format --device-profile reads) and, with --verbose, every
measurement behind it. Each figure is the median of several timed repetitions, so a burst of
load from other processes moves it little.

Usage: /usr/bin/python3 bench/calibrate_profile.py [--out FILE] [--name NAME] [--verbose]
"""

import argparse
import json
import statistics
import sys
import threading
import time

import torch


def median_seconds(fn, inner, repeats):
    """Median over `repeats` runs of the time of one call of fn, averaged over `inner` calls."""
    fn()  # warm-up: first calls allocate and pick kernels
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner)
    return statistics.median(samples)


def conv_gflops():
    # A GoogLeNet-sized 3x3 convolution: what the compiled models spend most time in.
    x = torch.randn(1, 64, 56, 56)
    w = torch.randn(64, 64, 3, 3)
    flops = 2.0 * 64 * 56 * 56 * 64 * 9
    seconds = median_seconds(lambda: torch.nn.functional.conv2d(x, w, padding=1), 5, 9)
    return flops / seconds / 1e9


def matmul_gflops():
    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)
    flops = 2.0 * 1024**3
    seconds = median_seconds(lambda: torch.matmul(a, b), 2, 7)
    return flops / seconds / 1e9


def memory_gbps():
    # Far larger than any cache: 3 x 64 MiB streamed per add.
    n = 16 * 1024 * 1024
    a = torch.randn(n)
    b = torch.randn(n)
    out = torch.empty(n)
    seconds = median_seconds(lambda: torch.add(a, b, out=out), 3, 9)
    return 3.0 * n * 4 / seconds / 1e9


def op_overhead_us():
    """Mean dispatch cost of the ops generated programs call most, on tensors too small to
    compute anything: Python call, argument parsing, kernel selection and allocation."""
    F = torch.nn.functional
    x = torch.randn(1, 4, 4, 4)
    w = torch.randn(4, 4, 1, 1)
    b = torch.randn(4)
    var = b.abs()
    fc = torch.randn(4, 64)
    tiny_ops = [
        lambda: F.conv2d(x, w, b, stride=[1, 1], padding=[0, 0], dilation=[1, 1], groups=1),
        lambda: F.relu(x),
        lambda: torch.add(x, x),
        lambda: F.max_pool2d(x, 3, stride=1, padding=1),
        lambda: torch.cat([x, x], dim=1),
        lambda: torch.reshape(x, (1, -1)),
        lambda: F.batch_norm(x, b, var, b, b, False, 0.1, 1e-5),
        lambda: F.linear(x.reshape(1, -1), fc),
        lambda: torch.softmax(x, dim=1),
    ]
    return statistics.mean(median_seconds(op, 1000, 7) for op in tiny_ops) * 1e6


def pool_gops(channels_last):
    # 3x3/2 max pooling of a GoogLeNet stem activation; one "op" is one window element.
    x = torch.randn(1, 64, 112, 112)
    if channels_last:
        x = x.contiguous(memory_format=torch.channels_last)
    ops = 64.0 * 56 * 56 * 9
    seconds = median_seconds(
        lambda: torch.nn.functional.max_pool2d(x, 3, stride=2, padding=1), 5, 9)
    return ops / seconds / 1e9


class PingPong:
    """Two threads handing a token back and forth with threading.Event, as workers do."""

    def __init__(self, payload_fn=None):
        self.ping = threading.Event()
        self.pong = threading.Event()
        self.payload_fn = payload_fn
        self.rounds = 0
        self.box = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        torch.set_num_threads(1)
        while True:
            self.ping.wait()
            self.ping.clear()
            if self.rounds < 0:
                return
            if self.payload_fn is not None:
                self.payload_fn(self.box)
            self.pong.set()

    def round_trip(self):
        self.ping.set()
        self.pong.wait()
        self.pong.clear()

    def stop(self):
        self.rounds = -1
        self.ping.set()
        self.thread.join()


def transfer_latency_us():
    # Half a round trip: one hand-off from a producer thread to a waiting consumer thread.
    pp = PingPong()
    seconds = median_seconds(pp.round_trip, 500, 9)
    pp.stop()
    return seconds / 2 * 1e6


def transfer_gbps(memory):
    """Extra cost per byte when a tensor written by one thread is read by another.

    The consumer's read of a tensor the producer just wrote misses in its own caches. For
    several sizes we time "fill here, sum on the other thread" against "fill and sum here, then
    the same hand-off", and fit the extra time against the bytes: the slope is the transfer
    cost per byte (the intercept belongs to the latency measured above). A cross-core read never
    costs more than streaming from memory, so the rate is capped by memory bandwidth; that cap is
    also the answer when the slope is lost in the noise.
    """
    sizes, extras = [], []
    for n in (64 * 1024, 256 * 1024, 1024 * 1024, 4096 * 1024):
        x = torch.empty(n)
        sink = torch.empty(())

        def consume(_, x=x, sink=sink):
            torch.sum(x, dim=0, out=sink)

        pp = PingPong(consume)

        def remote(x=x, pp=pp):
            x.fill_(1.0)
            pp.round_trip()

        def local(x=x, pp=pp, consume=consume):
            x.fill_(1.0)
            consume(None)
            pp.payload_fn = None
            pp.round_trip()
            pp.payload_fn = consume

        extras.append(median_seconds(remote, 100, 9) - median_seconds(local, 100, 9))
        sizes.append(n * 4.0)
        pp.stop()
    mean_b = statistics.mean(sizes)
    mean_t = statistics.mean(extras)
    slope = sum((b - mean_b) * (t - mean_t) for b, t in zip(sizes, extras)) / sum(
        (b - mean_b) ** 2 for b in sizes)
    if slope <= 0:
        return memory, sizes, extras
    return min(memory, 1.0 / slope / 1e9), sizes, extras


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the profile JSON here instead of stdout")
    parser.add_argument("--name", default="calibrated", help="profile name")
    parser.add_argument("--verbose", action="store_true", help="print every measurement")
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(0)
    conv = conv_gflops()
    matmul = matmul_gflops()
    memory = memory_gbps()
    overhead = op_overhead_us()
    pool_nchw = pool_gops(channels_last=False)
    pool_nhwc = pool_gops(channels_last=True)
    latency = transfer_latency_us()
    transfer, sizes, extras = transfer_gbps(memory)

    if args.verbose:
        print(f"torch {torch.__version__}, 1 intra-op thread", file=sys.stderr)
        print(f"conv2d 1x64x56x56 * 64x64x3x3: {conv:.1f} GFLOP/s", file=sys.stderr)
        print(f"matmul 1024^3:                {matmul:.1f} GFLOP/s", file=sys.stderr)
        print(f"add 3 x 64 MiB:               {memory:.2f} GB/s", file=sys.stderr)
        print(f"dispatch of tiny ops (mean):  {overhead:.2f} us", file=sys.stderr)
        print(f"max_pool2d 3x3/2 NCHW:        {pool_nchw:.3f} Gop/s", file=sys.stderr)
        print(f"max_pool2d 3x3/2 NHWC:        {pool_nhwc:.3f} Gop/s", file=sys.stderr)
        print(f"Event hand-off:               {latency:.2f} us", file=sys.stderr)
        for b, t in zip(sizes, extras):
            print(f"cross-thread read of {b / 1e6:5.2f} MB: +{t * 1e6:.1f} us", file=sys.stderr)
        print(f"transfer rate (fit, capped):  {transfer:.2f} GB/s", file=sys.stderr)

    profile = {
        "name": args.name,
        # Convolutions dominate the models Ramiel compiles; their rate is the one to plan with.
        "peak_gflops": round(conv, 2),
        "memory_gbps": round(memory, 2),
        "op_overhead_us": round(overhead, 2),
        "pool_gops": round(pool_nchw, 3),
        "transfer_latency_us": round(latency, 2),
        "transfer_gbps": round(transfer, 2),
    }
    text = json.dumps(profile, indent=2, sort_keys=True) + "\n"
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
