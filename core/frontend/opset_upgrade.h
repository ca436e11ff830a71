// Upgrades models of ai.onnx opsets older than Ramiel supports with ONNX's version converter.
#pragma once

#include <onnx/onnx_pb.h>

#include "core/support/status.h"

namespace ramiel::frontend {

// Rewrites `model` (whose ai.onnx opset is below `target`) to opset `target`, node by node,
// with the converter's adapters (attribute renames, broadcast rules, ...). UNIMPLEMENTED, naming
// both opsets and the converter's reason, when some node has no adapter.
Status upgrade_opset(onnx::ModelProto& model, int from, int target);

}  // namespace ramiel::frontend
