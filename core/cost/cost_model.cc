#include "core/cost/cost_model.h"

#include <algorithm>
#include <cmath>

#include "core/cost/op_cost.h"
#include "core/cost/shape_facts.h"

namespace ramiel::cost {
namespace {

// GFLOP/s and GB/s are 1e3 operations or bytes per microsecond.
double us_at(double amount, double giga_per_second) {
  return amount / (giga_per_second * 1e3);
}

}  // namespace

NodeCost CostModel::node_cost(const ir::Node& node) const {
  const OpWork work = op_cost_fn(node.op())(node);
  NodeCost cost;
  cost.flops = work.flops;
  cost.bytes = work.bytes;
  auto it = measured_.find(node.name());
  if (it != measured_.end() && std::isfinite(it->second) && it->second >= 0) {
    cost.us = it->second;
    cost.measured = true;
    return cost;
  }
  cost.us =
      std::max({us_at(work.flops, profile_.peak_gflops), us_at(work.bytes, profile_.memory_gbps),
                us_at(work.pool_window_ops, profile_.pool_gops)}) +
      profile_.op_overhead_us;
  return cost;
}

double CostModel::transfer_cost_us(const ir::Value& value) const {
  return profile_.transfer_latency_us + us_at(bytes_of(&value), profile_.transfer_gbps);
}

}  // namespace ramiel::cost
