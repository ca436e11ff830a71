// Builds an ir::Graph from a checked, shape-inferred ONNX graph.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include <onnx/onnx_pb.h>

#include "core/ir/graph.h"
#include "core/ir/limits.h"
#include "core/support/status.h"

namespace ramiel::frontend {

// `opset` is the model's ai.onnx opset; constants larger than `max_loaded_constant_bytes`
// are imported without their contents; `stripped_bytes` names the initializers whose payload
// slim_model() cut out, with its size. A value whose inferred shape has more elements than
// limits.max_tensor_elements is refused.
StatusOr<std::unique_ptr<ir::Graph>> build_graph(
    const onnx::GraphProto& proto, int opset, int64_t max_loaded_constant_bytes,
    const ir::ModelLimits& limits = {},
    const std::unordered_map<std::string, int64_t>& stripped_bytes = {});

}  // namespace ramiel::frontend
