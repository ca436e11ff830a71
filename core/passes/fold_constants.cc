#include "core/passes/fold_constants.h"

#include "core/passes/inline_branch.h"

#include "core/passes/fold/evaluator.h"
#include "core/passes/rewrite.h"
#include "core/passes/shape_refinement.h"

namespace ramiel::passes {
namespace {

bool inputs_have_data(const ir::Node& node) {
  for (const ir::Value* in : node.inputs()) {
    if (!in) continue;  // an omitted optional input
    if (!in->is_constant() || !in->constant()->has_data()) return false;
  }
  return true;
}

// Whether `result` may replace `value`: the inferred type, where known, must agree, or the
// evaluator and shape inference disagree and the safe choice is to keep the node.
bool agrees_with_type(const ir::Tensor& result, const ir::Value& value) {
  const ir::TensorType& type = value.type();
  if (type.dtype != ir::DType::kUndefined && type.dtype != result.dtype()) return false;
  if (!type.shape) return true;
  if (type.shape->size() != result.shape().size()) return false;
  for (size_t i = 0; i < type.shape->size(); ++i) {
    const int64_t dim = (*type.shape)[i];
    if (dim != ir::kUnknownDim && dim != result.shape()[i]) return false;
  }
  return true;
}

// An input constant holding exactly `result`. Its readers can read that constant instead of a
// copy: torch.onnx.export shares equal weights through Identity nodes, and copying them into
// folded constants would embed model weights in the generated program.
ir::Value* identical_input(const ir::Node& node, const ir::Tensor& result) {
  for (ir::Value* in : node.inputs()) {
    if (in && in->is_constant() && *in->constant() == result) return in;
  }
  return nullptr;
}

}  // namespace

StatusOr<bool> fold_constants(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  // A copy: folding removes nodes from the order.
  const std::vector<ir::Node*> order(graph.nodes().begin(), graph.nodes().end());
  for (ir::Node* node : order) {
    // A body's own constant subexpressions fold like the main graph's (its inputs, captures
    // and loop state included, are unknown). An If whose condition is known becomes its branch.
    for (const auto& [attribute, body] : node->subgraphs()) {
      RAMIEL_ASSIGN_OR_RETURN(bool body_changed, fold_constants(*body, context));
      changed = changed || body_changed;
    }
    if (node->op() == ir::OpKind::If && inline_constant_if(graph, node)) {
      context.count("inlined-branches");
      changed = true;
      continue;
    }
    // Earlier folds may have made this node's shape parameters constant.
    if (refine_output_shapes(*node)) context.count("shapes-refined");
    const fold::FoldRule& rule = fold::fold_rule(node->op());
    if (!rule.evaluate || (!rule.reads_types_only && !inputs_have_data(*node))) continue;
    const fold::FoldContext fold_context(*node, context.max_folded_elements);
    fold::FoldResult results = rule.evaluate(fold_context);
    if (!results) continue;
    if (results->size() != node->num_outputs()) {
      return internal_error("evaluator of " + std::string(node->op_type()) + " returned " +
                            std::to_string(results->size()) + " results for node " + node->name() +
                            " with " + std::to_string(node->num_outputs()) + " outputs");
    }
    bool small = true;
    bool agrees = true;
    for (size_t i = 0; i < results->size(); ++i) {
      small = small && (*results)[i].element_count() <= context.max_folded_elements;
      agrees = agrees && agrees_with_type((*results)[i], *node->output(i));
    }
    if (!agrees) context.count("fold-type-mismatch");
    if (!small || !agrees) continue;
    for (size_t i = 0; i < results->size(); ++i) {
      ir::Value* out = node->output(i);
      // A graph output keeps its own name, so it gets its own (small) constant.
      ir::Value* same = identical_input(*node, (*results)[i]);
      if (same && !out->is_graph_output()) {
        graph.replace_all_uses(out, same);
        continue;
      }
      std::string name = release_name(graph, out);
      ir::Value* constant = graph.add_constant(std::move(name), std::move((*results)[i]),
                                               ir::ConstantOrigin::kFolded);
      graph.replace_all_uses(out, constant);
    }
    graph.remove_node(node);
    context.count(kFoldedCounter);
    changed = true;
  }
  return changed;
}

}  // namespace ramiel::passes
