#!/usr/bin/env bash
# The main job, end to end from a fresh clone: install dependencies, build, compile a model
# (exported from torchvision's GoogLeNet) and run the generated parallel program.
# Usage: scripts/demo.sh [MODEL_NAME]   (googlenet, inception_v3, squeezenet1_0, resnet50, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-googlenet}"
build_dir="${BUILD_DIR:-build}"
work="${WORK_DIR:-$build_dir/demo}"

scripts/install-deps.sh
scripts/build.sh "$build_dir"
mkdir -p "$work"
echo "== exporting $model from torchvision (random weights, batch 1)"
/usr/bin/python3 tests/models/export_models.py "$work/models" --only "$model"
echo "== compiling with ramiel-client --local"
"$build_dir/client/ramiel-client" compile "$work/models/$model.onnx" -o "$work/$model" --local --workers 2
if [ -f "$work/$model/model.py" ]; then
  echo "== running the generated program: parallel against serial"
  /usr/bin/python3 "$work/$model/model.py" --onnx "$work/models/$model.onnx" --check
  /usr/bin/python3 "$work/$model/model.py" --onnx "$work/models/$model.onnx" --bench
fi
echo "== done: see $work/$model (model.py, schedule.json, graph.dot)"
