// Element-wise ops: a fixed number of operations per output element; inputs broadcast, so each
// input is read once at its own size and the output is written once.
#include <algorithm>
#include <utility>

#include "core/cost/op_cost.h"
#include "core/cost/shape_facts.h"
#include "core/ir/lowering_rules.h"

namespace ramiel::cost {
namespace {

using ir::OpKind;

double ops_per_element(OpKind op) {
  switch (op) {
    case OpKind::Exp:
    case OpKind::Log:
    case OpKind::Pow:
    case OpKind::Sin:
    case OpKind::Cos:
    case OpKind::Tan:
    case OpKind::Asin:
    case OpKind::Acos:
    case OpKind::Atan:
    case OpKind::Sinh:
    case OpKind::Cosh:
    case OpKind::Asinh:
    case OpKind::Acosh:
    case OpKind::Atanh:
    case OpKind::Erf:
    case OpKind::Gelu:  // x * (1 + erf(x / sqrt 2)) / 2
    case OpKind::Tanh:
    case OpKind::Sigmoid:
    case OpKind::Softplus:
    case OpKind::Elu:
    case OpKind::Selu:
    case OpKind::Celu:
      return kTranscendentalOps;
    case OpKind::Softsign:     // x / (1 + |x|)
    case OpKind::HardSigmoid:  // max(0, min(1, a * x + b))
      return 3;
    case OpKind::HardSwish:  // x * hardsigmoid(x)
      return 4;
    case OpKind::Clip:  // min then max
    case OpKind::LeakyRelu:
    case OpKind::PRelu:
    case OpKind::Shrink:
    case OpKind::Sqrt:
      return 2;
    default:  // one comparison, arithmetic or logical operation, or a conversion
      return 1;
  }
}

// Variadic ops fold their n inputs with n - 1 operations per element.
bool is_variadic(OpKind op) {
  return op == OpKind::Sum || op == OpKind::Mean || op == OpKind::Max || op == OpKind::Min;
}

}  // namespace

OpWork elementwise_cost(const ir::Node& node) {
  double per_element = ops_per_element(node.op());
  if (is_variadic(node.op())) {
    per_element *= static_cast<double>(std::max<size_t>(node.num_inputs(), 2) - 1);
    if (node.op() == OpKind::Mean) per_element += 1;  // the final division
  }
  OpWork work;
  work.flops = output_elements(node) * per_element;
  if (ops_per_element(node.op()) >= kTranscendentalOps) work.vector_ops = work.flops;
  work.bytes = io_bytes(node);
  // The program computes some results in an input's storage (ir::in_place_operand), at its own
  // rate; a node alone cannot tell whether that input crosses workers, so it counts as not.
  const auto may_overwrite_input = [&node](size_t i) {
    return node.input(i) && ir::may_be_overwritten(*node.input(i));
  };
  if (ir::in_place_operand(node, may_overwrite_input)) std::swap(work.bytes, work.inplace_bytes);
  return work;
}

}  // namespace ramiel::cost
