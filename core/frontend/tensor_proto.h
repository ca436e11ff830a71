// Conversion of ONNX TensorProto and type protos into IR tensors and types.
#pragma once

#include <onnx/onnx_pb.h>

#include <optional>

#include "core/ir/limits.h"
#include "core/ir/tensor.h"
#include "core/support/status.h"

namespace ramiel::frontend {

// INVALID_ARGUMENT naming limits.max_tensor_rank when `shape` has more dims, or
// limits.max_tensor_elements when its known dims (unknown ones and zeros counted as one)
// multiply past it or past int64. `what` names the tensor.
Status check_element_limit(const std::string& what, const ir::Shape& shape,
                           const ir::ModelLimits& limits);

// Checks what `proto` declares and holds, whatever its size, before anything is allocated for
// it: a known element type, dims that are not negative and whose element count stays within
// limits.max_tensor_elements (overflow included), data inside the model that is exactly what
// the dims and type declare (raw_data bytes, or the count of float_data, int64_data, ...,
// string_data), and strings within limits.max_string_bytes. `stripped_bytes` is the size of a
// raw_data payload slim_model() cut out. External tensors are only checked for their type and
// dims (external_data.h decides whether they are allowed).
Status check_tensor_proto(const onnx::TensorProto& proto, const ir::ModelLimits& limits,
                          std::optional<int64_t> stripped_bytes = std::nullopt);

// The tensor's contents when it is at most `max_loaded_bytes` (and stored inside the model),
// otherwise a data-less tensor of the right type and shape. Checks `proto` as
// check_tensor_proto() does first.
StatusOr<ir::Tensor> tensor_from_proto(const onnx::TensorProto& proto, int64_t max_loaded_bytes,
                                       const ir::ModelLimits& limits = {},
                                       std::optional<int64_t> stripped_bytes = std::nullopt);

// The static type of a value, with unknown or symbolic dims as ir::kUnknownDim: a tensor, a
// sequence of tensors, or an optional of either (ir::TypeKind); UNIMPLEMENTED for maps, sparse
// tensors and sequences of non-tensors.
StatusOr<ir::TensorType> type_from_proto(const onnx::TypeProto& proto);

}  // namespace ramiel::frontend
