"""The side-by-side benchmark of Ramiel's generated programs (bench/run_benchmarks.py)."""
