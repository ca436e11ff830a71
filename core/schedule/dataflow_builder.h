// An edge-list description of a dataflow graph that has no IR behind it (tests, random DAGs,
// benchmarks): the input from which DataflowGraph::from_builder makes the scheduling snapshot.
#pragma once

#include <cstdint>
#include <vector>

namespace ramiel::schedule {

struct Edge {
  int32_t node;    // the other end (successor in succ, predecessor in pred)
  double cost_us;  // cost of the transfer if the two ends run on different workers

  bool operator==(const Edge&) const = default;
};

// Nodes are 0..size()-1 in a topological order; edges between a pair of nodes are merged
// (costs added), so there is at most one edge per pair in each direction. The fields are open
// so that tests can assemble graphs that break these promises; from_builder refuses those.
struct DataflowGraphBuilder {
  std::vector<double> node_cost_us;  // run time on one intra-op thread
  // Run time with every core as an intra-op thread (a "wide" worker), per node; empty when
  // intra-op parallelism is not modelled (then no schedule has a wide cluster).
  std::vector<double> node_wide_cost_us;
  std::vector<std::vector<Edge>> succ;
  std::vector<std::vector<Edge>> pred;

  int32_t size() const { return static_cast<int32_t>(node_cost_us.size()); }
  // Adds a node and returns its index; it must come after all its predecessors. Either every
  // node has a wide cost or none does.
  int32_t add_node(double cost_us);
  int32_t add_node(double cost_us, double wide_cost_us);
  // Adds an edge from an earlier node to a later one, or adds `cost_us` to the existing edge
  // between them. Finding the existing edge scans `to`'s predecessors from the back, which is
  // O(1) when edges are added in node order, as random_dag does.
  void add_edge(int32_t from, int32_t to, double cost_us);
};

}  // namespace ramiel::schedule
