// The cost of ops on string tensors: one dispatch like any op (the profile's overhead) plus a
// Python loop over the strings; the numeric side of a cast is read or written once.
#include "core/cost/op_cost.h"
#include "core/cost/shape_facts.h"

namespace ramiel::cost {
namespace {

bool is_string(const ir::Value* value) {
  return value && value->type().dtype == ir::DType::kString;
}

}  // namespace

OpWork string_cost(const ir::Node& node) {
  OpWork work;
  work.bytes = io_bytes(node);
  for (const ir::Value* v : node.inputs()) {
    if (is_string(v)) work.python_elements += elements_of(v);
  }
  for (size_t i = 0; i < node.num_outputs(); ++i) {
    if (is_string(node.output(i))) work.python_elements += output_elements(node, i);
  }
  return work;
}

}  // namespace ramiel::cost
