// Typed access to constant tensors for evaluators: the C++ type each dtype is computed in,
// decoding and encoding raw bytes, and integer arithmetic that wraps like two's complement.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <type_traits>
#include <vector>

#include "core/ir/tensor.h"
#include "core/support/check.h"

namespace ramiel::passes::fold {

template <typename T>
struct TypeTag {
  using type = T;
};

// Calls f(TypeTag<C>{}) with C the type `dtype` is computed in: float16 and bfloat16 in float
// (each op rounds back to the dtype, as ONNX requires results in the dtype's precision), bool
// in uint8_t. Returns f's result, or a default-constructed one for strings and complex types.
template <typename F>
auto visit_compute_type(ir::DType dtype, F&& f) -> std::invoke_result_t<F, TypeTag<float>> {
  using ir::DType;
  switch (dtype) {
    case DType::kFloat32:
    case DType::kFloat16:
    case DType::kBFloat16:
      return f(TypeTag<float>{});
    case DType::kFloat64:
      return f(TypeTag<double>{});
    case DType::kInt8:
      return f(TypeTag<int8_t>{});
    case DType::kInt16:
      return f(TypeTag<int16_t>{});
    case DType::kInt32:
      return f(TypeTag<int32_t>{});
    case DType::kInt64:
      return f(TypeTag<int64_t>{});
    case DType::kUInt8:
    case DType::kBool:
      return f(TypeTag<uint8_t>{});
    case DType::kUInt16:
      return f(TypeTag<uint16_t>{});
    case DType::kUInt32:
      return f(TypeTag<uint32_t>{});
    case DType::kUInt64:
      return f(TypeTag<uint64_t>{});
    default:
      return {};
  }
}

// A numeric dtype evaluators compute with (not string, complex or undefined).
inline bool is_numeric(ir::DType dtype) {
  return ir::is_floating(dtype) || ir::is_integer(dtype) || dtype == ir::DType::kBool;
}

// The tensor's elements in its compute type T (see visit_compute_type).
template <typename T>
std::vector<T> decode(const ir::Tensor& tensor) {
  const auto n = static_cast<size_t>(tensor.element_count());
  const uint8_t* raw = tensor.raw().data();
  const ir::DType dtype = tensor.dtype();
  std::vector<T> out(n);
  if constexpr (std::is_same_v<T, float>) {
    if (dtype == ir::DType::kFloat16 || dtype == ir::DType::kBFloat16) {
      for (size_t i = 0; i < n; ++i) {
        uint16_t bits;
        std::memcpy(&bits, raw + 2 * i, 2);
        out[i] =
            dtype == ir::DType::kFloat16 ? ir::half_to_float(bits) : ir::bfloat16_to_float(bits);
      }
      return out;
    }
  }
  if (dtype == ir::DType::kBool) {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<T>(raw[i] != 0);
    return out;
  }
  RAMIEL_CHECK(sizeof(T) == ir::dtype_size(dtype));
  if (n) std::memcpy(out.data(), raw, n * sizeof(T));
  return out;
}

// A tensor of `dtype` from values in its compute type T (rounding float to half precision).
template <typename T>
ir::Tensor encode(ir::DType dtype, ir::Shape shape, const std::vector<T>& values) {
  const size_t width = ir::dtype_size(dtype);
  std::vector<uint8_t> raw(values.size() * width);
  if constexpr (std::is_same_v<T, float>) {
    if (dtype == ir::DType::kFloat16 || dtype == ir::DType::kBFloat16) {
      for (size_t i = 0; i < values.size(); ++i) {
        uint16_t bits = dtype == ir::DType::kFloat16 ? ir::float_to_half(values[i])
                                                     : ir::float_to_bfloat16(values[i]);
        std::memcpy(raw.data() + 2 * i, &bits, 2);
      }
      return ir::Tensor(dtype, std::move(shape), std::move(raw));
    }
  }
  if (dtype == ir::DType::kBool) {
    for (size_t i = 0; i < values.size(); ++i) raw[i] = values[i] != T{0};
  } else {
    RAMIEL_CHECK(sizeof(T) == width);
    if (!values.empty()) std::memcpy(raw.data(), values.data(), raw.size());
  }
  return ir::Tensor(dtype, std::move(shape), std::move(raw));
}

// Integer + - * wrap modulo 2^bits (what every runtime does; signed overflow is UB in C++, so
// compute in uint64_t and narrow, which C++20 defines as modular). Floats use the plain op.
template <typename T, typename Op>
T wrapping(T a, T b, Op op) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(op(static_cast<uint64_t>(a), static_cast<uint64_t>(b)));
  } else {
    return static_cast<T>(op(a, b));
  }
}
template <typename T>
T wrapping_add(T a, T b) {
  return wrapping(a, b, std::plus<>{});
}
template <typename T>
T wrapping_sub(T a, T b) {
  return wrapping(a, b, std::minus<>{});
}
template <typename T>
T wrapping_mul(T a, T b) {
  return wrapping(a, b, std::multiplies<>{});
}

template <typename T>
bool is_nan(T value) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::isnan(value);
  } else {
    return false;
  }
}

}  // namespace ramiel::passes::fold
