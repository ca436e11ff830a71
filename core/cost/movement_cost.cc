// Data movement (copies, selections, layout changes), views and resampling.
#include <string>

#include "core/cost/op_cost.h"
#include "core/cost/shape_facts.h"

namespace ramiel::cost {
namespace {

using ir::OpKind;

// Ops that read only the part of their first input that they output (plus their index inputs).
bool selects_from_data(OpKind op) {
  return op == OpKind::Slice || op == OpKind::Gather || op == OpKind::GatherElements ||
         op == OpKind::GatherND || op == OpKind::Compress;
}

}  // namespace

OpWork data_movement_cost(const ir::Node& node) {
  OpWork work;  // no arithmetic: the bytes are the whole cost
  if (selects_from_data(node.op())) {
    double index_bytes = 0;
    for (size_t i = 1; i < node.num_inputs(); ++i) index_bytes += bytes_of(node.input(i));
    work.bytes = 2 * output_bytes(node) + index_bytes;
  } else {
    work.bytes = io_bytes(node);
  }
  return work;
}

OpWork view_cost(const ir::Node& node) {
  // Reshape, Flatten, Squeeze, Unsqueeze, Identity, inference Dropout, Shape and Size return
  // views or metadata in torch: only the dispatch overhead remains.
  return {};
}

OpWork resize_cost(const ir::Node& node) {
  // Per output element: nearest copies one input, linear blends 2^2 taps (multiply, add),
  // cubic 4^2 taps, for the 2-D images these ops almost always resample.
  const std::string mode = node.attributes().get_string("mode", "nearest");
  const double per_element = mode == "linear" ? 8 : mode == "cubic" ? 32 : 1;
  OpWork work;
  work.flops = output_elements(node) * per_element;
  work.bytes = io_bytes(node);
  return work;
}

OpWork generic_cost(const ir::Node& node) {
  // No specific model: one operation per output element, every byte read and written once.
  OpWork work;
  work.flops = output_elements(node);
  work.bytes = io_bytes(node);
  return work;
}

}  // namespace ramiel::cost
