#include "core/schedule/dataflow.h"

#include <algorithm>

#include "core/support/check.h"

namespace ramiel::schedule {
namespace {

// Finds the edge to `node` in `edges`, searching from the back (the most recent edges).
Edge* find_edge(std::vector<Edge>& edges, int32_t node) {
  for (auto it = edges.rbegin(); it != edges.rend(); ++it) {
    if (it->node == node) return &*it;
  }
  return nullptr;
}

}  // namespace

size_t DataflowGraph::num_edges() const {
  size_t n = 0;
  for (const std::vector<Edge>& edges : succ) n += edges.size();
  return n;
}

int32_t DataflowGraph::add_node(double cost_us) {
  node_cost_us.push_back(cost_us);
  succ.emplace_back();
  pred.emplace_back();
  return size() - 1;
}

int32_t DataflowGraph::add_node(double cost_us, double wide_cost_us) {
  node_wide_cost_us.push_back(wide_cost_us);
  return add_node(cost_us);
}

void DataflowGraph::add_edge(int32_t from, int32_t to, double cost_us) {
  RAMIEL_CHECK(0 <= from && from < to && to < size());
  if (Edge* existing = find_edge(pred[static_cast<size_t>(to)], from)) {
    existing->cost_us += cost_us;
    Edge* mirror = find_edge(succ[static_cast<size_t>(from)], to);
    RAMIEL_CHECK(mirror != nullptr);
    mirror->cost_us += cost_us;
    return;
  }
  succ[static_cast<size_t>(from)].push_back({to, cost_us});
  pred[static_cast<size_t>(to)].push_back({from, cost_us});
}

IndexedGraph index_graph(const ir::Graph& graph, const cost::CostModel& costs) {
  IndexedGraph indexed;
  indexed.nodes.reserve(graph.num_nodes());
  std::vector<int32_t> index_of(static_cast<size_t>(graph.node_id_bound()), -1);
  std::vector<const ir::Value*> seen;  // distinct values read by the current node
  for (const ir::Node* node : graph.nodes()) {
    const cost::NodeCost cost = costs.node_cost(*node);
    const int32_t index = indexed.dataflow.add_node(cost.us, cost.wide_us);
    index_of[static_cast<size_t>(node->id())] = index;
    indexed.nodes.push_back(node);
    seen.clear();
    for (const ir::Value* value : node->inputs()) {
      if (value == nullptr || value->producer() == nullptr) continue;
      // A value read twice (Mul(x, x)) crosses workers once.
      if (std::find(seen.begin(), seen.end(), value) != seen.end()) continue;
      seen.push_back(value);
      const int32_t from = index_of[static_cast<size_t>(value->producer()->id())];
      RAMIEL_CHECK(from >= 0);  // nodes() is topological: producers come first
      indexed.dataflow.add_edge(from, index, costs.transfer_cost_us(*value));
    }
  }
  return indexed;
}

}  // namespace ramiel::schedule
