#include "core/frontend/tensor_proto.h"

#include <cstring>
#include <string>

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

}  // namespace

StatusOr<ir::Tensor> tensor_from_proto(const onnx::TensorProto& proto, int64_t max_loaded_bytes,
                                       std::optional<int64_t> stripped_bytes) {
  auto dtype = ir::dtype_from_onnx(proto.data_type());
  if (!dtype || *dtype == ir::DType::kUndefined) {
    return invalid_argument("tensor '" + proto.name() + "' has unknown element type " +
                            std::to_string(proto.data_type()));
  }
  ir::Shape shape(proto.dims().begin(), proto.dims().end());
  auto count = ir::element_count(shape);
  if (!count) return invalid_argument("tensor '" + proto.name() + "' has a negative dimension");

  if (*dtype == ir::DType::kString) {
    if (proto.string_data_size() != *count) {
      return invalid_argument("tensor '" + proto.name() + "' has " +
                              std::to_string(proto.string_data_size()) + " strings for shape " +
                              ir::shape_to_string(shape));
    }
    return ir::Tensor::from_strings(shape, {proto.string_data().begin(), proto.string_data().end()});
  }
  const int64_t bytes = *count * static_cast<int64_t>(ir::dtype_size(*dtype));
  auto size_error = [&](int64_t held) {
    return invalid_argument("tensor '" + proto.name() + "' holds " + std::to_string(held) +
                            " bytes, but its type " + std::string(ir::dtype_name(*dtype)) + "[" +
                            ir::shape_to_string(shape) + "] needs " + std::to_string(bytes));
  };
  if (stripped_bytes) {
    if (*stripped_bytes != bytes) return size_error(*stripped_bytes);
    return ir::Tensor::without_data(*dtype, shape);
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL || bytes > max_loaded_bytes) {
    return ir::Tensor::without_data(*dtype, shape);
  }
  std::vector<uint8_t> raw;
  if (proto.has_raw_data()) {
    raw.assign(proto.raw_data().begin(), proto.raw_data().end());
  } else {
    RAMIEL_ASSIGN_OR_RETURN(raw, typed_field_bytes(proto, *dtype));
  }
  if (static_cast<int64_t>(raw.size()) != bytes) return size_error(static_cast<int64_t>(raw.size()));
  return ir::Tensor(*dtype, std::move(shape), std::move(raw));
}

StatusOr<ir::TensorType> type_from_proto(const onnx::TypeProto& proto) {
  if (!proto.has_tensor_type()) {
    return unimplemented("a value of a non-tensor type (sequence, map, optional or sparse)");
  }
  const auto& tensor_type = proto.tensor_type();
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

}  // namespace ramiel::frontend
