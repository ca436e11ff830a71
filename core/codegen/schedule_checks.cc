#include "core/codegen/schedule_checks.h"

namespace ramiel::codegen {

StatusOr<Placement> place_nodes(const ir::Graph& graph, const schedule::IndexedGraph& indexed,
                                const schedule::Schedule& schedule) {
  const auto& nodes = indexed.nodes;
  if (nodes.size() != graph.num_nodes()) {
    return internal_error("the indexed graph has " + std::to_string(nodes.size()) +
                          " nodes, the graph " + std::to_string(graph.num_nodes()));
  }
  Placement p;
  p.cluster_of.assign(static_cast<size_t>(graph.node_id_bound()), -1);
  p.index_of.assign(static_cast<size_t>(graph.node_id_bound()), -1);
  for (size_t i = 0; i < nodes.size(); ++i) {
    const ir::Node* n = nodes[i];
    if (!n || n->id() >= graph.node_id_bound() || graph.node(n->id()) != n) {
      return internal_error("indexed node " + std::to_string(i) + " is not in the graph");
    }
    p.index_of[static_cast<size_t>(n->id())] = static_cast<int32_t>(i);
  }
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

Status check_deadlock_free(const schedule::IndexedGraph& indexed,
                           const schedule::Schedule& schedule, const Placement& placement) {
  const size_t n = indexed.nodes.size();
  std::vector<std::vector<size_t>> next(n);
  std::vector<int> waiting(n, 0);
  auto edge = [&](size_t from, size_t to) {
    next[from].push_back(to);
    ++waiting[to];
  };
  for (size_t i = 0; i < n; ++i) {
    for (const ir::Value* v : indexed.nodes[i]->inputs()) {
      if (!v || !v->producer()) continue;
      edge(static_cast<size_t>(placement.index_of[static_cast<size_t>(v->producer()->id())]), i);
    }
  }
  for (const auto& cluster : schedule.clusters) {
    for (size_t k = 1; k < cluster.size(); ++k) {
      edge(static_cast<size_t>(cluster[k - 1]), static_cast<size_t>(cluster[k]));
    }
  }
  std::vector<size_t> ready;
  for (size_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push_back(i);
  }
  size_t done = 0;
  while (!ready.empty()) {
    size_t i = ready.back();
    ready.pop_back();
    ++done;
    for (size_t j : next[i]) {
      if (--waiting[j] == 0) ready.push_back(j);
    }
  }
  if (done != n) {
    return internal_error(
        "the schedule would deadlock: its cluster orders contradict the data dependencies");
  }
  return ok_status();
}

}  // namespace ramiel::codegen
