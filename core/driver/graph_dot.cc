// graph.dot: the final graph for Graphviz, one box per node coloured by cluster, with the
// tensors that cross between clusters drawn bold and labelled.
#include <array>
#include <cmath>
#include <cstdio>

#include "core/driver/report.h"
#include "core/support/indented_stream.h"

namespace ramiel::driver {
namespace {

constexpr std::array<const char*, 12> kPalette = {
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462",
    "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f"};

// A DOT double-quoted string.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

std::string fixed2(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", v);
  return buffer;
}

std::string format_us(double us) { return std::to_string(static_cast<int64_t>(std::llround(us))) + " us"; }

}  // namespace

std::string graph_dot(const ReportInput& input) {
  const ir::Graph& graph = *input.graph;
  const auto& dataflow = *input.dataflow;
  const auto& sched = *input.schedule;
  const auto cluster_of = [&](const ir::Node* n) {
    return sched.cluster_of[static_cast<size_t>(dataflow.index_of(*n))];
  };
  auto node_id = [](const ir::Node* n) { return quoted("n" + std::to_string(n->id())); };
  auto value_id = [](const ir::Value* v) { return quoted("v" + std::to_string(v->id())); };

  IndentedStream out;
  out.line("digraph " + quoted(input.model_name) + " {");
  {
    IndentedStream::Scope scope(out);
    out.line("rankdir=TB;");
    out.line("labelloc=t;");
    out.line("label=" + quoted(input.model_name + ": " + std::to_string(sched.clusters.size()) +
                               " clusters, predicted speedup " +
                               fixed2(sched.speedup()) + "x") +
             ";");
    out.line("node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10];");
    out.line("edge [color=\"#555555\", arrowsize=0.6];");
    for (const ir::Value* in : graph.inputs()) {
      out.line(value_id(in) + " [shape=ellipse, fillcolor=\"#ffffff\", label=" +
               quoted(in->name() + "\n" + in->type().to_string()) + "];");
    }
    for (size_t c = 0; c < sched.clusters.size(); ++c) {
      double cost = 0;
      for (int32_t i : sched.clusters[c]) cost += input.node_costs[static_cast<size_t>(i)];
      out.line("subgraph " + quoted("cluster_" + std::to_string(c)) + " {");
      {
        IndentedStream::Scope inner(out);
        const bool wide = static_cast<int32_t>(c) == sched.wide_cluster;
        const int threads = c < sched.cluster_threads.size() ? sched.cluster_threads[c] : 1;
        out.line("label=" + quoted("cluster " + std::to_string(c) + (wide ? ", wide" : "") + " (" +
                                   std::to_string(threads) + (threads == 1 ? " thread, " : " threads, ") +
                                   format_us(cost) + ")") +
                 ";");
        out.line("style=dashed; color=\"#999999\";");
        for (int32_t i : sched.clusters[c]) {
          const ir::Node* n = &dataflow.ir_node(i);
          out.line(node_id(n) + " [fillcolor=\"" + kPalette[c % kPalette.size()] + "\", label=" +
                   quoted(std::string(n->op_type()) + "\n" + n->name() + "\n" +
                          format_us(input.node_costs[static_cast<size_t>(i)])) +
                   "];");
        }
      }
      out.line("}");
    }
    for (const ir::Value* v : graph.outputs()) {
      out.line(quoted("out_" + v->name()) + " [shape=ellipse, fillcolor=\"#ffffff\", label=" +
               quoted(v->name()) + "];");
    }
    // Data edges, in node order; constants are left out (they would drown the picture).
    for (const ir::Node* n : dataflow.ir_nodes()) {
      for (const ir::Value* in : n->inputs()) {
        if (!in || in->is_constant()) continue;
        if (in->is_graph_input()) {
          out.line(value_id(in) + " -> " + node_id(n) + ";");
          continue;
        }
        const ir::Node* producer = in->producer();
        const bool crosses = cluster_of(producer) != cluster_of(n);
        out.line(node_id(producer) + " -> " + node_id(n) +
                 (crosses ? " [style=bold, color=\"#d62728\", label=" + quoted(in->name()) +
                                ", fontsize=8];"
                          : ";"));
      }
    }
    for (const ir::Value* v : graph.outputs()) {
      std::string from = v->producer() ? node_id(v->producer()) : value_id(v);
      if (v->is_constant()) continue;
      out.line(from + " -> " + quoted("out_" + v->name()) + ";");
    }
  }
  out.line("}");
  return out.str();
}

}  // namespace ramiel::driver
