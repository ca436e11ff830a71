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

double CostModel::wide_time_us(double roofline_us) const {
  const double one_thread = roofline_us + profile_.op_overhead_us;
  if (profile_.cores <= 1) return one_thread;
  const double share = roofline_us / (roofline_us + profile_.intra_op_half_us);
  const double speedup = 1 + (profile_.cores - 1) * profile_.intra_op_efficiency * share;
  const double wide = roofline_us / speedup + profile_.op_overhead_us + profile_.intra_op_sync_us;
  return std::min(one_thread, wide);
}

NodeCost CostModel::node_cost(const ir::Node& node) const {
  const OpWork work = op_cost_fn(node.op())(node);
  NodeCost cost;
  cost.flops = work.flops;
  cost.bytes = work.bytes;
  const double roofline =
      std::max({us_at(work.flops, profile_.peak_gflops), us_at(work.bytes, profile_.memory_gbps),
                us_at(work.pool_window_ops, profile_.pool_gops)});
  cost.us = roofline + profile_.op_overhead_us;
  cost.wide_us = wide_time_us(roofline);
  auto known = [](double v) { return std::isfinite(v) && v >= 0; };
  if (auto it = measured_.find(node.name()); it != measured_.end()) {
    const MeasuredCost& m = it->second;
    if (known(m.us)) {
      // Without a wide measurement, scale the estimate's wide/narrow ratio to the measurement.
      cost.wide_us = known(m.wide_us) ? m.wide_us : m.us * (cost.wide_us / cost.us);
      cost.us = m.us;
      cost.measured = true;
    } else if (known(m.wide_us)) {
      cost.wide_us = m.wide_us;
      cost.measured = true;
    }
    cost.wide_us = std::min(cost.wide_us, cost.us);
  }
  return cost;
}

double CostModel::transfer_cost_us(const ir::Value& value) const {
  return profile_.transfer_latency_us + us_at(bytes_of(&value), profile_.transfer_gbps);
}

}  // namespace ramiel::cost
