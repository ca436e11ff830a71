#include "core/ir/tensor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/support/check.h"
#include "core/support/checked_math.h"

namespace ramiel::ir {
namespace {

template <typename T>
T load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

template <typename T>
void store(uint8_t* p, T value) {
  std::memcpy(p, &value, sizeof(T));
}

double element_as_double(DType dtype, const uint8_t* p) {
  switch (dtype) {
    case DType::kFloat32: return load<float>(p);
    case DType::kFloat64: return load<double>(p);
    case DType::kFloat16: return half_to_float(load<uint16_t>(p));
    case DType::kBFloat16: return bfloat16_to_float(load<uint16_t>(p));
    case DType::kInt8: return load<int8_t>(p);
    case DType::kInt16: return load<int16_t>(p);
    case DType::kInt32: return load<int32_t>(p);
    case DType::kInt64: return static_cast<double>(load<int64_t>(p));
    case DType::kUInt8: return load<uint8_t>(p);
    case DType::kUInt16: return load<uint16_t>(p);
    case DType::kUInt32: return load<uint32_t>(p);
    case DType::kUInt64: return static_cast<double>(load<uint64_t>(p));
    case DType::kBool: return load<uint8_t>(p) != 0 ? 1.0 : 0.0;
    default: RAMIEL_UNREACHABLE("non-numeric dtype");
  }
}

int64_t element_as_int64(DType dtype, const uint8_t* p) {
  switch (dtype) {
    case DType::kInt8: return load<int8_t>(p);
    case DType::kInt16: return load<int16_t>(p);
    case DType::kInt32: return load<int32_t>(p);
    case DType::kInt64: return load<int64_t>(p);
    case DType::kUInt8: return load<uint8_t>(p);
    case DType::kUInt16: return load<uint16_t>(p);
    case DType::kUInt32: return load<uint32_t>(p);
    case DType::kUInt64: return static_cast<int64_t>(load<uint64_t>(p));
    case DType::kBool: return load<uint8_t>(p) != 0;
    default: {
      double v = element_as_double(dtype, p);
      if (!std::isfinite(v)) return 0;
      return static_cast<int64_t>(std::trunc(v));
    }
  }
}

// Stores `v` as `dtype`, wrapping integers like a C cast (as ONNX Cast does).
void store_int64(DType dtype, uint8_t* p, int64_t v) {
  switch (dtype) {
    case DType::kInt8: store<int8_t>(p, static_cast<int8_t>(v)); break;
    case DType::kInt16: store<int16_t>(p, static_cast<int16_t>(v)); break;
    case DType::kInt32: store<int32_t>(p, static_cast<int32_t>(v)); break;
    case DType::kInt64: store<int64_t>(p, v); break;
    case DType::kUInt8: store<uint8_t>(p, static_cast<uint8_t>(v)); break;
    case DType::kUInt16: store<uint16_t>(p, static_cast<uint16_t>(v)); break;
    case DType::kUInt32: store<uint32_t>(p, static_cast<uint32_t>(v)); break;
    case DType::kUInt64: store<uint64_t>(p, static_cast<uint64_t>(v)); break;
    case DType::kBool: store<uint8_t>(p, v != 0); break;
    case DType::kFloat32: store<float>(p, static_cast<float>(v)); break;
    case DType::kFloat64: store<double>(p, static_cast<double>(v)); break;
    case DType::kFloat16: store<uint16_t>(p, float_to_half(static_cast<float>(v))); break;
    case DType::kBFloat16: store<uint16_t>(p, float_to_bfloat16(static_cast<float>(v))); break;
    default: RAMIEL_UNREACHABLE("non-numeric dtype");
  }
}

void store_double(DType dtype, uint8_t* p, double v) {
  switch (dtype) {
    case DType::kFloat32: store<float>(p, static_cast<float>(v)); break;
    case DType::kFloat64: store<double>(p, v); break;
    case DType::kFloat16: store<uint16_t>(p, float_to_half(static_cast<float>(v))); break;
    case DType::kBFloat16: store<uint16_t>(p, float_to_bfloat16(static_cast<float>(v))); break;
    case DType::kBool: store<uint8_t>(p, v != 0.0); break;
    default: {
      // Float to integer: truncate toward zero; out-of-range values are undefined in C++,
      // so clamp to int64 first (ONNX leaves them implementation-defined).
      double t = std::isfinite(v) ? std::trunc(v) : 0.0;
      constexpr double kMax = 9.2233720368547748e18;
      if (t >= kMax) t = 9.2233720368547738e18;
      if (t <= -kMax) t = -9.2233720368547738e18;
      store_int64(dtype, p, static_cast<int64_t>(t));
    }
  }
}

}  // namespace

std::optional<int64_t> element_count(const Shape& shape) {
  int64_t extent = 1;  // the product with zeros counted as ones
  bool empty = false;
  for (int64_t dim : shape) {
    if (dim < 0) return std::nullopt;
    empty = empty || dim == 0;
    auto next = checked_mul(extent, std::max<int64_t>(dim, 1));
    if (!next) return std::nullopt;
    extent = *next;
  }
  return empty ? 0 : extent;
}

std::optional<Shape> reshaped(const Shape& data, const std::vector<int64_t>& spec,
                              bool allow_zero) {
  Shape out;
  int infer_at = -1;
  int64_t known = 1;
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t dim = spec[i];
    if (dim == 0 && !allow_zero) {
      if (i >= data.size()) return std::nullopt;
      dim = data[i];
    }
    if (dim == -1) {
      if (infer_at >= 0) return std::nullopt;
      infer_at = static_cast<int>(i);
    } else if (dim < 0) {
      return std::nullopt;
    } else {
      auto next = checked_mul(known, dim);
      if (!next) return std::nullopt;  // no tensor has that many elements
      known = *next;
    }
    out.push_back(dim);
  }
  auto count = element_count(data);
  if (!count) return std::nullopt;
  const int64_t total = *count;
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0) return std::nullopt;
    out[static_cast<size_t>(infer_at)] = total / known;
  } else if (known != total) {
    return std::nullopt;
  }
  return out;
}

