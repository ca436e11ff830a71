// Bottom levels (distance to the end) and top levels (distance from the start) of a DAG.
#pragma once

#include <cstdint>
#include <vector>

#include "core/schedule/dataflow_graph.h"

namespace ramiel::schedule {

// bottom[v] = cost(v) + max over successors s of (edge(v, s) + bottom[s]): the length of the
// longest path from v's start to the end of the graph when every edge is paid. O(V + E).
std::vector<double> bottom_levels(const DataflowGraph& graph);
// top[v] = max over predecessors p of (top[p] + cost(p) + edge(p, v)): the earliest v could
// start with unlimited workers and every edge paid. O(V + E).
std::vector<double> top_levels(const DataflowGraph& graph);
// Nodes by bottom level, highest first, ties to the lower index. This is a topological order
// (a predecessor's level is at least its successor's, and its index is lower), and it is the
// order in which list scheduling by bottom level takes nodes: the highest unplaced node is
// always ready. Keys are sorted in place, not compared through `bottom`, which is 2-3x faster
// on large graphs. O(V log V).
std::vector<int32_t> level_order(const std::vector<double>& bottom);
// The longest path, node and edge costs: the largest bottom level (0 for an empty graph).
double critical_path_us(const std::vector<double>& bottom);

}  // namespace ramiel::schedule
