#include "core/driver/engine_costs.h"

#include <map>
#include <utility>

#include "core/codegen/engines.h"

namespace ramiel::driver {
namespace {

// `graph` costed with each node as the engine `engine_of` gives it (by dataflow index) runs it,
// in the cluster `cluster_of` gives it (what fuses into its producer).
StatusOr<schedule::DataflowGraph> costed(const ir::Graph& graph, const cost::CostModel& costs,
                                         const schedule::DataflowGraph& dataflow,
                                         const std::vector<std::string_view>& engine_of,
                                         const std::vector<int32_t>& cluster_of) {
  auto cluster = [&](const ir::Node& node) {
    const int32_t v = dataflow.index_of(node);
    return v >= 0 ? cluster_of[static_cast<size_t>(v)] : -1;
  };
  return schedule::DataflowGraph::from_ir(
      graph,
      [&](const ir::Node& node) {
        const int32_t v = dataflow.index_of(node);
        const std::string_view engine =
            v >= 0 ? engine_of[static_cast<size_t>(v)] : codegen::kEager;
        const auto in_cluster = [&](const ir::Node& other) {
          return v >= 0 && cluster(other) == cluster_of[static_cast<size_t>(v)];
        };
        // The producer of its first computed input (a bias Add may read its bias first).
        const ir::Node* producer = nullptr;
        for (const ir::Value* input : node.inputs()) {
          if (input != nullptr && input->producer() != nullptr) {
            producer = input->producer();
            break;
          }
        }
        const bool same_cluster = producer != nullptr && in_cluster(*producer);
        return costs.node_cost(
            node, {.traced = codegen::is_traced(engine),
                   .prepacked_weights = codegen::reads_prepacked_weights(engine, node.op()),
                   .fused = codegen::fused_into_producer(engine, node, same_cluster),
                   .copied_share = codegen::concat_copied_share(engine, node, in_cluster),
                   .separable_pool = codegen::pools_separably(engine, node)});
      },
      [&costs](const ir::Value& value) { return costs.transfer_cost_us(value); });
}

}  // namespace

std::string serial_engine(const schedule::DataflowGraph& dataflow, const schedule::Schedule& plan,
                          const std::vector<std::string>& engines) {
  const std::vector<double> node_costs = schedule::scheduled_costs(dataflow, plan);
  std::map<std::string_view, double> share;
  double total = 0;
  for (size_t c = 0; c < plan.clusters.size(); ++c) {
    double cluster = 0;
    for (int32_t v : plan.clusters[c]) cluster += node_costs[static_cast<size_t>(v)];
    total += cluster;
    if (c < engines.size()) share[engines[c]] += cluster;
  }
  std::string_view best = codegen::kFrozen;  // a tie goes to frozen, as in load()
  if (share[codegen::kPrepacked] > share[best]) best = codegen::kPrepacked;
  return std::string(share[best] * 2 > total ? best : codegen::kEager);
}

StatusOr<std::optional<schedule::DataflowGraph>> cost_as_run(
    const ir::Graph& graph, const cost::CostModel& costs, const schedule::DataflowGraph& dataflow,
    const std::vector<std::string>& engines, schedule::Schedule& plan) {
  const size_t nodes = static_cast<size_t>(dataflow.size());
  std::vector<std::string_view> engine_of(nodes, codegen::kEager);
  std::vector<int32_t> cluster_of(nodes, -1);
  bool any = false;
  for (size_t c = 0; c < plan.clusters.size(); ++c) {
    for (int32_t v : plan.clusters[c]) cluster_of[static_cast<size_t>(v)] = static_cast<int32_t>(c);
    if (c >= engines.size() || !codegen::is_traced(engines[c])) continue;
    any = true;
    for (int32_t v : plan.clusters[c]) engine_of[static_cast<size_t>(v)] = engines[c];
  }
  if (!any) return std::optional<schedule::DataflowGraph>();  // the costs it was scheduled with
  RAMIEL_ASSIGN_OR_RETURN(schedule::DataflowGraph clustered,
                          costed(graph, costs, dataflow, engine_of, cluster_of));
  // load() decides the serial program's engine from the costs model.py records, these.
  const std::string serial = serial_engine(clustered, plan, engines);
  const std::vector<std::string_view> serial_engine_of(nodes, serial);
  const std::vector<int32_t> one_cluster(nodes, 0);  // run_serial: one function
  RAMIEL_ASSIGN_OR_RETURN(const schedule::DataflowGraph serial_costs,
                          costed(graph, costs, dataflow, serial_engine_of, one_cluster));
  RAMIEL_RETURN_IF_ERROR(schedule::retime_schedule(serial_costs, clustered, plan));
  return std::optional<schedule::DataflowGraph>(std::move(clustered));
}

}  // namespace ramiel::driver
