// The compile report files: schedule.json (machine-readable) and graph.dot (the picture).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/driver/compile.h"
#include "core/ir/graph.h"
#include "core/schedule/schedule.h"

namespace ramiel::driver {

struct StageTimings {
  double import_ms = 0, passes_ms = 0, cost_ms = 0, schedule_ms = 0, codegen_ms = 0, total_ms = 0;
};

// Everything the reports describe, gathered by compile().
struct ReportInput {
  const ir::Graph* graph = nullptr;                   // the final graph
  const schedule::DataflowGraph* dataflow = nullptr;  // the snapshot that was scheduled
  const schedule::Schedule* schedule = nullptr;
  std::vector<double> node_costs;  // each node's predicted time where the schedule runs it
  const CompileOptions* options = nullptr;
  std::string model_sha256;
  std::string model_name;
  nlohmann::json device_profile;
  int64_t nodes_in = 0;  // nodes in the imported graph, before passes
  std::map<std::string, int64_t> pass_counters;
  // The passes' splits and clones were undone because the schedule was one cluster anyway.
  bool parallel_rewrites_dropped = false;
  StageTimings timings;
  std::vector<std::string> warnings;
};

// Tensors flowing from one cluster to another, in node order.
struct ClusterEdge {
  int from;
  int to;
  std::vector<std::string> tensors;
};
std::vector<ClusterEdge> cluster_edges(const ReportInput& input);

std::string schedule_json(const ReportInput& input);
std::string graph_dot(const ReportInput& input);

}  // namespace ramiel::driver
