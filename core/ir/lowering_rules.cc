#include "core/ir/lowering_rules.h"

namespace ramiel::ir {

bool makes_fresh_tensor(OpKind op) {
  switch (op) {
    case OpKind::Conv:
    case OpKind::ConvTranspose:
    case OpKind::MatMul:
    case OpKind::Gemm:
    case OpKind::MaxPool:
    case OpKind::AveragePool:
    case OpKind::GlobalAveragePool:
    case OpKind::BatchNormalization:
    case OpKind::Concat:
    case OpKind::Relu:
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
    case OpKind::Sigmoid:
    case OpKind::Tanh:
    case OpKind::Softmax:
      return true;
    default:
      return false;
  }
}

bool may_be_overwritten(const Value& value) {
  const Node* producer = value.producer();
  return producer && producer->num_outputs() > 0 && producer->output(0) == &value &&
         makes_fresh_tensor(producer->op()) && value.uses().size() == 1 &&
         !value.is_graph_output() && is_floating(value.type().dtype);
}

std::optional<size_t> in_place_operand(const Node& node,
                                       const std::function<bool(size_t)>& may_overwrite_input) {
  if (node.num_outputs() != 1 || node.num_inputs() == 0 || !node.input(0)) return std::nullopt;
  if (node.op() == OpKind::Relu) {
    return may_overwrite_input(0) ? std::optional<size_t>(0) : std::nullopt;
  }
  const bool commutes = node.op() == OpKind::Add || node.op() == OpKind::Mul;
  if (!commutes && node.op() != OpKind::Sub && node.op() != OpKind::Div) return std::nullopt;
  const TensorType& out = node.output(0)->type();
  auto holds_result = [&](size_t i) {
    const Value* in = node.input(i);
    return in && is_floating(out.dtype) && out.has_static_shape() &&
           in->type().dtype == out.dtype && in->type().shape == out.shape && may_overwrite_input(i);
  };
  if (holds_result(0)) return 0;
  if (commutes && node.num_inputs() > 1 && holds_result(1)) return 1;
  return std::nullopt;
}

bool folds_to_affine(const Node& batch_norm) {
  if (batch_norm.op() != OpKind::BatchNormalization || batch_norm.num_inputs() < 5 ||
      batch_norm.attributes().get_int("training_mode", 0) != 0) {
    return false;
  }
  for (size_t i = 1; i <= 4; ++i) {
    if (!batch_norm.input(i) || !batch_norm.input(i)->is_constant()) return false;
  }
  const TensorType& x = batch_norm.input(0)->type();
  return x.shape && x.shape->size() >= 2 &&
         (x.dtype == DType::kFloat32 || x.dtype == DType::kFloat64);
}

}  // namespace ramiel::ir
