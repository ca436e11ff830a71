#include "core/schedule/dataflow.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

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

bool valid_cost(double c) {
  return std::isfinite(c) && c >= 0;
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

Status validate_dataflow(const DataflowGraph& graph) {
  const size_t n = graph.node_cost_us.size();
  if (graph.succ.size() != n || graph.pred.size() != n) {
    return invalid_argument("dataflow graph: succ and pred must have one list per node");
  }
  auto edge_name = [](size_t u, int32_t v) {
    return "edge " + std::to_string(u) + " -> " + std::to_string(v);
  };
  // The pred lists the succ lists imply, grouped by target in flat arrays (counting sort):
  // no allocation per node, which matters for 100k-node graphs.
  std::vector<int32_t> begin(n + 1, 0);
  for (size_t u = 0; u < n; ++u) {
    if (!valid_cost(graph.node_cost_us[u])) {
      return invalid_argument("dataflow graph: node " + std::to_string(u) +
                              " has a negative or non-finite cost");
    }
    for (const Edge& e : graph.succ[u]) {
      if (e.node <= static_cast<int32_t>(u) || e.node >= static_cast<int32_t>(n)) {
        return invalid_argument("dataflow graph: " + edge_name(u, e.node) +
                                " does not go forward in the order");
      }
      if (!valid_cost(e.cost_us)) {
        return invalid_argument("dataflow graph: " + edge_name(u, e.node) +
                                " has a negative or non-finite cost");
      }
      ++begin[static_cast<size_t>(e.node) + 1];
    }
  }
  for (size_t v = 0; v < n; ++v) begin[v + 1] += begin[v];
  std::vector<Edge> implied(static_cast<size_t>(begin[n]));
  std::vector<int32_t> fill(begin.begin(), begin.end() - 1);
  for (size_t u = 0; u < n; ++u) {
    for (const Edge& e : graph.succ[u]) {
      implied[static_cast<size_t>(fill[static_cast<size_t>(e.node)]++)] = {static_cast<int32_t>(u),
                                                                           e.cost_us};
    }
  }
  // Per node, the given preds and the implied ones must match one to one: mark the given ones
  // (a second mark is a duplicate), then consume a mark for each implied one.
  std::vector<size_t> mark(n, SIZE_MAX);
  std::vector<double> marked_cost(n, 0.0);
  for (size_t v = 0; v < n; ++v) {
    const auto implied_count = static_cast<size_t>(begin[v + 1] - begin[v]);
    bool same = graph.pred[v].size() == implied_count;
    for (const Edge& e : graph.pred[v]) {
      if (!same) break;
      if (e.node < 0 || static_cast<size_t>(e.node) >= n) {
        same = false;
      } else if (mark[static_cast<size_t>(e.node)] == v) {
        return invalid_argument("dataflow graph: duplicate " +
                                edge_name(static_cast<size_t>(e.node), static_cast<int32_t>(v)));
      } else {
        mark[static_cast<size_t>(e.node)] = v;
        marked_cost[static_cast<size_t>(e.node)] = e.cost_us;
      }
    }
    for (int32_t k = begin[v]; same && k < begin[v + 1]; ++k) {
      const Edge& e = implied[static_cast<size_t>(k)];
      const auto u = static_cast<size_t>(e.node);
      same = mark[u] == v && marked_cost[u] == e.cost_us;
      mark[u] = SIZE_MAX;  // consumed: a duplicate succ edge finds no mark
    }
    if (!same) {
      return invalid_argument("dataflow graph: predecessors of node " + std::to_string(v) +
                              " do not mirror the successor lists");
    }
  }
  return ok_status();
}

IndexedGraph index_graph(const ir::Graph& graph, const cost::CostModel& costs) {
  IndexedGraph indexed;
  indexed.nodes.reserve(graph.num_nodes());
  std::vector<int32_t> index_of(static_cast<size_t>(graph.node_id_bound()), -1);
  std::vector<const ir::Value*> seen;  // distinct values read by the current node
  for (const ir::Node* node : graph.nodes()) {
    const int32_t index = indexed.dataflow.add_node(costs.node_cost(*node).us);
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
