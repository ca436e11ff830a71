// Conversion of ONNX TensorProto and type protos into IR tensors and types.
#pragma once

#include <onnx/onnx_pb.h>

#include <optional>

#include "core/ir/tensor.h"
#include "core/support/status.h"

namespace ramiel::frontend {

// The tensor's contents when it is at most `max_loaded_bytes` (and stored inside the model),
// otherwise a data-less tensor of the right type and shape. `stripped_bytes` is the size of a
// raw_data payload slim_model() cut out, which must match the tensor's type.
StatusOr<ir::Tensor> tensor_from_proto(const onnx::TensorProto& proto, int64_t max_loaded_bytes,
                                       std::optional<int64_t> stripped_bytes = std::nullopt);

// The static type of a value, with unknown or symbolic dims as ir::kUnknownDim.
StatusOr<ir::TensorType> type_from_proto(const onnx::TypeProto& proto);

}  // namespace ramiel::frontend
