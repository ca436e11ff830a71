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

// What a value holds. Most values are tensors; ONNX's sequence and optional types (lists of
// tensors, and values that may be absent) are the others. The generated program holds a
// sequence as a Python list of tensors and an absent optional as None.
enum class TypeKind {
  kTensor,
  kSequence,          // a list of tensors, each of the element type
  kOptionalTensor,    // a tensor or nothing
  kOptionalSequence,  // a list of tensors or nothing
};
// "tensor", "sequence", "optional tensor", "optional sequence": how reports and the generated
// program (its VALUE_KINDS table) name the kinds.
const char* type_kind_name(TypeKind kind);

// What is statically known about a value: its element type and, when inferred, its shape.
// For a sequence or an optional, dtype and shape describe the tensors it holds (each element
// of a sequence; elements may differ in shape, which then holds unknown dims or is nullopt).
// Code that handles only tensors reads has_static_shape() and byte_size(), which answer "not
// known" for the other kinds, or checks is_tensor() first.
struct TensorType {
  DType dtype = DType::kUndefined;
  std::optional<Shape> shape;  // nullopt: rank unknown
  TypeKind kind = TypeKind::kTensor;

  bool is_tensor() const { return kind == TypeKind::kTensor; }
  bool is_sequence() const { return kind == TypeKind::kSequence; }
  bool is_optional() const {
    return kind == TypeKind::kOptionalTensor || kind == TypeKind::kOptionalSequence;
  }
  // A tensor's static shape is known (false for sequences and optionals).
  bool has_static_shape() const;
  // Bytes of the whole tensor when its shape is static and the size fits in int64 (nullopt for
  // sequences and optionals, whose length or presence is known only at run time).
  std::optional<int64_t> byte_size() const;
  // "float32[1x3x224x224]", "sequence<float32[?x4]>", "optional<sequence<int64[3]>>".
  std::string to_string() const;
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
