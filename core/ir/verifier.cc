#include "core/ir/verifier.h"

#include <algorithm>
#include <vector>

namespace ramiel::ir {
namespace {

Status broken(const std::string& what) {
  return internal_error("IR verifier: " + what);
}

bool is_live(const Graph& graph, const Value* value) {
  return value->id() < graph.value_id_bound() && graph.value(value->id()) == value;
}

}  // namespace

Status verify_graph(const Graph& graph) {
  // A value is available once its producer ran; inputs and constants are available from the start.
  std::vector<bool> available(static_cast<size_t>(graph.value_id_bound()), false);
  for (const Value* in : graph.inputs()) {
    if (!is_live(graph, in) || !in->is_graph_input()) return broken("bad graph input");
    available[static_cast<size_t>(in->id())] = true;
  }
  for (const Value* c : graph.constants()) available[static_cast<size_t>(c->id())] = true;

  for (const Node* node : graph.nodes()) {
    if (graph.node(node->id()) != node) return broken("node " + node->name() + " is not owned");
    for (size_t i = 0; i < node->num_inputs(); ++i) {
      const Value* in = node->input(i);
      if (!in) continue;
      if (!is_live(graph, in)) return broken("node " + node->name() + " reads a removed value");
      if (!available[static_cast<size_t>(in->id())]) {
        return broken("node " + node->name() + " reads " + in->name() + " before it is produced");
      }
      const Use use{const_cast<Node*>(node), static_cast<int>(i)};
      if (std::count(in->uses().begin(), in->uses().end(), use) != 1) {
        return broken("use list of " + in->name() + " misses node " + node->name());
      }
    }
    if (node->num_captures() > node->num_inputs()) {
      return broken("node " + node->name() + " has more captures than inputs");
    }
    for (const auto& [attribute, body] : node->subgraphs()) {
      // Every body receives the node's captures as its last inputs (see Node::subgraphs).
      if (body->inputs().size() < node->num_captures()) {
        return broken("body " + attribute + " of " + node->name() + " lacks its captured inputs");
      }
      const Status nested = verify_graph(*body);
      if (!nested.ok()) return nested.with_context("body " + attribute + " of " + node->name());
    }
    if (!node->has_subgraphs() && node->num_captures() > 0) {
      return broken("node " + node->name() + " captures values but has no body");
    }
    for (size_t i = 0; i < node->num_outputs(); ++i) {
      const Value* out = node->output(i);
      if (!is_live(graph, out) || out->producer() != node ||
          out->producer_output() != static_cast<int>(i)) {
        return broken("output " + std::to_string(i) + " of " + node->name() + " is inconsistent");
      }
      available[static_cast<size_t>(out->id())] = true;
    }
  }

  size_t live_nodes = 0;
  for (NodeId id = 0; id < graph.node_id_bound(); ++id) live_nodes += graph.node(id) != nullptr;
  if (live_nodes != graph.num_nodes()) return broken("a live node is missing from the order");

  for (ValueId id = 0; id < graph.value_id_bound(); ++id) {
    const Value* value = graph.value(id);
    if (!value) continue;
    for (const Use& use : value->uses()) {
      if (graph.node(use.user->id()) != use.user || use.user->input(use.input_index) != value) {
        return broken("stale use of " + value->name());
      }
    }
  }
  for (const Value* out : graph.outputs()) {
    if (!is_live(graph, out) || !out->is_graph_output()) return broken("bad graph output");
  }
  return ok_status();
}

}  // namespace ramiel::ir
