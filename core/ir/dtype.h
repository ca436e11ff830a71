// Element types of tensors, numbered as ONNX's TensorProto.DataType so conversion is a cast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ramiel::ir {

enum class DType : int32_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,
  kBool = 9,
  kFloat16 = 10,
  kFloat64 = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBFloat16 = 16,
};

std::optional<DType> dtype_from_onnx(int32_t onnx_type);
// Bytes per element; 0 for strings and undefined.
size_t dtype_size(DType dtype);
// "float32", "int64", ...: the spelling of numpy and torch.
std::string_view dtype_name(DType dtype);
bool is_floating(DType dtype);
bool is_integer(DType dtype);  // signed or unsigned, not bool
bool is_signed_integer(DType dtype);

// IEEE half and bfloat16 conversions for constant evaluation.
float half_to_float(uint16_t bits);
uint16_t float_to_half(float value);
float bfloat16_to_float(uint16_t bits);
uint16_t float_to_bfloat16(float value);

}  // namespace ramiel::ir
