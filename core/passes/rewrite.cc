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

bool has_single_reader(const ir::Value& value) {
  return value.uses().size() == 1 && !value.is_graph_output();
}

ir::Node* replace_output_with_node(ir::Graph& graph, ir::Node* old, ir::OpKind op,
                                   const std::vector<ir::Value*>& inputs, ir::Attributes attributes,
                                   int opset, const std::string& name) {
  ir::Value* out = old->output(0);
  ir::Node* fresh = graph.add_node(op, graph.unique_node_name(name), inputs,
                                   {{graph.unique_value_name(name + "_output_0"), out->type()}},
                                   std::move(attributes), opset);
  graph.move_before(fresh, old);
  replace_keeping_name(graph, out, fresh->output(0));
  return fresh;
}

}  // namespace ramiel::passes
