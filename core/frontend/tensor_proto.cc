#include "core/frontend/tensor_proto.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/support/checked_math.h"

namespace ramiel::frontend {
namespace {

// Packs repeated proto fields into little-endian raw bytes of the tensor's dtype.
template <typename Field, typename Narrow>
std::vector<uint8_t> pack(const Field& field, size_t width, Narrow narrow) {
  std::vector<uint8_t> raw(static_cast<size_t>(field.size()) * width);
  for (int i = 0; i < field.size(); ++i) {
    auto value = narrow(field.Get(i));
    std::memcpy(raw.data() + static_cast<size_t>(i) * width, &value, width);
  }
  return raw;
}

StatusOr<std::vector<uint8_t>> typed_field_bytes(const onnx::TensorProto& proto, ir::DType dtype) {
  using ir::DType;
  switch (dtype) {
    case DType::kFloat32: return pack(proto.float_data(), 4, [](float v) { return v; });
    case DType::kFloat64: return pack(proto.double_data(), 8, [](double v) { return v; });
    case DType::kInt64: return pack(proto.int64_data(), 8, [](int64_t v) { return v; });
    case DType::kInt32: return pack(proto.int32_data(), 4, [](int32_t v) { return v; });
    // Narrow types and halves travel in int32_data (ONNX spec).
    case DType::kInt16: return pack(proto.int32_data(), 2, [](int32_t v) { return int16_t(v); });
    case DType::kInt8: return pack(proto.int32_data(), 1, [](int32_t v) { return int8_t(v); });
    case DType::kUInt16:
    case DType::kFloat16:
    case DType::kBFloat16:
      return pack(proto.int32_data(), 2, [](int32_t v) { return uint16_t(v); });
    case DType::kUInt8:
    case DType::kBool: return pack(proto.int32_data(), 1, [](int32_t v) { return uint8_t(v); });
    case DType::kUInt32: return pack(proto.uint64_data(), 4, [](uint64_t v) { return uint32_t(v); });
    case DType::kUInt64: return pack(proto.uint64_data(), 8, [](uint64_t v) { return v; });
    case DType::kComplex64: return pack(proto.float_data(), 4, [](float v) { return v; });
    case DType::kComplex128: return pack(proto.double_data(), 8, [](double v) { return v; });
    default: return unimplemented("tensor element type " + std::string(ir::dtype_name(dtype)));
  }
}

// The typed field that holds a tensor's values when it has no raw_data: its name, how many
// numbers it holds, and how many it must hold per element (two for complex numbers).
struct TypedField {
  const char* name;
  int64_t held;
  int64_t per_element;
};

TypedField typed_field(const onnx::TensorProto& proto, ir::DType dtype) {
  using ir::DType;
  switch (dtype) {
    case DType::kFloat32: return {"float_data", proto.float_data_size(), 1};
    case DType::kComplex64: return {"float_data", proto.float_data_size(), 2};
    case DType::kFloat64: return {"double_data", proto.double_data_size(), 1};
    case DType::kComplex128: return {"double_data", proto.double_data_size(), 2};
    case DType::kInt64: return {"int64_data", proto.int64_data_size(), 1};
    case DType::kUInt32:
    case DType::kUInt64: return {"uint64_data", proto.uint64_data_size(), 1};
    case DType::kString: return {"string_data", proto.string_data_size(), 1};
    default: return {"int32_data", proto.int32_data_size(), 1};
  }
}

std::string describe(const onnx::TensorProto& proto) { return "tensor '" + proto.name() + "'"; }

}  // namespace

Status check_element_limit(const std::string& what, const ir::Shape& shape,
                           const ir::ModelLimits& limits) {
  if (static_cast<int64_t>(shape.size()) > limits.max_tensor_rank) {
    return invalid_argument(what + " has " + std::to_string(shape.size()) + " dims, over " +
                            ir::limit_text("max_tensor_rank", limits.max_tensor_rank));
  }
  int64_t extent = 1;
  for (int64_t dim : shape) {
    auto next = checked_mul(extent, std::max<int64_t>(dim, 1));
    if (!next || *next > limits.max_tensor_elements) {
      return invalid_argument(what + " of shape " + ir::shape_to_string(shape) +
                              " has more elements than " +
                              ir::limit_text("max_tensor_elements", limits.max_tensor_elements));
    }
    extent = *next;
  }
  return ok_status();
}

Status check_tensor_proto(const onnx::TensorProto& proto, const ir::ModelLimits& limits,
                          std::optional<int64_t> stripped_bytes) {
  auto dtype = ir::dtype_from_onnx(proto.data_type());
  if (!dtype || *dtype == ir::DType::kUndefined) {
    return invalid_argument(describe(proto) + " has unknown element type " +
                            std::to_string(proto.data_type()));
  }
  if (proto.dims_size() > limits.max_tensor_rank) {
    return invalid_argument(describe(proto) + " has " + std::to_string(proto.dims_size()) +
                            " dims, over " + ir::limit_text("max_tensor_rank", limits.max_tensor_rank));
  }
  ir::Shape shape(proto.dims().begin(), proto.dims().end());
  for (int64_t dim : shape) {
    if (dim < 0) {
      return invalid_argument(describe(proto) + " has a negative dimension (" +
                              std::to_string(dim) + ")");
    }
  }
  RAMIEL_RETURN_IF_ERROR(check_element_limit(describe(proto), shape, limits));
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) return ok_status();

