// Model-local functions (ModelProto.functions) may call each other. ONNX's shape inference
// expands every call into the function's body with no guard, so a function that reaches itself
// would recurse until the stack overflows. This check runs before any ONNX code sees the model.
#pragma once

#include <onnx/onnx_pb.h>

#include "core/ir/limits.h"
#include "core/support/status.h"

namespace ramiel::frontend {

// INVALID_ARGUMENT when a function is defined twice, when one reaches itself through calls
// (directly, through other functions or through subgraphs of its body), or when calls nest
// deeper than limits.max_function_depth counted from the main graph.
Status check_function_calls(const onnx::ModelProto& model, const ir::ModelLimits& limits);

}  // namespace ramiel::frontend
