#include "core/passes/eliminate_dead_code.h"

#include <vector>

namespace ramiel::passes {

StatusOr<bool> eliminate_dead_code(ir::Graph& graph, PassContext& context) {
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
  return !dead.empty() || removed_constants > 0;
}

}  // namespace ramiel::passes
