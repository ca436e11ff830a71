#include "core/driver/report.h"

#include <cmath>

namespace ramiel::driver {
namespace {

using nlohmann::json;

// Microseconds and milliseconds with three decimals: enough to read, stable to diff.
double rounded(double v) {
  return std::round(v * 1000.0) / 1000.0;
}

json value_info(const ir::Value& value) {
  json shape = json::array();
  if (value.type().shape) {
    for (int64_t d : *value.type().shape) shape.push_back(d);
  } else {
    shape = nullptr;
  }
  json info = {
      {"name", value.name()}, {"dtype", ir::dtype_name(value.type().dtype)}, {"shape", shape}};
  // A sequence or an optional: dtype and shape are its tensors'.
  if (!value.type().is_tensor()) info["kind"] = ir::type_kind_name(value.type().kind);
  return info;
}

}  // namespace

std::vector<ClusterEdge> cluster_edges(const ReportInput& input) {
  const auto& dataflow = *input.dataflow;
  const auto& cluster_of = input.schedule->cluster_of;
  std::map<std::pair<int, int>, ClusterEdge> edges;
  std::map<std::pair<int, int>, std::vector<std::string>> seen;
  std::vector<std::pair<int, int>> order;  // first appearance, for a stable listing
  for (size_t i = 0; i < dataflow.ir_nodes().size(); ++i) {
    const int to = cluster_of[i];
    for (const ir::Value* in : dataflow.ir_nodes()[i]->inputs()) {
      if (!in || !in->producer()) continue;
      const int from = cluster_of[static_cast<size_t>(dataflow.index_of(*in->producer()))];
      if (from == to) continue;
      auto key = std::make_pair(from, to);
      auto [it, inserted] = edges.try_emplace(key, ClusterEdge{from, to, {}});
      if (inserted) order.push_back(key);
      auto& tensors = it->second.tensors;
      if (std::find(tensors.begin(), tensors.end(), in->name()) == tensors.end()) {
        tensors.push_back(in->name());
      }
    }
  }
  std::vector<ClusterEdge> out;
  for (const auto& key : order) out.push_back(edges.at(key));
  std::sort(out.begin(), out.end(), [](const ClusterEdge& a, const ClusterEdge& b) {
    return std::tie(a.from, a.to) < std::tie(b.from, b.to);
  });
  return out;
}

std::string schedule_json(const ReportInput& input) {
  const ir::Graph& graph = *input.graph;
  const auto& dataflow = *input.dataflow;
  const auto& sched = *input.schedule;
  const CompileOptions& options = *input.options;

  json inputs = json::array(), outputs = json::array();
  for (const ir::Value* v : graph.inputs()) inputs.push_back(value_info(*v));
  for (const ir::Value* v : graph.outputs()) outputs.push_back(value_info(*v));

  json shapes = json::object();
  for (const auto& [name, shape] : options.input_shapes) shapes[name] = shape;

  json nodes = json::array();
  for (size_t i = 0; i < dataflow.ir_nodes().size(); ++i) {
    const ir::Node& node = *dataflow.ir_nodes()[i];
    json ins = json::array(), outs = json::array();
    for (const ir::Value* v : node.inputs()) {
      if (v) ins.push_back(v->name());
    }
    for (const ir::Value* v : node.outputs()) outs.push_back(v->name());
    nodes.push_back({{"name", node.name()},
                     {"op", node.op_type()},
                     {"cluster", sched.cluster_of[i]},
                     {"cost_us", rounded(input.node_costs[i])},
                     {"inputs", ins},
                     {"outputs", outs}});
  }

  json clusters = json::array();
  for (size_t c = 0; c < sched.clusters.size(); ++c) {
    json names = json::array();
    double cost = 0;
    for (int32_t i : sched.clusters[c]) {
      names.push_back(dataflow.ir_node(i).name());
      cost += input.node_costs[static_cast<size_t>(i)];
    }
    clusters.push_back(
        {{"id", c},
         {"kind", static_cast<int32_t>(c) == sched.wide_cluster ? "wide" : "narrow"},
         {"threads", c < sched.cluster_threads.size() ? sched.cluster_threads[c] : 1},
         {"nodes", names},
         {"cost_us", rounded(cost)}});
  }
  double one_thread_us = 0;
  for (double c : dataflow.costs()) one_thread_us += c;

  json edges = json::array();
  for (const ClusterEdge& e : cluster_edges(input)) {
    edges.push_back({{"from", e.from}, {"to", e.to}, {"tensors", e.tensors}});
  }

  auto counter = [&](const char* name) {
    auto it = input.pass_counters.find(name);
    return it == input.pass_counters.end() ? int64_t{0} : it->second;
  };
  const auto& t = input.timings;
  json report = {
      {"model",
       {{"sha256", input.model_sha256},
        {"name", input.model_name},
        {"opset", graph.opset},
        {"inputs", inputs},
        {"outputs", outputs}}},
      {"compiler", {{"name", "ramiel"}, {"version", compiler_version()}}},
      {"options",
       {{"workers", options.workers},
        {"input_shapes", shapes},
        {"device_profile", input.device_profile},
        {"measured_costs", !options.measured_costs_json.empty()}}},
      {"graph",
       {{"nodes_in", input.nodes_in},
        {"nodes_out", graph.num_nodes()},
        {"folded", counter("folded")},
        {"removed", counter("removed")},
        {"cloned", counter("cloned")},
        {"fused", counter("fused")},
        {"pooled_first", counter("pooled-first")},
        {"split", counter("split")},
        {"parallel_rewrites_dropped", input.parallel_rewrites_dropped}}},
      {"nodes", nodes},
      {"clusters", clusters},
      {"cluster_edges", edges},
      {"prediction",
       {{"serial_us", rounded(sched.serial_us)},
        {"serial_one_thread_us", rounded(one_thread_us)},
        {"critical_path_us", rounded(sched.critical_path_us)},
        {"makespan_us", rounded(sched.makespan_us)},
        {"speedup", rounded(sched.speedup())}}},
      {"timings_ms",
       {{"import", rounded(t.import_ms)},
        {"passes", rounded(t.passes_ms)},
        {"cost", rounded(t.cost_ms)},
        {"schedule", rounded(t.schedule_ms)},
        {"codegen", rounded(t.codegen_ms)},
        {"total", rounded(t.total_ms)}}},
      {"warnings", input.warnings},
  };
  // Names come from the model and need not be UTF-8; strict dumping throws on them (found by
  // fuzzing), so invalid bytes become U+FFFD.
  return report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace ramiel::driver
