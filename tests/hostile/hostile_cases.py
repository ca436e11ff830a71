"""The hostile-model corpus for tests: the case list (cases.tsv), the corpus files, and what every
answer to a hostile model must look like, shared by the local (ctest hostile_local) and the
server (ctest server_system_hostile) suites."""
import collections
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
EXIT_BAD_MODEL = 3
# kMaxStatusMessageBytes in core/support/status.h.
MAX_MESSAGE_BYTES = 4096
# A hang guard, not a timing assertion: each case is answered in well under a second here.
CASE_TIMEOUT_S = 50

Case = collections.namedtuple("Case", "name code expected description")


def read_cases(path=None):
    cases = []
    with open(path or os.path.join(HERE, "cases.tsv"), encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            name, code, expected, description = line.rstrip("\n").split("\t")
            cases.append(Case(name, code, expected, description))
    return cases


def corpus_dir(tmp_factory):
    """The corpus ctest's hostile_corpus fixture wrote (RAMIEL_HOSTILE_CORPUS), or a fresh one."""
    existing = os.environ.get("RAMIEL_HOSTILE_CORPUS")
    if existing and os.path.isdir(existing):
        return existing
    import make_hostile_models
    out = str(tmp_factory.mktemp("hostile"))
    make_hostile_models.write_corpus(out, [c.name for c in read_cases()])
    return out


def error_message(case, returncode, stderr_bytes):
    """Asserts the client's answer to `case` is a clear refusal; returns the error message."""
    # Strict decoding: a message must be valid UTF-8 whatever bytes the model's names hold.
    stderr = stderr_bytes.decode("utf-8")
    assert returncode == EXIT_BAD_MODEL, f"{case.name}: exit {returncode}, expected 3:\n{stderr[-3000:]}"
    match = re.search(r"error: (.*) \[([A-Z_]+)\]\s*$", stderr, re.S)
    assert match, f"{case.name}: no error line in:\n{stderr[-3000:]}"
    message, code = match.group(1), match.group(2)
    assert code == case.code, f"{case.name}: {code}, expected {case.code}: {message[:500]}"
    assert len(message.encode()) <= MAX_MESSAGE_BYTES, f"{case.name}: {len(message)} byte message"
    # "a|b": either text (the server refuses some inputs before its compiler sees them).
    assert any(text in message for text in case.expected.split("|")), \
        f"{case.name}: '{case.expected}' not in: {message[:1000]}"
    return message
