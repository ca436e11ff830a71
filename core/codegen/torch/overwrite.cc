#include "core/codegen/torch/overwrite.h"

namespace ramiel::codegen {
namespace {

using ir::OpKind;

// Ops whose emitters always return a tensor no other value shares: a new tensor, or (for the
// ops that may compute in place) their own overwritable input, which nothing else sees either.
// Ops that may return a view or their input unchanged (Reshape, Identity, Dropout, Clip without
// bounds, Split, Slice, ...) are absent on purpose.
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

}  // namespace

std::vector<bool> overwritable_values(const ir::Graph& graph, const Placement& placement) {
  std::vector<bool> out(static_cast<size_t>(graph.value_id_bound()), false);
  auto cluster = [&](const ir::Node* n) {
    return placement.cluster_of[static_cast<size_t>(n->id())];
  };
  for (const ir::Node* n : graph.nodes()) {
    if (n->num_outputs() == 0 || !makes_fresh_tensor(n->op())) continue;
    const ir::Value* v = n->output(0);
    if (v->is_graph_output() || v->uses().size() != 1 || !ir::is_floating(v->type().dtype)) {
      continue;
    }
    if (cluster(v->uses()[0].user) != cluster(n)) continue;  // it crosses workers
    out[static_cast<size_t>(v->id())] = true;
  }
  return out;
}

}  // namespace ramiel::codegen
