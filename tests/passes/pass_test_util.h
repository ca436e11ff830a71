// Helpers for pass tests: tensors from literals, and folding a single node built by hand.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "core/ir/graph.h"
#include "core/passes/pass.h"

namespace ramiel::passes::testing {

inline ir::TensorType type(ir::DType dtype, ir::Shape shape) {
  return {dtype, std::move(shape)};
}
// A type shape inference knows nothing about, so folding checks nothing against it.
inline ir::TensorType unknown_type() {
  return {};
}

inline ir::Tensor i64(std::vector<int64_t> values, std::optional<ir::Shape> shape = {}) {
  ir::Shape s = shape.value_or(ir::Shape{static_cast<int64_t>(values.size())});
  return ir::Tensor::from_int64(ir::DType::kInt64, std::move(s), values);
}
inline ir::Tensor ints(ir::DType dtype, std::vector<int64_t> values,
                       std::optional<ir::Shape> shape = {}) {
  ir::Shape s = shape.value_or(ir::Shape{static_cast<int64_t>(values.size())});
  return ir::Tensor::from_int64(dtype, std::move(s), values);
}
inline ir::Tensor f32(std::vector<double> values, std::optional<ir::Shape> shape = {}) {
  ir::Shape s = shape.value_or(ir::Shape{static_cast<int64_t>(values.size())});
  return ir::Tensor::from_double(ir::DType::kFloat32, std::move(s), values);
}
inline ir::Tensor scalar_i64(int64_t v) {
  return i64({v}, ir::Shape{});
}
inline ir::Tensor bools(std::vector<int64_t> values, std::optional<ir::Shape> shape = {}) {
  return ints(ir::DType::kBool, std::move(values), std::move(shape));
}

inline ir::Attributes attrs(
    std::initializer_list<std::pair<const char*, ir::AttributeValue>> list) {
  ir::Attributes a;
  for (const auto& [name, value] : list) a.set(name, value);
  return a;
}

// Builds constants (nullopt: an omitted input) -> one `op` node -> graph outputs, runs
// fold_constants, and returns the outputs' folded contents, or nullopt when the node stayed.
struct FoldOne {
  ir::OpKind op;
  int opset = 13;
  std::vector<std::optional<ir::Tensor>> inputs;
  ir::Attributes attributes = {};
  int outputs = 1;
  int64_t max_elements = 4096;
  std::optional<std::vector<ir::Tensor>> run() const;
  // The single result (asserting one output).
  std::optional<ir::Tensor> result() const;
};

}  // namespace ramiel::passes::testing
