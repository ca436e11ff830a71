#!/usr/bin/env bash
# Builds one libFuzzer target with clang (ASan + UBSan) and runs it for a while:
#   scripts/fuzz.sh TARGET SECONDS [extra libFuzzer arguments...]    TARGET: import | compile
# Build: build-fuzz/ (only the core and the fuzz targets). Corpus: build-fuzz/corpus/TARGET/
# (grows across runs; seeded from libonnx-testdata models). Crashes: build-fuzz/findings/TARGET/.
# The run is niced; one fuzzing process at a time is the budget on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ] || [[ ! "$1" =~ ^(import|compile)$ ]] || [[ ! "$2" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh import|compile SECONDS [libFuzzer arguments...]" >&2
  exit 2
fi
target="$1"
seconds="$2"
shift 2
build_dir="${FUZZ_BUILD_DIR:-build-fuzz}"

# clang and its libFuzzer runtime (not needed by the normal build, so not in install-deps.sh).
scripts/install-deps.sh
if ! command -v clang++ >/dev/null || ! compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends clang libclang-rt-dev
fi

if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ \
    -DRAMIEL_FUZZ=ON -DRAMIEL_SANITIZE=address \
    -DRAMIEL_BUILD_TESTS=OFF -DRAMIEL_BUILD_SERVER=OFF -DRAMIEL_BUILD_BENCH=OFF
fi
nice -n 19 cmake --build "$build_dir" -j "$(nproc)" --target "ramiel_fuzz_$target"

# Seeds: every small libonnx-testdata model (all of them are under 64 KiB), copied once.
corpus="$build_dir/corpus/$target"
findings="$build_dir/findings/$target"
seeds="$build_dir/seeds"
mkdir -p "$corpus" "$findings"
if [ ! -d "$seeds" ]; then
  mkdir -p "$seeds.tmp"
  while IFS= read -r model; do
    [ "$(stat -c %s "$model")" -lt 65536 ] || continue
    name="${model#/usr/share/libonnx-testdata/data/}"
    cp "$model" "$seeds.tmp/${name//\//_}"
  done < <(dpkg -L libonnx-testdata | grep '/model\.onnx$')
  mv "$seeds.tmp" "$seeds"
fi

log="$build_dir/fuzz-$target-$(date -u +%Y%m%dT%H%M%SZ).log"
echo "fuzz: $target for ${seconds}s; corpus $corpus ($(ls "$corpus" | wc -l) files), log $log"
status=0
# LeakSanitizer is off: a leak is not what a hostile upload can exploit, and onnx's static
# registries read as leaks at exit.
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" nice -n 19 "$build_dir/fuzz/ramiel_fuzz_$target" \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
  -dict=fuzz/onnx.dict -artifact_prefix="$findings/" -print_final_stats=1 \
  "$@" "$corpus" "$seeds" >"$log" 2>&1 || status=$?

tail -n 40 "$log" | grep -v '^stat::' || true
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
echo "fuzz: $target: ${runs:-?} executions in ${seconds}s budget, ${rate:-?} exec/s," \
     "corpus $(ls "$corpus" | wc -l) files, exit status $status"
ls "$findings" | sed 's/^/fuzz: finding /'
exit "$status"
