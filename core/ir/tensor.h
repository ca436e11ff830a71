// Shapes, tensor types and constant tensor contents.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/ir/dtype.h"

namespace ramiel::ir {

// Dimensions of a tensor; kUnknownDim marks a dimension shape inference could not bind.
using Shape = std::vector<int64_t>;
inline constexpr int64_t kUnknownDim = -1;

// Number of elements of a fully known shape (1 for a scalar); nullopt if a dim is unknown or
// the shape is too big to count: the product of its dims, zeros counted as ones, must fit in
// int64, so that every partial product (strides, blocks) fits too.
std::optional<int64_t> element_count(const Shape& shape);
// Reshape's output for the dims `spec` (0 copies the input's dim unless `allow_zero`; one -1
// takes what is left); nullopt when `data` is not fully known or the spec does not fit it.
std::optional<Shape> reshaped(const Shape& data, const std::vector<int64_t>& spec, bool allow_zero);
// "1x3x224x224", "scalar" for rank 0, "?" for unknown dims.
std::string shape_to_string(const Shape& shape);

// What is statically known about a value: its element type and, when inferred, its shape.
struct TensorType {
  DType dtype = DType::kUndefined;
  std::optional<Shape> shape;  // nullopt: rank unknown

  bool has_static_shape() const;
  // Bytes of the whole tensor when its shape is static and the size fits in int64.
  std::optional<int64_t> byte_size() const;
  std::string to_string() const;  // "float32[1x3x224x224]"
};

// The contents of a constant tensor, little-endian and densely packed as ONNX raw_data.
// A tensor may be data-less: its values stay in the model file (large weights are never copied
// into the IR) and only its type is known to the compiler.
class Tensor {
 public:
  Tensor() = default;
  Tensor(DType dtype, Shape shape, std::vector<uint8_t> raw);
  static Tensor without_data(DType dtype, Shape shape);
  static Tensor from_strings(Shape shape, std::vector<std::string> strings);
  // Builds a tensor of `dtype` from numbers, converting each (for evaluators).
  static Tensor from_int64(DType dtype, Shape shape, const std::vector<int64_t>& values);
  static Tensor from_double(DType dtype, Shape shape, const std::vector<double>& values);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t element_count() const;
  TensorType type() const { return {dtype_, shape_}; }
  bool has_data() const { return has_data_; }

  const std::vector<uint8_t>& raw() const { return raw_; }
  const std::vector<std::string>& strings() const { return strings_; }
  // Values as int64 (integer and bool dtypes; floats truncate toward zero).
  std::vector<int64_t> to_int64() const;
  // Values as double (any numeric dtype).
  std::vector<double> to_double() const;

  bool operator==(const Tensor& other) const = default;

 private:
  DType dtype_ = DType::kUndefined;
  Shape shape_;
  bool has_data_ = false;
  std::vector<uint8_t> raw_;
  std::vector<std::string> strings_;
};

}  // namespace ramiel::ir
