// Simulated execution of clustered work: how long the generated program is predicted to run.
//
// The execution model is the generated program's: each cluster is one worker that runs its
// nodes one after another in the cluster's order; before a node that reads a value produced on
// another worker it waits for that value, which arrives the edge's transfer cost after its
// producer finished. Values produced on the same worker are free.
#pragma once

#include <cstdint>
#include <vector>

#include "core/schedule/dataflow_graph.h"
#include "core/support/status.h"

namespace ramiel::schedule {

// Runs the model for `workers` workers where worker w executes the nodes with worker_of == w in
// the order they appear in `order`, a topological order of all nodes (a "global rank"). Every
// worker order derived from one global rank is deadlock-free, so this cannot fail. Returns the
// makespan; fills `finish` (per node) when given. O(V + E).
double simulate_ranked(const DataflowGraph& graph, const std::vector<int32_t>& worker_of,
                       int workers, const std::vector<int32_t>& order,
                       std::vector<double>* finish = nullptr);

// The graph renumbered by a global rank into flat arrays, for many simulations of one rank
// with different worker assignments (merging evaluates dozens): the walk over positions is
// sequential and predecessors sit in one array, which keeps large graphs in cache.
class RankedSimulator {
 public:
  // `rank`: every node once, in a topological order.
  RankedSimulator(const DataflowGraph& graph, const std::vector<int32_t>& rank);

  int32_t size() const { return static_cast<int32_t>(node_at_.size()); }
  size_t num_edges() const { return pred_pos_.size(); }
  int32_t node_at(int32_t position) const { return node_at_[static_cast<size_t>(position)]; }
  double cost(int32_t position) const { return cost_[static_cast<size_t>(position)]; }
  // Predecessors of the node at `position`, as positions, with their edge costs.
  int32_t pred_begin(int32_t position) const { return pred_begin_[static_cast<size_t>(position)]; }
  int32_t pred_end(int32_t position) const {
    return pred_begin_[static_cast<size_t>(position) + 1];
  }
  int32_t pred_position(int32_t i) const { return pred_pos_[static_cast<size_t>(i)]; }
  double pred_cost(int32_t i) const { return pred_cost_[static_cast<size_t>(i)]; }

  // simulate_ranked with the worker of each rank position: the same makespan, exactly.
  double makespan(const std::vector<int32_t>& worker_at, int workers);

 private:
  std::vector<int32_t> node_at_;
  std::vector<double> cost_;
  std::vector<int32_t> pred_begin_;
  std::vector<int32_t> pred_pos_;
  std::vector<double> pred_cost_;
  // Scratch: what a predecessor's successors read, side by side so a lookup is one cache line.
  struct Done {
    double finish;
    int32_t worker;
  };
  std::vector<Done> done_;       // by position
  std::vector<double> free_at_;  // by worker
};

// Runs the model for arbitrary cluster orders. `cluster_of` and `clusters` must describe the
// same partition of the nodes. INTERNAL, naming a node, when the orders deadlock: a cycle in the
// graph of data edges plus program-order edges (each node to the next of its cluster).
// `costs` (per node) replaces the graph's node costs when given.
StatusOr<double> simulate_clusters(const DataflowGraph& graph,
                                   const std::vector<int32_t>& cluster_of,
                                   const std::vector<std::vector<int32_t>>& clusters,
                                   const std::vector<double>* costs = nullptr);

}  // namespace ramiel::schedule
