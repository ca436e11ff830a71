#include "core/passes/remove_noops.h"

#include "core/passes/fold/slice_params.h"
#include "core/passes/operands.h"
#include "core/passes/rewrite.h"

namespace ramiel::passes {
namespace {

using ir::OpKind;

bool is_unused(const ir::Value* value) {
  return !value->has_uses() && !value->is_graph_output();
}

bool dropout_is_inference(const ir::Node& node) {
  if (node.num_outputs() > 1 && !is_unused(node.output(1))) return false;  // the mask is read
  if (!node.input(2)) return true;  // no training_mode input (none before opset 12)
  auto training = constant_ints(node, 2);
  return training && training->size() == 1 && (*training)[0] == 0;
}

bool same_static_shape(const ir::Value& a, const ir::Value& b) {
  return a.type().has_static_shape() && b.type().has_static_shape() &&
         *a.type().shape == *b.type().shape;
}

bool is_identity_perm(const ir::Node& node) {
  const ir::TensorType& type = node.input(0)->type();
  if (!type.shape) return false;
  const size_t rank = type.shape->size();
  auto perm = node.attributes().find_ints("perm");
  if (!perm) return rank <= 1;  // the default reverses the axes
  if (perm->size() != rank) return false;
  for (size_t i = 0; i < rank; ++i) {
    if ((*perm)[i] != static_cast<int64_t>(i)) return false;
  }
  return true;
}

bool slice_takes_everything(const ir::Node& node) {
  const ir::TensorType& type = node.input(0)->type();
  if (!type.has_static_shape()) return false;
  auto axes = fold::resolve_slice(node, *type.shape);
  if (!axes) return false;
  for (size_t i = 0; i < axes->size(); ++i) {
    const fold::SliceAxis& a = (*axes)[i];
    if (a.start != 0 || a.step != 1 || a.count != (*type.shape)[i]) return false;
  }
  return true;
}

bool pads_are_zero(const ir::Node& node) {
  IntsOperand pads = ints_operand(node, 1);
  if (!pads.values) return false;
  for (int64_t p : *pads.values) {
    if (p != 0) return false;
  }
  return true;
}

bool is_noop(const ir::Node& node) {
  const ir::Value& in = *node.input(0);
  const ir::Value& out = *node.output(0);
  switch (node.op()) {
    case OpKind::Identity:
      return true;
    case OpKind::Dropout:
      return dropout_is_inference(node);
    case OpKind::Cast:
      return in.type().dtype != ir::DType::kUndefined &&
             node.attributes().find_int("to") == static_cast<int64_t>(in.type().dtype);
    case OpKind::CastLike:
      return node.input(1) && in.type().dtype != ir::DType::kUndefined &&
             node.input(1)->type().dtype == in.type().dtype;
    case OpKind::Reshape:
    case OpKind::Flatten:
    case OpKind::Expand:
    case OpKind::Squeeze:
    case OpKind::Unsqueeze:
      return same_static_shape(in, out);
    case OpKind::Transpose:
      return is_identity_perm(node);
    case OpKind::Slice:
      return slice_takes_everything(node);
    case OpKind::Pad:
      return pads_are_zero(node);
    case OpKind::Concat:
    case OpKind::Sum:
    case OpKind::Max:
    case OpKind::Min:
    case OpKind::Mean:
      return node.num_inputs() == 1;
    default:
      return false;
  }
}

}  // namespace

ir::Value* forwarded_input(const ir::Node& node) {
  if (node.num_inputs() == 0 || !node.input(0) || node.num_outputs() == 0) return nullptr;
  // Only Dropout has a second output (its mask) that may be dropped with the node.
  if (node.num_outputs() > 1 && node.op() != OpKind::Dropout) return nullptr;
  const ir::DType in = node.input(0)->type().dtype;
  const ir::DType out = node.output(0)->type().dtype;
  if (in != ir::DType::kUndefined && out != ir::DType::kUndefined && in != out) return nullptr;
  return is_noop(node) ? node.input(0) : nullptr;
}

StatusOr<bool> remove_noops(ir::Graph& graph, PassContext& context) {
  int64_t removed = 0;
  bool changed_bodies = false;
  const std::vector<ir::Node*> order(graph.nodes().begin(), graph.nodes().end());
  for (ir::Node* node : order) {
    for (const auto& [attribute, body] : node->subgraphs()) {  // control-flow bodies alike
      RAMIEL_ASSIGN_OR_RETURN(bool body_changed, remove_noops(*body, context));
      changed_bodies = changed_bodies || body_changed;
    }
    ir::Value* in = forwarded_input(*node);
    if (!in) continue;
    ir::Value* out = node->output(0);
    if (out->is_graph_output()) {
      // Only a plain intermediate value may stand in for a graph output (see header).
      if (in->kind() != ir::ValueKind::kNodeOutput || in->is_graph_output()) continue;
      replace_keeping_name(graph, out, in);
    } else {
      graph.replace_all_uses(out, in);
    }
    graph.remove_node(node);
    ++removed;
  }
  context.count(kRemovedCounter, removed);
  return removed > 0 || changed_bodies;
}

}  // namespace ramiel::passes
