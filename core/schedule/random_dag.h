// Seeded random layered DAGs with random costs, for property tests and scaling benchmarks.
#pragma once

#include <cstdint>

#include "core/schedule/dataflow_graph.h"

namespace ramiel::schedule {

struct RandomDagOptions {
  int32_t nodes = 100;
  // Nodes are spread over this many layers (at least one node each); 0 picks about
  // sqrt(nodes). 1 gives independent nodes, `nodes` a chain-like graph.
  int32_t layers = 0;
  // Every node past the first layer has 1..max_fan_in distinct predecessors, mostly in the
  // layer just before it and sometimes (skip_probability) in any earlier layer.
  int32_t max_fan_in = 3;
  double skip_probability = 0.1;
  // Costs are drawn log-uniformly, so most nodes are cheap and a few heavy, as in real models.
  double min_node_us = 1;
  double max_node_us = 1000;
  double min_edge_us = 1;
  double max_edge_us = 100;
  // When above 1, every node also gets a wide cost (all cores): its cost divided by a speedup
  // drawn log-uniformly from [1, max_wide_speedup].
  double max_wide_speedup = 0;
  uint64_t seed = 1;
};

// The same options give the same graph on every platform (own generator, own distributions).
// Nodes are numbered layer by layer, so the numbering is topological.
DataflowGraphBuilder random_dag_edges(const RandomDagOptions& options);
// The scheduling snapshot of random_dag_edges (always valid).
DataflowGraph random_dag(const RandomDagOptions& options);

}  // namespace ramiel::schedule
