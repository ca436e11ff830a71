// Conversion of ONNX node attributes into IR attributes.
#pragma once

#include <onnx/onnx_pb.h>

#include "core/ir/attributes.h"
#include "core/ir/limits.h"
#include "core/support/status.h"

namespace ramiel::frontend {

// Subgraph, sparse-tensor and type attributes are UNIMPLEMENTED (Ramiel compiles flat graphs).
// Tensor attributes are checked against `limits` as tensors.
StatusOr<ir::AttributeValue> attribute_from_proto(const onnx::AttributeProto& proto,
                                                  const ir::ModelLimits& limits = {});

}  // namespace ramiel::frontend
