#!/usr/bin/env bash
# Configures and builds Ramiel from scratch: scripts/build.sh [BUILD_DIR] [extra cmake arguments...]
# Warnings are errors here (RAMIEL_WERROR=ON), so CI, the demo and the image build stay warning
# free; a plain `cmake` build leaves them warnings. Later arguments win: -DRAMIEL_WERROR=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
shift || true
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRAMIEL_WERROR=ON "$@"
cmake --build "$build_dir" -j "$(nproc)"
