// The first check of an imported model: every count and size it declares against
// ir::ModelLimits, before anything is allocated for it or any ONNX library code reads it.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>
#include <unordered_map>

#include "core/ir/limits.h"
#include "core/support/status.h"

namespace ramiel::frontend {

// INVALID_ARGUMENT naming the limit a model crosses: nodes in all, subgraph nesting, names,
// inputs and outputs per node, string and list attribute sizes, and every tensor anywhere in
// the model as check_tensor_proto() checks it (dims, element count, data that matches them).
// `stripped_bytes` names the main graph's initializers whose payload slim_model() cut out.
Status check_model_limits(const onnx::ModelProto& model, const ir::ModelLimits& limits,
                          const std::unordered_map<std::string, int64_t>& stripped_bytes);

}  // namespace ramiel::frontend
