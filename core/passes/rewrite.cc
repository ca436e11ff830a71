#include "core/passes/rewrite.h"

namespace ramiel::passes {

std::string release_name(ir::Graph& graph, ir::Value* value) {
  std::string name = value->name();
  graph.rename_value(value, graph.unique_value_name(name + "_replaced"));
  return name;
}

void replace_keeping_name(ir::Graph& graph, ir::Value* from, ir::Value* to) {
  std::string name = release_name(graph, from);
  graph.rename_value(to, std::move(name));
  graph.replace_all_uses(from, to);
}

}  // namespace ramiel::passes
