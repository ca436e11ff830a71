#include "core/cost/shape_facts.h"

#include <algorithm>

#include "core/ir/dtype.h"

namespace ramiel::cost {
namespace {

double element_size(const ir::Value* value) {
  size_t size = value != nullptr ? ir::dtype_size(value->type().dtype) : 0;
  return size > 0 ? static_cast<double>(size) : 4.0;
}

}  // namespace

// Sequences and optionals count as empty: their length and presence are run-time facts, and
// the ops that handle them move references, not elements.
bool is_sized_tensor(const ir::Value* value) {
  return value != nullptr && value->type().is_tensor() && value->type().shape;
}

std::vector<int64_t> dims_of(const ir::Value* value) {
  if (!is_sized_tensor(value)) return {};
  std::vector<int64_t> dims = *value->type().shape;
  for (int64_t& d : dims) {
    if (d < 0) d = 1;
  }
  return dims;
}

double elements_of(const ir::Value* value) {
  if (!is_sized_tensor(value)) return 0;
  std::vector<int64_t> dims = dims_of(value);
  return product(dims, 0, dims.size());
}

double bytes_of(const ir::Value* value) {
  return elements_of(value) * element_size(value);
}

double output_elements(const ir::Node& node, size_t i) {
  if (i < node.num_outputs()) {
    const ir::TensorType& type = node.output(i)->type();
    if (!type.is_tensor()) return 0;  // a list or an optional: no elements of its own
    if (type.shape) return elements_of(node.output(i));
  }
  double largest = 0;
  for (const ir::Value* input : node.inputs()) largest = std::max(largest, elements_of(input));
  return largest;
}

double input_bytes(const ir::Node& node) {
  double total = 0;
  for (const ir::Value* input : node.inputs()) total += bytes_of(input);
  return total;
}

double constant_input_bytes(const ir::Node& node) {
  double total = 0;
  for (const ir::Value* input : node.inputs()) {
    if (input != nullptr && input->is_constant()) total += bytes_of(input);
  }
  return total;
}

double output_bytes(const ir::Node& node) {
  double total = 0;
  for (size_t i = 0; i < node.num_outputs(); ++i) {
    total += output_elements(node, i) * element_size(node.output(i));
  }
  return total;
}

double io_bytes(const ir::Node& node) {
  return input_bytes(node) + output_bytes(node);
}

double product(const std::vector<int64_t>& dims, size_t begin, size_t end) {
  double p = 1;
  for (size_t i = begin; i < std::min(end, dims.size()); ++i) p *= static_cast<double>(dims[i]);
  return p;
}

int64_t dim_or(const std::vector<int64_t>& dims, size_t i, int64_t fallback) {
  return i < dims.size() ? dims[i] : fallback;
}

}  // namespace ramiel::cost
