#include "core/codegen/placement.h"

namespace ramiel::codegen {

StatusOr<Placement> place_nodes(const ir::Graph& graph, const schedule::DataflowGraph& dataflow,
                                const schedule::Schedule& schedule) {
  const auto& nodes = dataflow.ir_nodes();
  if (nodes.size() != graph.num_nodes()) {
    return internal_error("the scheduling snapshot has " + std::to_string(nodes.size()) +
                          " IR nodes, the graph " + std::to_string(graph.num_nodes()));
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    const ir::Node* n = nodes[i];
    if (n->id() >= graph.node_id_bound() || graph.node(n->id()) != n) {
      return internal_error("snapshot node " + std::to_string(i) + " is not in the graph");
    }
  }
  Placement p;
  p.cluster_of.assign(static_cast<size_t>(graph.node_id_bound()), -1);
  for (size_t c = 0; c < schedule.clusters.size(); ++c) {
    for (int32_t index : schedule.clusters[c]) {
      if (index < 0 || static_cast<size_t>(index) >= nodes.size()) {
        return internal_error("cluster " + std::to_string(c) + " lists node index " +
                              std::to_string(index) + ", which does not exist");
      }
      const ir::Node* n = nodes[static_cast<size_t>(index)];
      int32_t& slot = p.cluster_of[static_cast<size_t>(n->id())];
      if (slot >= 0) return internal_error("node '" + n->name() + "' is scheduled twice");
      slot = static_cast<int32_t>(c);
    }
  }
  for (const ir::Node* n : graph.nodes()) {
    if (p.cluster_of[static_cast<size_t>(n->id())] < 0) {
      return internal_error("node '" + n->name() + "' is in no cluster");
    }
  }
  return p;
}

}  // namespace ramiel::codegen
