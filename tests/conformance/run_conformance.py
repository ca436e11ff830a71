#!/usr/bin/python3
"""Runs ONNX's node conformance cases through Ramiel: compile each model with the real
ramiel-client, run the generated program, compare with the expected outputs.

    run_conformance.py --client build/client/ramiel-client [--filter REGEX] [--check]

Compiles run a few at a time; the programs run in a few long-lived worker processes
(conformance_worker.py) so torch is imported once per worker, not once per case. Every case
ends as passed, refused at compile time, compiler error, failed at run time, or wrong result.
With --check the exit status is 1 when the pass rate over all cases is below --min-pass-rate,
when any case fails at run time, when a case fails that expected_failures.txt does not list,
or when a listed case passes. The last line is the summary: "conformance: P passed, F failed
(R%)".
"""
import argparse
import concurrent.futures
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import conformance_report as report  # noqa: E402
from conformance_cases import (ATOL, DEFAULT_DATA_DIR, RTOL, case_ops, list_cases,  # noqa: E402
                               open_input_shapes, primary_op)
from constant_variants import make_variants  # noqa: E402


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--client", required=True, help="the ramiel-client binary")
    p.add_argument("--data-dir", default=DEFAULT_DATA_DIR, help="directory of the node cases")
    p.add_argument("--work-dir", help="where compiled programs and reports go (default: temp)")
    p.add_argument("--filter", help="only cases whose name matches this regex")
    p.add_argument("--jobs", type=int, default=2, help="concurrent compiles and run workers")
    p.add_argument("--workers", type=int, default=2, help="ramiel-client compile --workers")
    p.add_argument("--process-sample", type=int, default=4,
                   help="also run this many multi-cluster cases in process mode")
    p.add_argument("--timeout", type=float, default=120, help="seconds one case may run")
    p.add_argument("--expected", default=os.path.join(HERE, "expected_failures.txt"))
    p.add_argument("--update-expected", action="store_true",
                   help="rewrite the expected failures from this run (keeping listed reasons)")
    p.add_argument("--constant-inputs", action="store_true",
                   help="run variants whose inputs after the first are constants; --check then "
                        "asks each to pass unless its case is an expected failure")
    p.add_argument("--check", action="store_true", help="exit 1 when the rules above are broken")
    p.add_argument("--min-pass-rate", type=float, default=0.90)
    p.add_argument("--json", help="write the per-case report here (default: WORK/conformance.json)")
    p.add_argument("--markdown", help="write the summary here (default: WORK/conformance.md)")
    p.add_argument("-v", "--verbose", action="store_true", help="print every case's outcome")
    return p.parse_args(argv)


# --- compiling -------------------------------------------------------------------------------

def compile_case(client, case_dir, out_dir, workers, input_shapes):
    """(status, detail, clusters) from `ramiel-client compile --local`."""
    command = [client, "compile", os.path.join(case_dir, "model.onnx"), "-o", out_dir,
               "--local", "--workers", str(workers), "-q"]
    for binding in input_shapes:
        command += ["--input-shape", binding]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return report.COMPILE_ERROR, "the compiler ran for more than 300 s", 0
    message = " ".join(line.strip() for line in (done.stderr or done.stdout).splitlines()
                       if line.strip())
    message = message.replace("ramiel-client: error: ", "")
    if done.returncode == 3:
        return report.REFUSED, message, 0
    if done.returncode != 0:
        return report.COMPILE_ERROR, "exit %d: %s" % (done.returncode, message), 0
    with open(os.path.join(out_dir, "schedule.json"), encoding="utf-8") as f:
        clusters = len(json.load(f)["clusters"])
    return None, "", clusters


# --- running ---------------------------------------------------------------------------------

class _Worker:
    """One conformance_worker.py process and the thread that reads its results."""

    def __init__(self, number, results, log_dir):
        self.number = number
        self.case = None
        self.started = 0.0
        self.log_path = os.path.join(log_dir, "worker-%d.log" % number)
        self._log = open(self.log_path, "a", encoding="utf-8")
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "conformance_worker.py")], cwd=HERE, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True, bufsize=1)
        threading.Thread(target=self._read, args=(results,), daemon=True).start()

    def _read(self, results):
        for line in self.process.stdout:
            results.put((self, json.loads(line)))
        results.put((self, None))  # the process ended

    def send(self, request):
        self.case = request["case"]
        self.started = time.monotonic()
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()

    def log_tail(self):
        self._log.flush()
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
        return lines[-1] if lines else ""

    def stop(self, kill=False):
        if kill:
            self.process.kill()
        else:
            self.process.stdin.close()
        self.process.wait()
        self._log.close()


