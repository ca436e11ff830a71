#include "core/cost/cost_model.h"

#include <algorithm>
#include <cmath>

#include "core/cost/op_cost.h"
#include "core/cost/shape_facts.h"
#include "core/ir/split_parts.h"

namespace ramiel::cost {
namespace {

bool known(double us) {
  return std::isfinite(us) && us >= 0;
}

// Two parts' times: unknown when either is.
double sum(double a_us, double b_us) {
  return known(a_us) && known(b_us) ? a_us + b_us : -1;
}

// GFLOP/s and GB/s are 1e3 operations or bytes per microsecond.
double us_at(double amount, double giga_per_second) {
  return amount / (giga_per_second * 1e3);
}

}  // namespace

double CostModel::dispatch_us(bool traced) const {
  return traced ? profile_.traced_op_overhead_us : profile_.op_overhead_us;
}

double CostModel::wide_time_us(double roofline_us, bool compute_bound, bool traced) const {
  const double one_thread = roofline_us + dispatch_us(traced);
  if (profile_.cores <= 1) return one_thread;
  const double half_us =
      compute_bound ? profile_.compute_intra_op_half_us : profile_.intra_op_half_us;
  const double share = roofline_us / (roofline_us + half_us);
  const double speedup = 1 + (profile_.cores - 1) * profile_.intra_op_efficiency * share;
  const double wide = roofline_us / speedup + dispatch_us(traced) + profile_.intra_op_sync_us;
  return std::min(one_thread, wide);
}

NodeCost CostModel::node_cost(const ir::Node& node, Execution execution) const {
  NodeCost cost;
  if (node.has_subgraphs()) {
    cost = control_flow_cost(node);
  } else {
    const OpWork work = node.touches_strings() ? string_cost(node) : op_cost_fn(node.op())(node);
    cost.flops = work.flops;
    cost.bytes = work.bytes;
    // A GEMM-like kernel's weight reads come on top of its FLOPs (they are reordered or
    // packed before the compute starts); every other bound overlaps.
    const double compute =
        us_at(work.flops - work.vector_ops, profile_.peak_gflops) +
        (execution.prepacked_weights ? 0.0 : us_at(work.weight_bytes, profile_.weight_gbps));
    const double pool_gops =
        execution.separable_pool ? profile_.separable_pool_gops : profile_.pool_gops;
    const double other_bounds = std::max(
        {us_at(work.vector_ops, profile_.vector_gops), us_at(work.bytes, profile_.memory_gbps),
         us_at(work.pool_window_ops, pool_gops), us_at(work.matvec_bytes, profile_.matvec_gbps),
         us_at(work.inplace_bytes, profile_.inplace_gbps)});
    const double roofline = execution.copied_share * std::max(compute, other_bounds);
    const double python_us = work.python_elements * kPythonElementUs;  // one thread, always
    cost.us = roofline + dispatch_us(execution.traced) + python_us;
    cost.wide_us =
        wide_time_us(roofline, compute > 0 && compute >= other_bounds, execution.traced) +
        python_us;
  }
  std::optional<MeasuredCost> found = measurement_of(node);
  if (execution.fused && !found) {
    cost.us = cost.wide_us = 0;
    return cost;
  }
  if (found) {
    MeasuredCost& m = *found;
    if (execution.traced) {  // measured eagerly, runs traced
      if (known(m.us)) m.us *= m.frozen_scale;
      if (known(m.wide_us)) m.wide_us *= m.frozen_scale;
    }
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

std::optional<MeasuredCost> CostModel::measurement_of(const ir::Node& node) const {
  auto find = [this](const std::string& name) -> const MeasuredCost* {
    auto it = measured_.find(name);
    return it == measured_.end() ? nullptr : &it->second;
  };
  const std::string suffix(ir::kSplitPartSuffix);
  const std::string& name = node.name();
  if (!node.attributes().has(ir::kSplitShareAttribute)) {  // whole here
    const MeasuredCost* first = find(name);
    const MeasuredCost* second = find(name + suffix);
    if (first && second)
      return MeasuredCost{sum(first->us, second->us), sum(first->wide_us, second->wide_us),
                          first->frozen_scale};  // both parts ran in one cluster
    if (first) return *first;
    return std::nullopt;
  }
  // A part here: was the profiled node split the same way, or whole?
  const bool second_part = name.size() > suffix.size() && name.ends_with(suffix);
  const std::string whole = second_part ? name.substr(0, name.size() - suffix.size()) : name;
  const MeasuredCost* first = find(whole);
  if (first && find(whole + suffix)) return *find(name);
  if (!first) return std::nullopt;
  const double share = node.attributes().get_float(ir::kSplitShareAttribute, 1.0f);
  return MeasuredCost{first->us * share, first->wide_us * share, first->frozen_scale};
}

double CostModel::transfer_cost_us(const ir::Value& value) const {
  return profile_.transfer_latency_us + us_at(bytes_of(&value), profile_.transfer_gbps);
}

}  // namespace ramiel::cost
