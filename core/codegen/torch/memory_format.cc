#include "core/codegen/torch/memory_format.h"

namespace ramiel::codegen {
namespace {

using ir::OpKind;

bool has_rank(const ir::Value* v, size_t rank) {
  return v && v->type().is_tensor() && v->type().shape && v->type().shape->size() == rank;
}

bool is_conv2d(const ir::Node& n) {
  return n.op() == OpKind::Conv && has_rank(n.input(0), 4) && has_rank(n.input(1), 4);
}

// Ops whose outputs torch makes channels-last when their first input is (measured on torch 1.13:
// TensorIterator keeps the first full-size operand's layout, the CPU pools and batch norm
// support channels-last, constant padding preserves it; a split or a slice is a view in the same
// dimension order, which the next elementwise op turns into a dense channels-last tensor).
bool keeps_layout_of_first_input(OpKind op) {
  switch (op) {
    case OpKind::Relu:
    case OpKind::LeakyRelu:
    case OpKind::Sigmoid:
    case OpKind::Tanh:
    case OpKind::Clip:
    case OpKind::Elu:
    case OpKind::Celu:
    case OpKind::Selu:
    case OpKind::HardSigmoid:
    case OpKind::HardSwish:
    case OpKind::Neg:
    case OpKind::Abs:
    case OpKind::Exp:
    case OpKind::Sqrt:
    case OpKind::Identity:
    case OpKind::Dropout:
    case OpKind::MaxPool:
    case OpKind::AveragePool:
    case OpKind::GlobalAveragePool:
    case OpKind::BatchNormalization:
    case OpKind::LRN:
    case OpKind::Pad:
    case OpKind::Split:
    case OpKind::Slice:
      return true;
    default:
      return false;
  }
}

bool is_broadcasting_elementwise(OpKind op) {
  switch (op) {
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
    case OpKind::Max:
    case OpKind::Min:
    case OpKind::Sum:
    case OpKind::Where:
      return true;
    default:
      return false;
  }
}

bool reads_as_image(const ir::Use& use) {
  if (use.input_index != 0) return false;
  switch (use.user->op()) {
    case OpKind::Conv:
    case OpKind::MaxPool:
    case OpKind::AveragePool:
    case OpKind::GlobalAveragePool:
    case OpKind::GlobalMaxPool:
      return true;
    default:
      return false;
  }
}

// The layout torch gives the (4-d) outputs of `n`, from its inputs' layouts.
bool outputs_channels_last(const ir::Node& n, const MemoryFormatPlan& plan) {
  if (n.num_outputs() == 0 || !has_rank(n.output(0), 4)) return false;
  auto cl = [&](size_t i) { return n.input(i) && plan.is_channels_last(*n.input(i)); };
  if (is_conv2d(n)) return cl(0) || cl(1);
  if (keeps_layout_of_first_input(n.op())) return cl(0);
  if (n.op() == OpKind::Concat) {
    for (const ir::Value* v : n.inputs()) {
      if (!v || !plan.is_channels_last(*v)) return false;
    }
    return n.num_inputs() > 0;
  }
  if (is_broadcasting_elementwise(n.op())) {  // the first operand of the output's shape decides
    const auto& shape = *n.output(0)->type().shape;
    const size_t first = n.op() == OpKind::Where ? 1 : 0;
    for (size_t i = first; i < n.num_inputs(); ++i) {
      const ir::Value* v = n.input(i);
      if (v && v->type().shape && *v->type().shape == shape) return plan.is_channels_last(*v);
    }
  }
  return false;
}

}  // namespace

MemoryFormatPlan plan_memory_formats(const ir::Graph& graph) {
  MemoryFormatPlan plan;
  plan.channels_last.assign(static_cast<size_t>(graph.value_id_bound()), false);
  bool convolutional = false;
  for (const ir::Node* n : graph.nodes()) {
    if (!is_conv2d(*n) || !n->input(1)->is_constant()) continue;
    convolutional = true;
    plan.channels_last[static_cast<size_t>(n->input(1)->id())] = true;
  }
  if (!convolutional) return plan;
  for (const ir::Value* v : graph.inputs()) {
    if (!has_rank(v, 4) || !ir::is_floating(v->type().dtype)) continue;
    for (const ir::Use& use : v->uses()) {
      if (reads_as_image(use)) plan.channels_last[static_cast<size_t>(v->id())] = true;
    }
  }
  for (const ir::Node* n : graph.nodes()) {
    if (!outputs_channels_last(*n, plan)) continue;
    for (const ir::Value* out : n->outputs()) {
      // A string tensor is a numpy array: it has no memory format.
      if (has_rank(out, 4) && out->type().dtype != ir::DType::kString) {
        plan.channels_last[static_cast<size_t>(out->id())] = true;
      }
    }
  }
  return plan;
}

}  // namespace ramiel::codegen
