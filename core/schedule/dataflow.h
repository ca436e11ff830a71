// An immutable, indexed snapshot of the dataflow graph that scheduling analyses read.
#pragma once

#include <cstdint>
#include <vector>

#include "core/cost/cost_model.h"
#include "core/ir/graph.h"

namespace ramiel::schedule {

struct Edge {
  int32_t node;    // the other end (successor in succ, predecessor in pred)
  double cost_us;  // cost of the transfer if the two ends run on different workers
};

// Nodes are 0..size()-1 in a topological order; edges between a pair of nodes are merged
// (costs added), so there is at most one edge per pair in each direction.
struct DataflowGraph {
  std::vector<double> node_cost_us;
  std::vector<std::vector<Edge>> succ;
  std::vector<std::vector<Edge>> pred;

  int32_t size() const { return static_cast<int32_t>(node_cost_us.size()); }
  // Adds a node and returns its index; it must come after all its predecessors.
  int32_t add_node(double cost_us);
  void add_edge(int32_t from, int32_t to, double cost_us);
};

// The snapshot of an IR graph: `nodes[i]` is the IR node behind index i.
struct IndexedGraph {
  DataflowGraph dataflow;
  std::vector<const ir::Node*> nodes;
};

IndexedGraph index_graph(const ir::Graph& graph, const cost::CostModel& costs);

}  // namespace ramiel::schedule