def run_programs(requests, jobs, timeout, log_dir, on_result):
    """Runs every request on `jobs` worker processes; a worker that dies or overruns its
    timeout fails its case at run time and is replaced."""
    pending = list(reversed(requests))
    results = queue.Queue()
    workers = []
    serial = 0

    def start():
        nonlocal serial
        serial += 1
        workers.append(_Worker(serial, results, log_dir))

    def feed(worker):
        if pending:
            worker.send(pending.pop())
        else:
            worker.case = None

    for _ in range(min(jobs, len(requests))):
        start()
    for worker in list(workers):
        feed(worker)
    while any(w.case for w in workers):
        try:
            worker, result = results.get(timeout=1.0)
        except queue.Empty:
            worker, result = None, None
        if worker is not None and worker in workers:
            if result is not None:
                on_result(result)
                feed(worker)
                continue
            # The process ended in the middle of a case: a crash in the program.
            code = worker.process.wait()
            on_result({"case": worker.case, "status": report.RUNTIME, "seconds": 0.0,
                       "detail": "the worker process died (exit %d): %s"
                                 % (code, worker.log_tail())})
            workers.remove(worker)
            worker.stop()
            start()
            feed(workers[-1])
            continue
        now = time.monotonic()
        for w in list(workers):
            if w.case and now - w.started > timeout:
                on_result({"case": w.case, "status": report.RUNTIME, "seconds": now - w.started,
                           "detail": "still running after %.0f s (hang?)" % timeout})
                workers.remove(w)
                w.stop(kill=True)
                start()
                feed(workers[-1])
    for w in workers:
        w.stop()


# --- the suite -------------------------------------------------------------------------------

def check(results, expected, all_cases_run, min_rate, out):
    """The --check rules; returns whether they hold, printing each broken one."""
    ok = True
    passed = sum(1 for r in results.values() if r["status"] == report.PASS)
    rate = passed / len(results) if results else 0.0
    if all_cases_run and rate < min_rate:
        print("FAIL: pass rate %.1f%% is below %.1f%%" % (100 * rate, 100 * min_rate), file=out)
        ok = False
    for case, r in sorted(results.items()):
        if r["status"] == report.RUNTIME:
            print("FAIL: %s failed at run time: %s" % (case, r["detail"]), file=out)
            ok = False
        elif r["status"] != report.PASS and case not in expected:
            print("FAIL: %s (%s) is not in expected_failures.txt: %s"
                  % (case, report.STATUS_TITLES[r["status"]], r["detail"]), file=out)
            ok = False
        elif r["status"] == report.PASS and case in expected:
            print("FAIL: %s passes now; remove it from expected_failures.txt" % case, file=out)
            ok = False
    if all_cases_run:
        for case in sorted(set(expected) - set(results)):
            print("FAIL: expected_failures.txt lists %s, which is not a case" % case, file=out)
            ok = False
    return ok


def check_variants(results, expected, out):
    """--check for --constant-inputs: where a case is expected to pass, its variant must not
    fail at run time, in the compiler, or with a wrong result. A refusal is only noted: ONNX's
    own shape inference fails on some of these models (STFT with a known frame length)."""
    ok = True
    for case, r in sorted(results.items()):
        if r["status"] == report.REFUSED and case not in expected:
            print("note: %s with constant inputs is refused: %s" % (case, r["detail"]), file=out)
        elif r["status"] != report.PASS and case not in expected:
            print("FAIL: %s with constant inputs (%s): %s"
                  % (case, report.STATUS_TITLES[r["status"]], r["detail"]), file=out)
            ok = False
    return ok


