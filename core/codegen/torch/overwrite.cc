#include "core/codegen/torch/overwrite.h"

#include "core/ir/lowering_rules.h"

namespace ramiel::codegen {

std::vector<bool> overwritable_values(const ir::Graph& graph, const Placement& placement) {
  std::vector<bool> out(static_cast<size_t>(graph.value_id_bound()), false);
  auto cluster = [&](const ir::Node* n) {
    return placement.cluster_of[static_cast<size_t>(n->id())];
  };
  for (const ir::Node* n : graph.nodes()) {
    if (n->num_outputs() == 0 || !ir::may_be_overwritten(*n->output(0))) continue;
    const ir::Value* v = n->output(0);
    if (cluster(v->uses()[0].user) != cluster(n)) continue;  // it crosses workers
    out[static_cast<size_t>(v->id())] = true;
  }
  return out;
}

}  // namespace ramiel::codegen
