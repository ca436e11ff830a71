#!/usr/bin/env bash
# The main job, end to end from a fresh clone: install dependencies, build, start ramiel-server on
# loopback, compile a model (exported from torchvision) through it with ramiel-client, and run the
# generated parallel program (check against serial, then benchmark).
# Usage: scripts/demo.sh [MODEL_NAME]   (googlenet, inception_v3, squeezenet1_0, resnet50, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-googlenet}"
build_dir="${BUILD_DIR:-build}"
work="${WORK_DIR:-$build_dir/demo}"

scripts/install-deps.sh
scripts/build.sh "$build_dir"
rm -rf "$work/cache"  # a fresh cache: the first compile below is a miss, the second a hit
mkdir -p "$work"
echo "== exporting $model from torchvision (random weights, batch 1)"
/usr/bin/python3 tests/models/export_models.py "$work/models" --only "$model"

# A free loopback port for the API and one for the metrics, chosen by the kernel.
read -r port metrics_port < <(/usr/bin/python3 -c '
import socket
sockets = [socket.socket() for _ in range(2)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))')
echo "== starting ramiel-server on 127.0.0.1:$port (metrics on 127.0.0.1:$metrics_port)"
"$build_dir/server/ramiel-server" --listen "127.0.0.1:$port" \
  --metrics-listen "127.0.0.1:$metrics_port" --cache-dir "$work/cache" --workers 2 \
  > "$work/server.log" 2>&1 &
server_pid=$!
trap 'kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true' EXIT
client="$build_dir/client/ramiel-client"
for _ in $(seq 100); do
  "$client" health --server "127.0.0.1:$port" > /dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.1
done
"$client" health --server "127.0.0.1:$port"

echo "== compiling through the server (ramiel-client compile --server)"
"$client" compile "$work/models/$model.onnx" -o "$work/$model" --server "127.0.0.1:$port" --workers 2
echo "== compiling again: answered from the server's cache"
"$client" compile "$work/models/$model.onnx" -o "$work/$model" --server "127.0.0.1:$port" --workers 2
curl -s "http://127.0.0.1:$metrics_port/metrics" | grep -E '^ramiel_(cache_requests|compiles)_total' || true

# The client placed the native operators built beside it (build/kernels/) next to model.py, as
# it places the installed ones on a device: the program loads them from there.
echo "== running the generated program: parallel against serial"
/usr/bin/python3 "$work/$model/model.py" --onnx "$work/models/$model.onnx" --check
/usr/bin/python3 "$work/$model/model.py" --onnx "$work/models/$model.onnx" --bench
echo "== done: see $work/$model (model.py, ramiel_runtime.py, schedule.json, graph.dot); server log: $work/server.log"
