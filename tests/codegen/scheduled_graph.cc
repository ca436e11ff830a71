#include "tests/codegen/scheduled_graph.h"

#include <algorithm>
#include <sstream>

namespace ramiel::codegen::testing {

CodegenInput ScheduledGraph::input(std::string sha256) const {
  CodegenInput in;
  in.graph = graph.get();
  in.dataflow = &dataflow;
  in.schedule = &schedule;
  in.model_sha256 = std::move(sha256);
  in.compiler_version = "0.0.0-test";
  in.options_summary = "workers=" + std::to_string(schedule.clusters.size());
  return in;
}

StatusOr<ScheduledGraph> schedule_by_name(std::unique_ptr<ir::Graph> graph,
                                          const std::vector<std::vector<std::string>>& clusters,
                                          double cost_us) {
  ScheduledGraph s;
  RAMIEL_ASSIGN_OR_RETURN(
      s.dataflow,
      schedule::DataflowGraph::from_ir(
          *graph,
          [cost_us](const ir::Node&) { return cost::NodeCost{.us = cost_us, .wide_us = cost_us}; },
          [](const ir::Value&) { return 0.0; }));
  const auto& nodes = s.dataflow.ir_nodes();
  const auto index_of = [&](const std::string& name) -> int32_t {
    auto it = std::find_if(nodes.begin(), nodes.end(),
                           [&](const ir::Node* n) { return n->name() == name; });
    return it == nodes.end() ? -1 : static_cast<int32_t>(it - nodes.begin());
  };
  s.schedule.cluster_of.assign(nodes.size(), -1);
  if (clusters.empty()) {
    s.schedule.clusters.emplace_back();
    for (size_t i = 0; i < nodes.size(); ++i) {
      s.schedule.clusters[0].push_back(static_cast<int32_t>(i));
      s.schedule.cluster_of[i] = 0;
    }
  }
  for (const auto& names : clusters) {
    std::vector<int32_t> members;
    for (const std::string& name : names) {
      const int32_t index = index_of(name);
      if (index < 0) return not_found("no node named '" + name + "'");
      members.push_back(index);
      s.schedule.cluster_of[static_cast<size_t>(index)] =
          static_cast<int32_t>(s.schedule.clusters.size());
    }
    s.schedule.clusters.push_back(std::move(members));
  }
  s.schedule.serial_us = cost_us * static_cast<double>(nodes.size());
  for (const auto& c : s.schedule.clusters) {
    s.schedule.makespan_us =
        std::max(s.schedule.makespan_us, cost_us * static_cast<double>(c.size()));
  }
  s.schedule.critical_path_us = s.schedule.makespan_us;
  s.graph = std::move(graph);
  return s;
}

std::vector<std::vector<std::string>> parse_clusters(const std::string& spec) {
  std::vector<std::vector<std::string>> out;
  std::stringstream clusters(spec);
  for (std::string cluster; std::getline(clusters, cluster, ';');) {
    std::vector<std::string> names;
    std::stringstream members(cluster);
    for (std::string name; std::getline(members, name, ',');) {
      if (!name.empty()) names.push_back(name);
    }
    out.push_back(std::move(names));
  }
  return out;
}

}  // namespace ramiel::codegen::testing
