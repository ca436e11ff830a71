import importlib.util
import os
import sys


def _import_runtime():
    """ramiel_runtime.py from this file's directory, loaded by path (no install, no sys.path);
    it must be the version this program was compiled for."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ramiel_runtime.py")
    if not os.path.exists(path):
        raise ImportError("%s needs %s, which its compile wrote beside it" % (__file__, path))
    spec = importlib.util.spec_from_file_location("ramiel_runtime", path)
    runtime = importlib.util.module_from_spec(spec)
    runtime.LIMIT_OPENMP_SPINNING = STAGED  # read before the runtime imports torch
    spec.loader.exec_module(runtime)
    found = getattr(runtime, "RUNTIME_VERSION", "unknown")
    if found != RUNTIME_VERSION:
        raise ImportError("%s is runtime %s, and this program needs %s: keep the files of one "
                          "compile together" % (path, found, RUNTIME_VERSION))
    return runtime


ramiel = _import_runtime()
