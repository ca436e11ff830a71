// An immutable, indexed snapshot of the dataflow graph that scheduling analyses read.
#pragma once

#include <cstdint>
#include <vector>

#include "core/cost/cost_model.h"
#include "core/ir/graph.h"
#include "core/support/status.h"

namespace ramiel::schedule {

struct Edge {
  int32_t node;    // the other end (successor in succ, predecessor in pred)
  double cost_us;  // cost of the transfer if the two ends run on different workers
};

// Nodes are 0..size()-1 in a topological order; edges between a pair of nodes are merged
// (costs added), so there is at most one edge per pair in each direction.
struct DataflowGraph {
  std::vector<double> node_cost_us;  // run time on one intra-op thread
  // Run time with every core as an intra-op thread (a "wide" worker), per node; empty when
  // intra-op parallelism is not modelled (then no schedule has a wide cluster).
  std::vector<double> node_wide_cost_us;
  std::vector<std::vector<Edge>> succ;
  std::vector<std::vector<Edge>> pred;

  int32_t size() const { return static_cast<int32_t>(node_cost_us.size()); }
  size_t num_edges() const;
  // Adds a node and returns its index; it must come after all its predecessors. Either every
  // node has a wide cost or none does.
  int32_t add_node(double cost_us);
  int32_t add_node(double cost_us, double wide_cost_us);
  // Adds an edge from an earlier node to a later one, or adds `cost_us` to the existing edge
  // between them. Finding the existing edge scans `to`'s predecessors from the back, which is
  // O(1) when edges are added in node order, as index_graph and random_dag do.
  void add_edge(int32_t from, int32_t to, double cost_us);
};

// OK when `graph` keeps the promises above: finite non-negative costs (wide costs for all nodes
// or none), every edge from a lower
// to a higher index, succ and pred mirroring each other, no duplicate edges. Anything built
// with add_node/add_edge passes; a hand-assembled graph may not (INVALID_ARGUMENT).
Status validate_dataflow(const DataflowGraph& graph);

// The snapshot of an IR graph: `nodes[i]` is the IR node behind index i.
struct IndexedGraph {
  DataflowGraph dataflow;
  std::vector<const ir::Node*> nodes;
};

// Nodes in the graph's (topological) order; node costs (narrow and wide) from `costs`; one edge
// per producer and
// consumer pair, costing the transfers of every distinct value the consumer reads from that
// producer. Graph inputs and constants are not nodes: every worker can read them.
IndexedGraph index_graph(const ir::Graph& graph, const cost::CostModel& costs);

}  // namespace ramiel::schedule
