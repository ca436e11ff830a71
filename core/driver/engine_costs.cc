#include "core/driver/engine_costs.h"

#include <utility>

namespace ramiel::driver {
namespace {

// `graph` costed with prepacked weights for the nodes `frozen` says (by dataflow index).
StatusOr<schedule::DataflowGraph> costed(const ir::Graph& graph, const cost::CostModel& costs,
                                         const schedule::DataflowGraph& dataflow,
                                         const std::vector<bool>& frozen) {
  return schedule::DataflowGraph::from_ir(
      graph,
      [&](const ir::Node& node) {
        const int32_t v = dataflow.index_of(node);
        return costs.node_cost(node, v >= 0 && frozen[static_cast<size_t>(v)]);
      },
      [&costs](const ir::Value& value) { return costs.transfer_cost_us(value); });
}

}  // namespace

bool serial_runs_frozen(const schedule::DataflowGraph& dataflow, const schedule::Schedule& plan,
                        const std::vector<std::string>& engines) {
  const std::vector<double> node_costs = schedule::scheduled_costs(dataflow, plan);
  double frozen = 0;
  double total = 0;
  for (size_t c = 0; c < plan.clusters.size(); ++c) {
    double cluster = 0;
    for (int32_t v : plan.clusters[c]) cluster += node_costs[static_cast<size_t>(v)];
    total += cluster;
    if (c < engines.size() && engines[c] == "frozen") frozen += cluster;
  }
  return frozen * 2 > total;
}

StatusOr<std::optional<schedule::DataflowGraph>> cost_as_run(
    const ir::Graph& graph, const cost::CostModel& costs, const schedule::DataflowGraph& dataflow,
    const std::vector<std::string>& engines, schedule::Schedule& plan) {
  std::vector<bool> in_frozen_cluster(static_cast<size_t>(dataflow.size()), false);
  bool any = false;
  for (size_t c = 0; c < plan.clusters.size() && c < engines.size(); ++c) {
    if (engines[c] != "frozen") continue;
    any = true;
    for (int32_t v : plan.clusters[c]) in_frozen_cluster[static_cast<size_t>(v)] = true;
  }
  if (!any) return std::optional<schedule::DataflowGraph>();  // the costs it was scheduled with
  RAMIEL_ASSIGN_OR_RETURN(schedule::DataflowGraph clustered,
                          costed(graph, costs, dataflow, in_frozen_cluster));
  // load() decides the serial program's engine from the costs model.py records, these.
  const std::vector<bool> serial_frozen(in_frozen_cluster.size(),
                                        serial_runs_frozen(clustered, plan, engines));
  RAMIEL_ASSIGN_OR_RETURN(const schedule::DataflowGraph serial,
                          costed(graph, costs, dataflow, serial_frozen));
  RAMIEL_RETURN_IF_ERROR(schedule::retime_schedule(serial, clustered, plan));
  return std::optional<schedule::DataflowGraph>(std::move(clustered));
}

}  // namespace ramiel::driver
