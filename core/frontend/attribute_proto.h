// Conversion of ONNX node attributes into IR attributes.
#pragma once

#include <onnx/onnx_pb.h>

#include "core/ir/attributes.h"
#include "core/support/status.h"

namespace ramiel::frontend {

// Subgraph, sparse-tensor and type attributes are UNIMPLEMENTED (Ramiel compiles flat graphs).
StatusOr<ir::AttributeValue> attribute_from_proto(const onnx::AttributeProto& proto);

}  // namespace ramiel::frontend
