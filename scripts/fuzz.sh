#!/usr/bin/env bash
# Builds one libFuzzer target with clang (ASan + UBSan) and runs it for a while:
#   scripts/fuzz.sh TARGET SECONDS [extra libFuzzer arguments...]    TARGET: import | compile
# Build: build-fuzz/ (only the core and the fuzz targets). Corpus: build-fuzz/corpus/TARGET/
# (grows across runs; seeded from libonnx-testdata models). Crashes: build-fuzz/findings/TARGET/
# (the exit status is 1 while that folder holds any).
# The run is niced (FUZZ_NICE, default 19: a shared machine's other work comes first; 0 gives a
# long campaign its full share); one fuzzing process at a time is the budget on a shared machine.
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
niceness="${FUZZ_NICE:-19}"

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
# Fork mode with one job at a time: a crash is saved to findings/ and the run goes on, so one
# campaign reports every crash it meets. LeakSanitizer is off: a leak is not what a hostile
# upload exploits, and a leak report would end each job.
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}" nice -n "$niceness" "$build_dir/fuzz/ramiel_fuzz_$target" \
  -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
  -dict=fuzz/onnx.dict -artifact_prefix="$findings/" \
  "$@" "$corpus" "$seeds" >"$log" 2>&1 || status=$?

# The parent's last progress line: "#RUNS: cov: .. corp: .. exec/s .. oom/timeout/crash: a/b/c time: Ts".
last=$(grep -E '^#[0-9]+: ' "$log" | tail -n 1)
runs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
time_s=$(sed -E 's/.* time: ([0-9]+)s.*/\1/' <<<"$last")
failures=$(sed -E 's/.*oom\/timeout\/crash: ([0-9/]+).*/\1/' <<<"$last")
rate="?"
[ -n "$runs" ] && [ "${time_s:-0}" -gt 0 ] && rate=$((runs / time_s))
echo "fuzz: $target: ${runs:-?} executions in ${time_s:-?}s (${rate} exec/s)," \
     "oom/timeout/crash ${failures:-?}, corpus $(ls "$corpus" | wc -l) files, libFuzzer exit status $status"
ls "$findings" | sed "s|^|fuzz: finding $findings/|"
[ -z "$(ls "$findings")" ] || status=1
exit "$status"
