#include "core/schedule/dataflow_builder.h"

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

int32_t DataflowGraphBuilder::add_node(double cost_us) {
  node_cost_us.push_back(cost_us);
  succ.emplace_back();
  pred.emplace_back();
  return size() - 1;
}

int32_t DataflowGraphBuilder::add_node(double cost_us, double wide_cost_us) {
  node_wide_cost_us.push_back(wide_cost_us);
  return add_node(cost_us);
}

void DataflowGraphBuilder::add_edge(int32_t from, int32_t to, double cost_us) {
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

}  // namespace ramiel::schedule