std::string shape_to_string(const Shape& shape) {
  if (shape.empty()) return "scalar";
  std::string out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += 'x';
    out += shape[i] < 0 ? "?" : std::to_string(shape[i]);
  }
  return out;
}

const char* type_kind_name(TypeKind kind) {
  switch (kind) {
    case TypeKind::kTensor:
      return "tensor";
    case TypeKind::kSequence:
      return "sequence";
    case TypeKind::kOptionalTensor:
      return "optional tensor";
    case TypeKind::kOptionalSequence:
      return "optional sequence";
  }
  return "tensor";
}

bool TensorType::has_static_shape() const {
  return is_tensor() && shape.has_value() && element_count(*shape).has_value();
}

std::optional<int64_t> TensorType::byte_size() const {
  if (!is_tensor() || !shape) return std::nullopt;
  auto count = element_count(*shape);
  if (!count) return std::nullopt;
  return checked_mul(*count, static_cast<int64_t>(dtype_size(dtype)));
}

std::string TensorType::to_string() const {
  const std::string tensor =
      std::string(dtype_name(dtype)) + "[" + (shape ? shape_to_string(*shape) : "?") + "]";
  switch (kind) {
    case TypeKind::kTensor:
      return tensor;
    case TypeKind::kSequence:
      return "sequence<" + tensor + ">";
    case TypeKind::kOptionalTensor:
      return "optional<" + tensor + ">";
    case TypeKind::kOptionalSequence:
      return "optional<sequence<" + tensor + ">>";
  }
  return tensor;
}

Tensor::Tensor(DType dtype, Shape shape, std::vector<uint8_t> raw)
    : dtype_(dtype), shape_(std::move(shape)), has_data_(true), raw_(std::move(raw)) {
  RAMIEL_CHECK(dtype_ != DType::kString);
  // Callers size `raw` from a shape they checked; a mismatch here is a bug, not bad input.
  const std::optional<int64_t> bytes = type().byte_size();
  RAMIEL_CHECK(bytes && static_cast<int64_t>(raw_.size()) == *bytes);
}

Tensor Tensor::without_data(DType dtype, Shape shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::from_strings(Shape shape, std::vector<std::string> strings) {
  Tensor t;
  t.dtype_ = DType::kString;
  t.shape_ = std::move(shape);
  t.has_data_ = true;
  t.strings_ = std::move(strings);
  RAMIEL_CHECK(static_cast<int64_t>(t.strings_.size()) == t.element_count());
  return t;
}

Tensor Tensor::from_int64(DType dtype, Shape shape, const std::vector<int64_t>& values) {
  const size_t width = dtype_size(dtype);
  std::vector<uint8_t> raw(values.size() * width);
  for (size_t i = 0; i < values.size(); ++i) store_int64(dtype, raw.data() + i * width, values[i]);
  return Tensor(dtype, std::move(shape), std::move(raw));
}

Tensor Tensor::from_double(DType dtype, Shape shape, const std::vector<double>& values) {
  const size_t width = dtype_size(dtype);
  std::vector<uint8_t> raw(values.size() * width);
  for (size_t i = 0; i < values.size(); ++i) store_double(dtype, raw.data() + i * width, values[i]);
  return Tensor(dtype, std::move(shape), std::move(raw));
}

int64_t Tensor::element_count() const { return ir::element_count(shape_).value_or(0); }

std::vector<int64_t> Tensor::to_int64() const {
  RAMIEL_CHECK(has_data_ && dtype_ != DType::kString);
  const size_t width = dtype_size(dtype_);
  std::vector<int64_t> out(static_cast<size_t>(element_count()));
  for (size_t i = 0; i < out.size(); ++i) out[i] = element_as_int64(dtype_, raw_.data() + i * width);
  return out;
}

std::vector<double> Tensor::to_double() const {
  RAMIEL_CHECK(has_data_ && dtype_ != DType::kString);
  const size_t width = dtype_size(dtype_);
  std::vector<double> out(static_cast<size_t>(element_count()));
  for (size_t i = 0; i < out.size(); ++i) out[i] = element_as_double(dtype_, raw_.data() + i * width);
  return out;
}

}  // namespace ramiel::ir
