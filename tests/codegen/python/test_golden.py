"""Golden files: the exact program for small models, reviewed as diffs, and each one run.

RAMIEL_UPDATE_GOLDEN=1 rewrites tests/codegen/golden/*.py from the current compiler. The
runtime's digest in RUNTIME_VERSION is written as RUNTIME_DIGEST: any change to the runtime
changes it, and golden diffs are for what the lowering changed.
"""
import difflib
import os
import re

import pytest

from conftest import assert_outputs_match, import_program, write_variant

GOLDEN_DIR = os.environ.get("RAMIEL_GOLDEN_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "golden")
UPDATE = os.environ.get("RAMIEL_UPDATE_GOLDEN") == "1"

# (golden file, model, fold initializers into the program)
_DIGEST = re.compile(r'(RUNTIME_VERSION = "[^"]*\+)[0-9a-f]{12}"')


def masked(program_text):
    return _DIGEST.sub(r'\1RUNTIME_DIGEST"', program_text)


GOLDENS = [("branches", "branches", False), ("encoder", "encoder", False),
           ("lookup_folded", "lookup", True)]


@pytest.mark.parametrize("golden,name,fold", GOLDENS)
def test_program_matches_golden_file(compiled, golden, name, fold):
    program = compiled(name, fold=fold)
    text = masked(open(program.path).read())
    path = os.path.join(GOLDEN_DIR, golden + ".py")
    if UPDATE:
        with open(path, "w") as f:
            f.write(text)
    assert os.path.exists(path), "no golden file %s: run with RAMIEL_UPDATE_GOLDEN=1" % path
    expected = open(path).read()
    if text != expected:
        diff = difflib.unified_diff(expected.splitlines(), text.splitlines(), "golden", "now",
                                    lineterm="", n=2)
        pytest.fail("%s differs from the compiler's output (RAMIEL_UPDATE_GOLDEN=1 updates it; "
                    "review the diff):\n%s" % (path, "\n".join(list(diff)[:80])))


@pytest.mark.parametrize("golden,name,fold", GOLDENS)
@pytest.mark.parametrize("workers", [1, None])
def test_golden_program_computes_the_model(compiled, golden, name, fold, workers, tmp_path):
    program = compiled(name, fold=fold)
    digest = program.module.RUNTIME_VERSION.rsplit("+", 1)[1]
    source = open(os.path.join(GOLDEN_DIR, golden + ".py")).read().replace(
        "RUNTIME_DIGEST", digest)
    module = import_program(write_variant(program.path, tmp_path, golden + ".py", source))
    inputs = program.model.inputs(3)
    expected = program.model.reference(program.model.weights(), *inputs)
    with module.load(program.onnx, workers=workers) as p:
        assert_outputs_match(expected, p(*inputs))


def pyflakes_report(text, path):
    """What pyflakes says of `text` (unused imports or variables, undefined names): "" when
    nothing."""
    pyflakes = pytest.importorskip("pyflakes.api")
    from pyflakes.reporter import Reporter
    import io
    out = io.StringIO()
    pyflakes.check(text, path, Reporter(out, out))
    return out.getvalue()


@pytest.mark.parametrize("golden,name,fold", GOLDENS)
def test_golden_program_is_lint_clean(golden, name, fold):
    path = os.path.join(GOLDEN_DIR, golden + ".py")
    report = pyflakes_report(open(path).read(), path)
    assert report == "", report


def test_every_program_shares_one_versioned_lint_clean_runtime(compiled):
    # The runtime beside model.py is the same file for every model of one compiler, carries the
    # version model.py asks for, and pyflakes finds nothing to say about it.
    texts = set()
    for _, name, fold in GOLDENS:
        program = compiled(name, fold=fold)
        runtime_path = os.path.join(os.path.dirname(program.path), "ramiel_runtime.py")
        runtime = open(runtime_path).read()
        texts.add(runtime)
        assert program.module.RUNTIME_VERSION == program.module.ramiel.RUNTIME_VERSION
        assert 'RUNTIME_VERSION = "%s"\n' % program.module.RUNTIME_VERSION in runtime
        assert "\ndef onnx_gather(" in runtime and "\nclass Program:" in runtime
    assert len(texts) == 1
    report = pyflakes_report(texts.pop(), "ramiel_runtime.py")
    assert report == "", report
