#!/bin/sh
# The benchmark in one command (see bench/README.md); arguments go to run_benchmarks.py.
# Debian's interpreter: the python3 first on PATH may lack torch.
exec /usr/bin/python3 "$(dirname "$0")/run_benchmarks.py" "$@"
