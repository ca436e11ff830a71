#include "core/passes/eliminate_dead_code.h"

#include <vector>

namespace ramiel::passes {
namespace {

// Removes the captures no body of `node` reads any more (their body inputs with them), so the
// outer values they held can die too. Returns whether it removed any.
bool drop_unused_captures(ir::Node& node) {
  bool changed = false;
  for (size_t k = node.num_captures(); k-- > 0;) {
    bool read = false;
    for (const auto& [attribute, body] : node.subgraphs()) {
      const ir::Value* in = body->inputs()[body->inputs().size() - node.num_captures() + k];
      read = read || in->has_uses() || in->is_graph_output();
    }
    if (read) continue;
    for (const auto& [attribute, body] : node.subgraphs()) {
      body->remove_input(body->inputs().size() - node.num_captures() + k);
    }
    node.remove_capture(k);
    changed = true;
  }
  return changed;
}

}  // namespace

StatusOr<bool> eliminate_dead_code(ir::Graph& graph, PassContext& context) {
  bool changed_bodies = false;
  // Liveness flows backwards from the graph outputs; one reverse sweep of the topological
  // order sees every consumer before its producer.
  std::vector<bool> live(static_cast<size_t>(graph.value_id_bound()), false);
  for (const ir::Value* out : graph.outputs()) live[static_cast<size_t>(out->id())] = true;
  std::vector<ir::Node*> dead;
  for (auto it = graph.nodes().rbegin(); it != graph.nodes().rend(); ++it) {
    ir::Node* node = *it;
    bool needed = false;
    for (const ir::Value* out : node->outputs())
      needed = needed || live[static_cast<size_t>(out->id())];
    if (!needed) {
      dead.push_back(node);
      continue;
    }
    // A live control-flow node: its bodies' dead nodes go (a body's outputs are its roots),
    // then the captures nothing reads any more, before its inputs are marked live.
    for (const auto& [attribute, body] : node->subgraphs()) {
      RAMIEL_ASSIGN_OR_RETURN(bool body_changed, eliminate_dead_code(*body, context));
      changed_bodies = changed_bodies || body_changed;
    }
    if (node->has_subgraphs()) changed_bodies = drop_unused_captures(*node) || changed_bodies;
    for (const ir::Value* in : node->inputs()) {
      if (in) live[static_cast<size_t>(in->id())] = true;
    }
  }
  // `dead` is in reverse topological order, so each node's consumers are already gone.
  for (ir::Node* node : dead) graph.remove_node(node);
  int64_t removed_constants = 0;
  for (ir::Value* constant : graph.constants()) {
    if (constant->has_uses() || constant->is_graph_output()) continue;
    graph.remove_constant(constant);
    ++removed_constants;
  }
  context.count(kRemovedCounter, static_cast<int64_t>(dead.size()));
  context.count("removed-constants", removed_constants);
  return !dead.empty() || removed_constants > 0 || changed_bodies;
}

}  // namespace ramiel::passes
