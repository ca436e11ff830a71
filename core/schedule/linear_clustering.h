// Linear clustering: the DAG cut into paths along its critical paths.
#pragma once

#include <cstdint>
#include <vector>

#include "core/schedule/dataflow.h"

namespace ramiel::schedule {

// Partitions the nodes into paths (each consecutive pair joined by an edge), longest-first in
// the sense of critical-path clustering: the first path is a critical path of the graph, and
// each later one starts at the unclustered node with the highest bottom level (the first in
// `order`, which is level_order(bottom)) and repeatedly
// follows the unclustered successor s maximising edge(v, s) + bottom[s], so that the heaviest
// edges end up inside paths, where they cost nothing. Paths come out in the order they were cut;
// each lists its nodes in path (hence topological) order.
//
// This is the near-linear variant of the classic algorithm (which recomputes the critical path
// of the remaining graph after every cut, O(V (V + E))): one sort by bottom level, then every
// edge is looked at once. O(V + E) given the order.
std::vector<std::vector<int32_t>> linear_clusters(const DataflowGraph& graph,
                                                  const std::vector<double>& bottom,
                                                  const std::vector<int32_t>& order);

}  // namespace ramiel::schedule
