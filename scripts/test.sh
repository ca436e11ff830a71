#!/usr/bin/env bash
# Runs every test from a fresh clone: installs dependencies, builds, runs ctest.
# Usage: scripts/test.sh [ctest arguments...]   (BUILD_DIR=build-test by default)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build-test}"
scripts/install-deps.sh
scripts/build.sh "$build_dir"
cd "$build_dir"
ctest --output-on-failure --timeout 900 -j 2 "$@"
