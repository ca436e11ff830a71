// Test helper: a graph with a hand-written schedule (clusters listed by node name).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/codegen/codegen.h"
#include "core/ir/graph.h"
#include "core/schedule/schedule.h"

namespace ramiel::codegen::testing {

struct ScheduledGraph {
  std::unique_ptr<ir::Graph> graph;
  schedule::DataflowGraph dataflow;
  schedule::Schedule schedule;

  CodegenInput input(std::string sha256 = std::string(64, '0')) const;
};

// Snapshots `graph` (every node costing `cost_us`, narrow or wide, every transfer free) and
// makes one cluster per list of node names, in the order listed; an empty list of clusters puts
// every node in one. The schedule is taken as given: nothing verifies it.
StatusOr<ScheduledGraph> schedule_by_name(std::unique_ptr<ir::Graph> graph,
                                          const std::vector<std::vector<std::string>>& clusters,
                                          double cost_us = 10);

// "a,b;c" -> {{"a", "b"}, {"c"}}.
std::vector<std::vector<std::string>> parse_clusters(const std::string& spec);

}  // namespace ramiel::codegen::testing