  const int64_t count = ir::element_count(shape).value_or(0);
  const std::string type = std::string(ir::dtype_name(*dtype)) + "[" + ir::shape_to_string(shape) + "]";
  if (*dtype != ir::DType::kString && (stripped_bytes || proto.has_raw_data())) {
    const auto width = static_cast<int64_t>(ir::dtype_size(*dtype));
    const int64_t held = stripped_bytes ? *stripped_bytes : static_cast<int64_t>(proto.raw_data().size());
    const auto needed = checked_mul(count, width);
    if (!needed || held != *needed) {
      return invalid_argument(describe(proto) + " holds " + std::to_string(held) +
                              " bytes, but its type " + type + " needs " +
                              (needed ? std::to_string(*needed) : "more than int64 can count"));
    }
    return ok_status();
  }
  const TypedField field = typed_field(proto, *dtype);
  const auto needed = checked_mul(count, field.per_element);
  if (!needed || field.held != *needed) {
    return invalid_argument(describe(proto) + " holds " + std::to_string(field.held) + " values in " +
                            field.name + ", but its type " + type + " needs " +
                            (needed ? std::to_string(*needed) : "more than int64 can count"));
  }
  for (const std::string& s : proto.string_data()) {
    if (static_cast<int64_t>(s.size()) > limits.max_string_bytes) {
      return invalid_argument(describe(proto) + " holds a string of " + std::to_string(s.size()) +
                              " bytes, over " +
                              ir::limit_text("max_string_bytes", limits.max_string_bytes));
    }
  }
  return ok_status();
}

StatusOr<ir::Tensor> tensor_from_proto(const onnx::TensorProto& proto, int64_t max_loaded_bytes,
                                       const ir::ModelLimits& limits,
                                       std::optional<int64_t> stripped_bytes) {
  RAMIEL_RETURN_IF_ERROR(check_tensor_proto(proto, limits, stripped_bytes));
  const ir::DType dtype = *ir::dtype_from_onnx(proto.data_type());
  ir::Shape shape(proto.dims().begin(), proto.dims().end());
  if (dtype == ir::DType::kString) {
    if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
      return unimplemented(describe(proto) + " holds strings outside the model");
    }
    return ir::Tensor::from_strings(shape, {proto.string_data().begin(), proto.string_data().end()});
  }
  const std::optional<int64_t> size = ir::TensorType{dtype, shape}.byte_size();
  if (!size) return invalid_argument(describe(proto) + " has more bytes than int64 can count");
  const int64_t bytes = *size;
  if (stripped_bytes || proto.data_location() == onnx::TensorProto::EXTERNAL ||
      bytes > max_loaded_bytes) {
    return ir::Tensor::without_data(dtype, shape);
  }
  std::vector<uint8_t> raw;
  if (proto.has_raw_data()) {
    raw.assign(proto.raw_data().begin(), proto.raw_data().end());
  } else {
    RAMIEL_ASSIGN_OR_RETURN(raw, typed_field_bytes(proto, dtype));
  }
  return ir::Tensor(dtype, std::move(shape), std::move(raw));
}

namespace {

ir::TensorType tensor_type_from_proto(const onnx::TypeProto::Tensor& tensor_type) {
  ir::TensorType type;
  auto dtype = ir::dtype_from_onnx(tensor_type.elem_type());
  type.dtype = dtype.value_or(ir::DType::kUndefined);
  if (tensor_type.has_shape()) {
    ir::Shape shape;
    for (const auto& dim : tensor_type.shape().dim()) {
      shape.push_back(dim.has_dim_value() ? dim.dim_value() : ir::kUnknownDim);
    }
    type.shape = std::move(shape);
  }
  return type;
}

// A sequence's elements must be tensors (no sequences of sequences or of maps).
StatusOr<ir::TensorType> sequence_type_from_proto(const onnx::TypeProto::Sequence& sequence) {
  if (!sequence.has_elem_type() || !sequence.elem_type().has_tensor_type()) {
    return unimplemented("a sequence whose elements are not tensors");
  }
  ir::TensorType type = tensor_type_from_proto(sequence.elem_type().tensor_type());
  type.kind = ir::TypeKind::kSequence;
  return type;
}

}  // namespace

StatusOr<ir::TensorType> type_from_proto(const onnx::TypeProto& proto) {
  if (proto.has_tensor_type()) return tensor_type_from_proto(proto.tensor_type());
  if (proto.has_sequence_type()) return sequence_type_from_proto(proto.sequence_type());
  if (proto.has_optional_type() && proto.optional_type().has_elem_type()) {
    const onnx::TypeProto& elem = proto.optional_type().elem_type();
    if (elem.has_tensor_type()) {
      ir::TensorType type = tensor_type_from_proto(elem.tensor_type());
      type.kind = ir::TypeKind::kOptionalTensor;
      return type;
    }
    if (elem.has_sequence_type()) {
      RAMIEL_ASSIGN_OR_RETURN(ir::TensorType type, sequence_type_from_proto(elem.sequence_type()));
      type.kind = ir::TypeKind::kOptionalSequence;
      return type;
    }
  }
  return unimplemented(
      "a value of a map, sparse tensor or other non-tensor type (tensors, "
      "sequences of tensors and optionals of those are supported)");
}

}  // namespace ramiel::frontend
