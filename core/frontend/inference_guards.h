// Guards in front of onnx 1.12's shape-inference functions that index an input's dimensions or
// divide by an attribute without checking it first (found by fuzzing; see tests/fuzz/). Each guard
// checks what its function assumes and fails inference the way onnx itself does (InferenceError,
// reported as INVALID_ARGUMENT), instead of letting the function read out of bounds. The guards sit
// where the crash happens, so they hold for shapes inference propagates from node to node, not
// only for shapes declared in the file.
#pragma once

namespace ramiel::frontend {

// Wraps the inference functions of the affected operators, every version, once per process.
// Idempotent and thread-safe; import_onnx() calls it before the first shape inference.
void install_shape_inference_guards();

}  // namespace ramiel::frontend
