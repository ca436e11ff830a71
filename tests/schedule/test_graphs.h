// Small hand-built dataflow graphs shared by the schedule tests.
#pragma once

#include <initializer_list>
#include <utility>

#include "core/schedule/dataflow_graph.h"
#include "core/support/check.h"

namespace ramiel::schedule::testing {

// A graph from node costs and (from, to, cost) edges.
struct EdgeSpec {
  int32_t from;
  int32_t to;
  double cost_us;
};

// The snapshot of a graph the test built correctly.
inline DataflowGraph snapshot(const DataflowGraphBuilder& builder) {
  StatusOr<DataflowGraph> g = DataflowGraph::from_builder(builder);
  RAMIEL_CHECK(g.ok());
  return std::move(g).value();
}

inline DataflowGraph make_graph(std::initializer_list<double> costs,
                                std::initializer_list<EdgeSpec> edges) {
  DataflowGraphBuilder b;
  for (double c : costs) b.add_node(c);
  for (const EdgeSpec& e : edges) b.add_edge(e.from, e.to, e.cost_us);
  return snapshot(b);
}

// A chain of `n` nodes of cost `node_us` joined by edges of cost `edge_us`.
inline DataflowGraphBuilder chain_edges(int32_t n, double node_us, double edge_us) {
  DataflowGraphBuilder b;
  for (int32_t i = 0; i < n; ++i) {
    b.add_node(node_us);
    if (i > 0) b.add_edge(i - 1, i, edge_us);
  }
  return b;
}
inline DataflowGraph chain(int32_t n, double node_us, double edge_us) {
  return snapshot(chain_edges(n, node_us, edge_us));
}

// An inception-like block (GoogLeNet's mixed layer) with hand-set costs:
//   0 stem ─┬─ 1 conv1x1 ─────────────────┐
//           ├─ 2 reduce3x3 ─ 3 conv3x3 ───┤
//           ├─ 4 reduce5x5 ─ 5 conv5x5 ───┼─ 8 concat
//           └─ 6 maxpool ─── 7 proj1x1 ───┘
// Every edge costs 15 us.
inline DataflowGraph inception_block() {
  return make_graph({100, 60, 30, 200, 20, 150, 80, 40, 10}, {{0, 1, 15},
                                                              {0, 2, 15},
                                                              {0, 4, 15},
                                                              {0, 6, 15},
                                                              {2, 3, 15},
                                                              {4, 5, 15},
                                                              {6, 7, 15},
                                                              {1, 8, 15},
                                                              {3, 8, 15},
                                                              {5, 8, 15},
                                                              {7, 8, 15}});
}

}  // namespace ramiel::schedule::testing
