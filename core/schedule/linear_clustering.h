// Linear clustering: the DAG cut into paths along its critical paths.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/schedule/dataflow_graph.h"

namespace ramiel::schedule {

// Paths in flat arrays: path p is nodes[begin[p], begin[p + 1]), in path (hence topological)
// order; path_of gives each node's path.
struct LinearClusters {
  std::vector<int32_t> nodes;
  std::vector<int32_t> begin = {0};
  std::vector<int32_t> path_of;

  int32_t count() const { return static_cast<int32_t>(begin.size()) - 1; }
  std::span<const int32_t> path(int32_t p) const {
    const auto b = static_cast<size_t>(begin[static_cast<size_t>(p)]);
    const auto e = static_cast<size_t>(begin[static_cast<size_t>(p) + 1]);
    return {nodes.data() + b, e - b};
  }
};

// Partitions the nodes into paths (each consecutive pair joined by an edge), longest-first in
// the sense of critical-path clustering: the first path is a critical path of the graph, and
// each later one starts at the unclustered node with the highest bottom level (the first in
// `order`, which is level_order(bottom)) and repeatedly follows the unclustered successor s
// maximising edge(v, s) + bottom[s], so that the heaviest edges end up inside paths, where
// they cost nothing.
//
// This is the near-linear variant of the classic algorithm (which recomputes the critical path
// of the remaining graph after every cut, O(V (V + E))): given the order, every edge is looked
// at once. O(V + E).
LinearClusters linear_clusters(const DataflowGraph& graph, const std::vector<double>& bottom,
                               const std::vector<int32_t>& order);

}  // namespace ramiel::schedule
