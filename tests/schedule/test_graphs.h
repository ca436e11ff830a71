// Small hand-built dataflow graphs shared by the schedule tests.
#pragma once

#include <initializer_list>
#include <utility>

#include "core/schedule/dataflow.h"
#include "core/schedule/flat_graph.h"
#include "core/support/check.h"

namespace ramiel::schedule::testing {

// A graph from node costs and (from, to, cost) edges.
struct EdgeSpec {
  int32_t from;
  int32_t to;
  double cost_us;
};

inline DataflowGraph make_graph(std::initializer_list<double> costs,
                                std::initializer_list<EdgeSpec> edges) {
  DataflowGraph g;
  for (double c : costs) g.add_node(c);
  for (const EdgeSpec& e : edges) g.add_edge(e.from, e.to, e.cost_us);
  return g;
}

// The flat form of a graph the test built correctly.
inline FlatGraph flat(const DataflowGraph& g) {
  StatusOr<FlatGraph> f = FlatGraph::build(g);
  RAMIEL_CHECK(f.ok());
  return std::move(f).value();
}

// A chain of `n` nodes of cost `node_us` joined by edges of cost `edge_us`.
inline DataflowGraph chain(int32_t n, double node_us, double edge_us) {
  DataflowGraph g;
  for (int32_t i = 0; i < n; ++i) {
    g.add_node(node_us);
    if (i > 0) g.add_edge(i - 1, i, edge_us);
  }
  return g;
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
