#include "core/passes/inline_branch.h"

#include <set>
#include <unordered_map>

#include "core/passes/rewrite.h"

namespace ramiel::passes {

bool inline_constant_if(ir::Graph& graph, ir::Node* node) {
  const ir::Value* condition = node->input(0);
  if (!condition || !condition->is_constant() || !condition->constant()->has_data() ||
      condition->constant()->element_count() != 1) {
    return false;
  }
  const bool taken = condition->constant()->to_int64()[0] != 0;
  std::unique_ptr<ir::Graph> branch = node->release_subgraph(taken ? "then_branch" : "else_branch");
  if (!branch || branch->inputs().size() != node->num_captures() ||
      branch->outputs().size() != node->num_outputs()) {
    if (branch) node->set_subgraph(taken ? "then_branch" : "else_branch", std::move(branch));
    return false;
  }
  std::unordered_map<const ir::Value*, ir::Value*> outer;  // branch value -> enclosing value
  for (size_t k = 0; k < node->num_captures(); ++k) {
    outer[branch->inputs()[k]] = node->input(node->num_operands() + k);
  }
  for (ir::Value* c : branch->constants()) {
    outer[c] = graph.add_constant(graph.unique_value_name(c->name()), *c->constant(),
                                  c->constant_origin());
  }
  std::set<const ir::Value*> computed;  // enclosing values the inlined nodes produce
  for (ir::Node* n : branch->nodes()) {
    std::vector<ir::Value*> operands;
    for (size_t i = 0; i < n->num_operands(); ++i) {
      operands.push_back(n->input(i) ? outer.at(n->input(i)) : nullptr);
    }
    std::vector<ir::OutputSpec> outputs;
    for (const ir::Value* out : n->outputs()) {
      outputs.push_back({graph.unique_value_name(out->name()), out->type()});
    }
    ir::Node* copy = graph.add_node(n->op(), graph.unique_node_name(n->name()), operands, outputs,
                                    n->attributes(), n->opset());
    graph.move_before(copy, node);
    for (size_t k = 0; k < n->num_captures(); ++k) {
      copy->add_capture(outer.at(n->input(n->num_operands() + k)));
    }
    std::vector<std::string> attributes;
    for (const auto& [attribute, body] : n->subgraphs()) attributes.push_back(attribute);
    for (const std::string& attribute : attributes) {
      copy->set_subgraph(attribute, n->release_subgraph(attribute));
    }
    for (size_t i = 0; i < n->num_outputs(); ++i) {
      outer[n->output(i)] = copy->output(i);
      computed.insert(copy->output(i));
    }
  }
  for (size_t i = 0; i < node->num_outputs(); ++i) {
    ir::Value* result = outer.at(branch->outputs()[i]);
    if (computed.erase(result)) {  // the first If output it stands for gives it its name
      replace_keeping_name(graph, node->output(i), result);
    } else {
      graph.replace_all_uses(node->output(i), result);
    }
  }
  graph.remove_node(node);
  return true;
}

}  // namespace ramiel::passes
