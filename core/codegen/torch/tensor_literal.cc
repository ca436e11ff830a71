#include "core/codegen/torch/tensor_literal.h"

#include "core/codegen/torch/emitter.h"

namespace ramiel::codegen {
namespace {

constexpr size_t kBase64Chunk = 76;

// The bytes of a uint16 or uint32 tensor as its wider carrier (int32, int64: see
// torch_dtype_name) holds them, little-endian as the raw data; empty for other dtypes.
std::string carrier_bytes(const ir::Tensor& tensor) {
  const size_t width = tensor.dtype() == ir::DType::kUInt16   ? 4
                       : tensor.dtype() == ir::DType::kUInt32 ? 8
                                                              : 0;
  std::string out;
  if (width == 0) return out;
  for (int64_t value : tensor.to_int64()) {
    const auto bits = static_cast<uint64_t>(value);
    for (size_t b = 0; b < width; ++b) out += static_cast<char>((bits >> (8 * b)) & 0xFF);
  }
  return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16 |
                       static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8 |
                       static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16;
    if (rest == 2) v |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

py::ExprPtr element_literal(const ir::Tensor& tensor, int64_t index) {
  const auto i = static_cast<size_t>(index);
  switch (tensor.dtype()) {
    case ir::DType::kFloat32:
    case ir::DType::kFloat16:
    case ir::DType::kBFloat16:
      return py::float32_lit(static_cast<float>(tensor.to_double()[i]));
    case ir::DType::kFloat64:
      return py::float_lit(tensor.to_double()[i]);
    case ir::DType::kBool:
      return py::bool_lit(tensor.to_int64()[i] != 0);
    default:
      return py::int_lit(tensor.to_int64()[i]);
  }
}

StatusOr<py::ExprPtr> tensor_literal(const ir::Tensor& tensor, const HelperLookup& helper) {
  if (!tensor.has_data()) return unimplemented("its contents are not known to the compiler");
  auto dtype_name = torch_dtype_name(tensor.dtype());
  const bool complex =
      tensor.dtype() == ir::DType::kComplex64 || tensor.dtype() == ir::DType::kComplex128;
  if (!dtype_name || complex) {
    return unimplemented("constants of type " + std::string(ir::dtype_name(tensor.dtype())) +
                         " are not supported");
  }
  py::ExprPtr dtype = py::attr(py::name("torch"), std::string(*dtype_name));
  const int64_t count = tensor.element_count();
  const ir::Shape& shape = tensor.shape();
  if (count == 0) {
    return py::call(torch_fn("empty"), {py::ints_tuple(shape)}, {{"dtype", dtype}});
  }
  if (count > kMaxListedElements) {
    std::string_view bytes(reinterpret_cast<const char*>(tensor.raw().data()), tensor.raw().size());
    const std::string widened = carrier_bytes(tensor);
    if (!widened.empty()) bytes = widened;
    const std::string encoded = base64_encode(bytes);
    std::vector<py::ExprPtr> chunks;
    for (size_t i = 0; i < encoded.size(); i += kBase64Chunk) {
      chunks.push_back(py::str_lit(encoded.substr(i, kBase64Chunk)));
    }
    RAMIEL_ASSIGN_OR_RETURN(auto from_base64, helper("tensor_from_base64"));
    return py::call(from_base64, {py::tuple(std::move(chunks)), dtype, py::ints_tuple(shape)});
  }
  if (shape.empty()) {
    return py::call(torch_fn("tensor"), {element_literal(tensor, 0)}, {{"dtype", dtype}});
  }
  std::vector<py::ExprPtr> values;
  for (int64_t i = 0; i < count; ++i) values.push_back(element_literal(tensor, i));
  py::ExprPtr built =
      py::call(torch_fn("tensor"), {py::list(std::move(values))}, {{"dtype", dtype}});
  if (shape.size() >= 2) {
    std::vector<py::ExprPtr> dims;
    for (int64_t d : shape) dims.push_back(py::int_lit(d));
    built = py::method(built, "reshape", std::move(dims));
  }
  return built;
}

}  // namespace ramiel::codegen
