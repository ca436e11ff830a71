# The conformance suite's records: the tracked list of expected failures, and the JSON and
# Markdown reports of a run (pass rate overall, by status and by operator).
import collections
import json

# A case's outcome.
PASS = "pass"
REFUSED = "refused"          # the compiler refused it (exit 3), with a message naming the node
COMPILE_ERROR = "compile"    # the compiler failed otherwise (crash, internal error)
RUNTIME = "runtime"          # the program failed at run time: must never happen
WRONG = "wrong"              # the program ran and disagreed with the expected outputs
DATA = "data"                # the case's test data contradicts its model's declared inputs

STATUS_TITLES = {
    PASS: "passed",
    REFUSED: "refused at compile time",
    COMPILE_ERROR: "compiler error",
    RUNTIME: "failed at run time",
    WRONG: "wrong result",
    DATA: "test data contradicts the model",
}


def read_expected(path):
    """case -> reason from expected_failures.txt (`case<TAB>reason` lines; # comments)."""
    expected = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            case, tab, reason = line.partition("\t")
            if not tab or not reason.strip():
                raise ValueError("%s:%d: expected `case<TAB>reason`, got %r" % (path, number, line))
            if case in expected:
                raise ValueError("%s:%d: %s is listed twice" % (path, number, case))
            expected[case] = reason.strip()
    return expected


def write_expected(path, reasons):
    """Rewrites expected_failures.txt from case -> reason, grouped by reason (largest group
    first), cases sorted within a group."""
    groups = collections.defaultdict(list)
    for case, reason in reasons.items():
        groups[reason].append(case)
    order = sorted(groups, key=lambda r: (-len(groups[r]), r))
    with open(path, "w", encoding="utf-8") as f:
        f.write("# ONNX node conformance cases (libonnx-testdata) Ramiel does not pass, and why.\n")
        f.write("# One line per case: case<TAB>reason, grouped by reason. The conformance test\n")
        f.write("# fails when a case not listed here fails, or a listed case passes.\n")
        for reason in order:
            f.write("\n")
            for case in sorted(groups[reason]):
                f.write("%s\t%s\n" % (case, reason))


def summary_line(results):
    passed = sum(1 for r in results.values() if r["status"] == PASS)
    failed = len(results) - passed
    rate = 100.0 * passed / len(results) if results else 0.0
    return "conformance: %d passed, %d failed (%.1f%%)" % (passed, failed, rate)


def write_json(path, results, meta):
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "cases": results}, f, indent=1, sort_keys=True)
        f.write("\n")


def write_markdown(path, results, expected, meta):
    total = len(results)
    by_status = collections.Counter(r["status"] for r in results.values())
    passed = by_status[PASS]
    lines = ["# ONNX node conformance", ""]
    lines.append("%s. Cases: `%s`; tolerance rtol %g, atol %g; suite time %.1f s." % (
        summary_line(results), meta["data_dir"], meta["rtol"], meta["atol"], meta["seconds"]))
    lines += ["", "| outcome | cases |", "| --- | ---: |"]
    for status, title in STATUS_TITLES.items():
        lines.append("| %s | %d |" % (title, by_status[status]))
    lines.append("| **pass rate** | **%.1f%%** (%d / %d) |" % (
        100.0 * passed / total if total else 0.0, passed, total))

    reasons = collections.Counter(expected.get(c, "(not listed) " + r["status"])
                                  for c, r in results.items() if r["status"] != PASS)
    lines += ["", "## Why cases fail", "", "| reason | cases |", "| --- | ---: |"]
    for reason, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append("| %s | %d |" % (reason.replace("|", "\\|"), count))

    ops = collections.defaultdict(collections.Counter)
    for r in results.values():
        ops[r["op"]][r["status"]] += 1
    lines += ["", "## By operator", "",
              "| operator | cases | passed | refused | wrong | bad data | run time | compiler |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for op in sorted(ops):
        c = ops[op]
        lines.append("| %s | %d | %d | %d | %d | %d | %d | %d |" % (
            op, sum(c.values()), c[PASS], c[REFUSED], c[WRONG], c[DATA], c[RUNTIME],
            c[COMPILE_ERROR]))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
