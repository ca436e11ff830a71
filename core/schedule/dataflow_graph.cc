#include "core/schedule/dataflow_graph.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/support/check.h"

namespace ramiel::schedule {
namespace {

bool valid_cost(double c) {
  return std::isfinite(c) && c >= 0;
}

std::string edge_name(size_t from, size_t to) {
  return "edge " + std::to_string(from) + " -> " + std::to_string(to);
}

}  // namespace

Status DataflowGraph::check_costs() {
  for (size_t u = 0; u < wide_cost_.size(); ++u) {
    if (!valid_cost(wide_cost_[u])) {
      return invalid_argument("dataflow graph: node " + std::to_string(u) +
                              " has a negative or non-finite wide cost");
    }
    // More threads never make a node slower: a worse estimate is not the better choice.
    wide_cost_[u] = std::min(wide_cost_[u], cost_[u]);
  }
  for (int32_t u = 0; u < size(); ++u) {
    if (!valid_cost(cost(u))) {
      return invalid_argument("dataflow graph: node " + std::to_string(u) +
                              " has a negative or non-finite cost");
    }
    for (const Edge& e : succ(u)) {
      if (!valid_cost(e.cost_us)) {
        return invalid_argument(
            "dataflow graph: " + edge_name(static_cast<size_t>(u), static_cast<size_t>(e.node)) +
            " has a negative or non-finite cost");
      }
    }
  }
  return ok_status();
}

StatusOr<DataflowGraph> DataflowGraph::from_ir(const ir::Graph& graph,
                                               const cost::CostModel& costs) {
  return from_ir(
      graph, [&costs](const ir::Node& node) { return costs.node_cost(node); },
      [&costs](const ir::Value& value) { return costs.transfer_cost_us(value); });
}

StatusOr<DataflowGraph> DataflowGraph::from_ir(const ir::Graph& graph, const NodeCostFn& node_cost,
                                               const TransferCostFn& transfer_cost) {
  DataflowGraph g;
  const size_t n = graph.num_nodes();
  g.cost_.reserve(n);
  g.wide_cost_.reserve(n);
  g.ir_nodes_.reserve(n);
  g.index_of_id_.assign(static_cast<size_t>(graph.node_id_bound()), -1);
  g.pred_begin_.reserve(n + 1);
  g.pred_begin_.push_back(0);
  std::vector<const ir::Value*> seen;  // distinct values read by the current node
  for (const ir::Node* node : graph.nodes()) {
    const cost::NodeCost cost = node_cost(*node);
    const int32_t index = g.size();
    g.cost_.push_back(cost.us);
    g.wide_cost_.push_back(cost.wide_us);
    g.ir_nodes_.push_back(node);
    g.index_of_id_[static_cast<size_t>(node->id())] = index;
    // The pred row: one edge per producer, costing every distinct value read from it.
    const size_t row_begin = g.pred_.size();
    seen.clear();
    for (const ir::Value* value : node->inputs()) {
      if (value == nullptr || value->producer() == nullptr) continue;
      // A value read twice (Mul(x, x)) crosses workers once.
      if (std::find(seen.begin(), seen.end(), value) != seen.end()) continue;
      seen.push_back(value);
      const int32_t from = g.index_of_id_[static_cast<size_t>(value->producer()->id())];
      RAMIEL_CHECK(from >= 0);  // nodes() is topological: producers come first
      const auto row = g.pred_.begin() + static_cast<std::ptrdiff_t>(row_begin);
      const auto same =
          std::find_if(row, g.pred_.end(), [&](const Edge& e) { return e.node == from; });
      if (same != g.pred_.end()) {
        same->cost_us += transfer_cost(*value);
      } else {
        g.pred_.push_back({from, transfer_cost(*value)});
      }
    }
    std::sort(g.pred_.begin() + static_cast<std::ptrdiff_t>(row_begin), g.pred_.end(),
              [](const Edge& a, const Edge& b) { return a.node < b.node; });
    g.pred_begin_.push_back(static_cast<int32_t>(g.pred_.size()));
  }

  // The succ rows the pred rows imply, by counting sort on the source: targets come out in
  // increasing order.
  g.succ_begin_.assign(n + 1, 0);
  for (const Edge& e : g.pred_) ++g.succ_begin_[static_cast<size_t>(e.node) + 1];
  for (size_t u = 0; u < n; ++u) g.succ_begin_[u + 1] += g.succ_begin_[u];
  g.succ_.resize(g.pred_.size());
  std::vector<int32_t> fill(g.succ_begin_.begin(), g.succ_begin_.end() - 1);
  for (int32_t v = 0; v < g.size(); ++v) {
    for (const Edge& e : g.pred(v)) {
      g.succ_[static_cast<size_t>(fill[static_cast<size_t>(e.node)]++)] = {v, e.cost_us};
    }
  }
  RAMIEL_RETURN_IF_ERROR(g.check_costs());
  return g;
}

StatusOr<DataflowGraph> DataflowGraph::from_builder(const DataflowGraphBuilder& builder) {
  const size_t n = builder.node_cost_us.size();
  if (builder.succ.size() != n || builder.pred.size() != n) {
    return invalid_argument("dataflow graph: succ and pred must have one list per node");
  }
  if (!builder.node_wide_cost_us.empty() && builder.node_wide_cost_us.size() != n) {
    return invalid_argument("dataflow graph: wide costs must be given for every node or none");
  }
  DataflowGraph g;
  g.cost_ = builder.node_cost_us;
  g.wide_cost_ = builder.node_wide_cost_us;
  g.succ_begin_.reserve(n + 1);
  g.pred_begin_.assign(n + 1, 0);
  for (size_t u = 0; u < n; ++u) {
    g.succ_begin_.push_back(static_cast<int32_t>(g.succ_.size()));
    for (const Edge& e : builder.succ[u]) {
      if (e.node <= static_cast<int32_t>(u) || e.node >= static_cast<int32_t>(n)) {
        return invalid_argument("dataflow graph: " + edge_name(u, static_cast<size_t>(e.node)) +
                                " does not go forward in the order");
      }
      g.succ_.push_back(e);
      ++g.pred_begin_[static_cast<size_t>(e.node) + 1];
    }
  }
  g.succ_begin_.push_back(static_cast<int32_t>(g.succ_.size()));
  RAMIEL_RETURN_IF_ERROR(g.check_costs());

  // The pred rows the succ lists imply, by counting sort on the target: sources come out in
  // increasing order.
  for (size_t v = 0; v < n; ++v) g.pred_begin_[v + 1] += g.pred_begin_[v];
  g.pred_.resize(g.succ_.size());
  std::vector<int32_t> fill(g.pred_begin_.begin(), g.pred_begin_.end() - 1);
  for (size_t u = 0; u < n; ++u) {
    for (const Edge& e : g.succ(static_cast<int32_t>(u))) {
      g.pred_[static_cast<size_t>(fill[static_cast<size_t>(e.node)]++)] = {static_cast<int32_t>(u),
                                                                           e.cost_us};
    }
  }

  // The given pred lists must match those rows one to one: mark the given edges (a second
  // mark is a duplicate), then consume one mark per implied edge (so a duplicate succ edge
  // finds none).
  std::vector<size_t> mark(n, SIZE_MAX);
  std::vector<double> marked_cost(n, 0.0);
  for (size_t v = 0; v < n; ++v) {
    const std::span<const Edge> implied = g.pred(static_cast<int32_t>(v));
    bool same = builder.pred[v].size() == implied.size();
    for (const Edge& e : builder.pred[v]) {
      if (!same) break;
      const auto u = static_cast<size_t>(e.node);
      if (e.node < 0 || u >= n) {
        same = false;
      } else if (mark[u] == v) {
        return invalid_argument("dataflow graph: duplicate " + edge_name(u, v));
      } else {
        mark[u] = v;
        marked_cost[u] = e.cost_us;
      }
    }
    for (size_t k = 0; same && k < implied.size(); ++k) {
      const auto u = static_cast<size_t>(implied[k].node);
      same = mark[u] == v && marked_cost[u] == implied[k].cost_us;
      mark[u] = SIZE_MAX;
    }
    if (!same) {
      return invalid_argument("dataflow graph: predecessors of node " + std::to_string(v) +
                              " do not mirror the successor lists");
    }
  }
  return g;
}

int32_t DataflowGraph::index_of(const ir::Node& node) const {
  const auto id = static_cast<size_t>(node.id());
  if (id >= index_of_id_.size()) return -1;
  const int32_t index = index_of_id_[id];
  return index >= 0 && ir_nodes_[static_cast<size_t>(index)] == &node ? index : -1;
}

std::string DataflowGraph::node_label(int32_t v) const {
  std::string label = "node " + std::to_string(v);
  if (0 <= v && static_cast<size_t>(v) < ir_nodes_.size()) {
    label += " ('" + ir_node(v).name() + "')";
  }
  return label;
}

}  // namespace ramiel::schedule
