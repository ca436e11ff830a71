import argparse
import bisect
import contextlib
import dis
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import os
import pickle
import queue
import re
import runpy
import signal
import statistics
import subprocess
import sys
import threading
import time
import warnings


def _openmp_loaded():
    """Whether this process already has OpenMP (libgomp): it reads its settings once, when it
    loads, so what this module sets later does not reach it."""
    try:
        with open("/proc/self/maps") as maps:
            return "libgomp" in maps.read()
    except OSError:
        return "torch" in sys.modules or "numpy" in sys.modules


# A staged program's wide worker must not leave its idle OpenMP threads spinning while the
# narrow workers run (measured: 26 ms against 36 ms on GoogLeNet). GOMP_SPINCOUNT does that when
# it is set before OpenMP loads, which is when this runtime imports torch; so the model.py that
# imports it first says whether its schedule is staged (LIMIT_OPENMP_SPINNING, set on this module
# before it runs). A value already in the environment wins. Where OpenMP loaded first without
# it, a staged program in threads runs serially instead, and load() says why.
_LIMIT_SPINNING = globals().get("LIMIT_OPENMP_SPINNING", False)
OPENMP_SPIN_LIMITED = ("GOMP_SPINCOUNT" in os.environ or "OMP_WAIT_POLICY" in os.environ or
                       (_LIMIT_SPINNING and not _openmp_loaded()))
if _LIMIT_SPINNING:
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")

import torch  # noqa: E402  (after OpenMP's settings)
import torch.multiprocessing  # registers the reductions that share tensors with worker processes
import torch.nn.functional as F
import numpy as np  # string tensors are numpy arrays of str (torch has no string dtype)
