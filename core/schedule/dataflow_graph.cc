#include "core/schedule/flat_graph.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ramiel::schedule {
namespace {

bool valid_cost(double c) {
  return std::isfinite(c) && c >= 0;
}

std::string edge_name(size_t from, size_t to) {
  return "edge " + std::to_string(from) + " -> " + std::to_string(to);
}

}  // namespace

StatusOr<FlatGraph> FlatGraph::build(const DataflowGraph& graph) {
  const size_t n = graph.node_cost_us.size();
  if (graph.succ.size() != n || graph.pred.size() != n) {
    return invalid_argument("dataflow graph: succ and pred must have one list per node");
  }
  if (!graph.node_wide_cost_us.empty() && graph.node_wide_cost_us.size() != n) {
    return invalid_argument("dataflow graph: wide costs must be given for every node or none");
  }
  FlatGraph flat;
  flat.cost_ = graph.node_cost_us;
  flat.wide_cost_ = graph.node_wide_cost_us;
  for (size_t u = 0; u < flat.wide_cost_.size(); ++u) {
    if (!valid_cost(flat.wide_cost_[u])) {
      return invalid_argument("dataflow graph: node " + std::to_string(u) +
                              " has a negative or non-finite wide cost");
    }
    // More threads never make a node slower: a worse estimate is not the better choice.
    flat.wide_cost_[u] = std::min(flat.wide_cost_[u], flat.cost_[u]);
  }
  flat.succ_begin_.reserve(n + 1);
  flat.pred_begin_.assign(n + 1, 0);
  for (size_t u = 0; u < n; ++u) {
    if (!valid_cost(flat.cost_[u])) {
      return invalid_argument("dataflow graph: node " + std::to_string(u) +
                              " has a negative or non-finite cost");
    }
    flat.succ_begin_.push_back(static_cast<int32_t>(flat.succ_.size()));
    for (const Edge& e : graph.succ[u]) {
      if (e.node <= static_cast<int32_t>(u) || e.node >= static_cast<int32_t>(n)) {
        return invalid_argument("dataflow graph: " + edge_name(u, static_cast<size_t>(e.node)) +
                                " does not go forward in the order");
      }
      if (!valid_cost(e.cost_us)) {
        return invalid_argument("dataflow graph: " + edge_name(u, static_cast<size_t>(e.node)) +
                                " has a negative or non-finite cost");
      }
      flat.succ_.push_back(e);
      ++flat.pred_begin_[static_cast<size_t>(e.node) + 1];
    }
  }
  flat.succ_begin_.push_back(static_cast<int32_t>(flat.succ_.size()));

  // The pred rows the succ lists imply, by counting sort on the target: sources come out in
  // increasing order.
  for (size_t v = 0; v < n; ++v) flat.pred_begin_[v + 1] += flat.pred_begin_[v];
  flat.pred_.resize(flat.succ_.size());
  std::vector<int32_t> fill(flat.pred_begin_.begin(), flat.pred_begin_.end() - 1);
  for (size_t u = 0; u < n; ++u) {
    for (const Edge& e : flat.succ(static_cast<int32_t>(u))) {
      flat.pred_[static_cast<size_t>(fill[static_cast<size_t>(e.node)]++)] = {
          static_cast<int32_t>(u), e.cost_us};
    }
  }

  // The given pred lists must match those rows one to one: mark the given edges (a second
  // mark is a duplicate), then consume one mark per implied edge (so a duplicate succ edge
  // finds none).
  std::vector<size_t> mark(n, SIZE_MAX);
  std::vector<double> marked_cost(n, 0.0);
  for (size_t v = 0; v < n; ++v) {
    const std::span<const Edge> implied = flat.pred(static_cast<int32_t>(v));
    bool same = graph.pred[v].size() == implied.size();
    for (const Edge& e : graph.pred[v]) {
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
  return flat;
}

Status validate_dataflow(const DataflowGraph& graph) {
  return FlatGraph::build(graph).status();
}

}  // namespace ramiel::schedule
