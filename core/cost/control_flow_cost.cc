// The cost of If, Loop and Scan: their bodies' costs times the runs (see CostModel::node_cost).
#include <algorithm>

#include "core/cost/cost_model.h"

namespace ramiel::cost {
namespace {

// How many times the body of a Loop or Scan runs, or nullopt when the model does not say.
std::optional<double> trips(const ir::Node& node) {
  if (node.op() == ir::OpKind::Loop) {
    const ir::Value* m = node.input(0);
    if (!m) return std::nullopt;
    if (!m->is_constant() || !m->constant()->has_data() || m->constant()->element_count() != 1) {
      return std::nullopt;
    }
    return std::max(0.0, static_cast<double>(m->constant()->to_int64()[0]));
  }
  if (node.op() == ir::OpKind::Scan) {
    const bool batched = node.opset() < 9;
    const int64_t scan_inputs = node.attributes().get_int("num_scan_inputs", 0);
    const size_t first =
        node.num_operands() - static_cast<size_t>(std::max<int64_t>(scan_inputs, 0));
    const ir::Value* x = node.input(first);
    if (!x || !x->type().shape || scan_inputs < 1) return std::nullopt;
    const ir::Shape& shape = *x->type().shape;
    if (batched) {
      if (shape.size() < 2 || shape[0] < 0 || shape[1] < 0) return std::nullopt;
      return static_cast<double>(shape[0] * shape[1]);
    }
    int64_t axis = node.attributes().get_ints("scan_input_axes", {0}).at(0);
    if (axis < 0) axis += static_cast<int64_t>(shape.size());
    if (axis < 0 || axis >= static_cast<int64_t>(shape.size()) ||
        shape[static_cast<size_t>(axis)] < 0) {
      return std::nullopt;
    }
    return static_cast<double>(shape[static_cast<size_t>(axis)]);
  }
  return 1;
}

}  // namespace

NodeCost CostModel::control_flow_cost(const ir::Node& node) const {
  NodeCost body_cost;  // If: the dearer branch; Loop and Scan: their one body
  for (const auto& [attribute, body] : node.subgraphs()) {
    NodeCost sum;
    for (const ir::Node* n : body->nodes()) {
      const NodeCost c = node_cost(*n);
      sum.flops += c.flops;
      sum.bytes += c.bytes;
      sum.us += c.us;
      sum.wide_us += c.wide_us;
    }
    if (sum.us > body_cost.us) body_cost = sum;
  }
  const double runs = trips(node).value_or(kGuessedLoopTrips);
  NodeCost cost;
  cost.flops = body_cost.flops * runs;
  cost.bytes = body_cost.bytes * runs;
  cost.us = std::max(body_cost.us * runs, profile_.op_overhead_us);
  cost.wide_us = std::clamp(body_cost.wide_us * runs, profile_.op_overhead_us, cost.us);
  return cost;
}

}  // namespace ramiel::cost