def main(argv=None):
    args = parse_args(argv)
    t0 = time.monotonic()
    cases = list_cases(args.data_dir, args.filter)
    if not cases:
        print("no cases in %s" % args.data_dir)
        return 77  # ctest's skip code, when the test data is not installed
    work = args.work_dir or tempfile.mkdtemp(prefix="ramiel-conformance-")
    os.makedirs(work, exist_ok=True)
    programs = os.path.join(work, "programs")
    expected = report.read_expected(args.expected) if os.path.exists(args.expected) else {}
    if args.constant_inputs:
        variants = os.path.join(work, "variants")
        cases = make_variants(args.data_dir, cases, variants)
        args.data_dir = variants

    import onnx  # only here: the worker processes import it themselves

    results = {}
    ops = {}
    input_shapes = {}
    for case in cases:
        model = onnx.load(os.path.join(args.data_dir, case, "model.onnx"),
                          load_external_data=False)
        ops[case] = case_ops(model)
        input_shapes[case] = open_input_shapes(model, os.path.join(args.data_dir, case))
    for case in cases:
        sibling = case[:-len("_expanded")] if case.endswith("_expanded") else None
        sibling_op = primary_op(sibling, ops[sibling]) if sibling in ops else None
        results[case] = {"op": primary_op(case, ops[case], sibling_op), "ops": ops[case],
                         "status": None, "detail": "", "seconds": 0.0}

    # Compile everything, a few at a time.
    clusters = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(compile_case, args.client, os.path.join(args.data_dir, case),
                               os.path.join(programs, case), args.workers,
                               input_shapes[case]): case
                   for case in cases}
        for future in concurrent.futures.as_completed(futures):
            case = futures[future]
            status, detail, clusters[case] = future.result()
            if status:
                results[case].update(status=status, detail=detail)
                if args.verbose:
                    print("%-60s %-8s %s" % (case, status, detail))
    t_compiled = time.monotonic()

    # Run what compiled; the process-mode sample: every k-th case with several clusters.
    runnable = [c for c in cases if results[c]["status"] is None]
    parallel = [c for c in runnable if clusters[c] > 1]
    step = max(1, len(parallel) // args.process_sample) if args.process_sample > 0 else 0
    sample = set(parallel[::step][:args.process_sample]) if step else set()
    requests = [{"case": c, "model": os.path.join(args.data_dir, c, "model.onnx"),
                 "data": os.path.join(args.data_dir, c), "dir": os.path.join(programs, c),
                 "process": c in sample} for c in runnable]

    def on_result(result):
        r = results[result["case"]]
        r.update(status=result["status"], detail=result["detail"], seconds=result["seconds"])
        if args.verbose:
            print("%-60s %-8s %s" % (result["case"], result["status"], result["detail"]))

    run_programs(requests, args.jobs, args.timeout, work, on_result)
    seconds = time.monotonic() - t0

    meta = {"data_dir": args.data_dir, "rtol": RTOL, "atol": ATOL, "seconds": round(seconds, 1),
            "compile_seconds": round(t_compiled - t0, 1), "filter": args.filter,
            "process_mode_cases": sorted(sample)}
    json_path = args.json or os.path.join(work, "conformance.json")
    markdown_path = args.markdown or os.path.join(work, "conformance.md")
    report.write_json(json_path, results, meta)
    report.write_markdown(markdown_path, results, expected, meta)

    if args.update_expected:
        reasons = {c: expected.get(c) or "%s: %s" % (report.STATUS_TITLES[r["status"]], r["detail"])
                   for c, r in results.items() if r["status"] != report.PASS}
        if args.filter:  # keep what this run did not look at
            reasons.update({c: why for c, why in expected.items() if c not in results})
        report.write_expected(args.expected, reasons)

    ok = True
    if args.check and args.constant_inputs:
        ok = check_variants(results, expected, sys.stdout)
    elif args.check:
        ok = check(results, expected, not args.filter, args.min_pass_rate, sys.stdout)
    counts = {title: sum(1 for r in results.values() if r["status"] == status)
              for status, title in report.STATUS_TITLES.items()}
    print("%s; compiled in %.1f s, total %.1f s; report %s" % (
        ", ".join("%d %s" % (n, t) for t, n in counts.items()), t_compiled - t0, seconds,
        markdown_path))
    print(report.summary_line(results))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
