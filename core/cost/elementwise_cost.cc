// Element-wise ops: a fixed number of operations per output element; inputs broadcast, so each
// input is read once at its own size and the output is written once.
#include <algorithm>
#include <utility>

#include "core/cost/op_cost.h"
#include "core/cost/shape_facts.h"

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

// Whether the program may overwrite `value` with its reader's result, as the code generator
// decides (core/codegen/torch/overwrite.h) up to what a node alone cannot see (which op made the
// tensor, and whether its reader runs on the same worker): a floating-point tensor some node
// computed, read by one node only and not a graph output.
bool overwritable(const ir::Value* value) {
  return value && value->producer() && value->uses().size() == 1 && !value->is_graph_output() &&
         ir::is_floating(value->type().dtype);
}

// Whether the program runs `node` in place, as the element-wise emitter decides: a ReLU on an
// overwritable input; a binary arithmetic op whose first input (either input of Add and Mul,
// which commute) is overwritable and has the result's static shape and type.
bool runs_in_place(const ir::Node& node) {
  if (node.num_outputs() != 1 || node.num_inputs() == 0) return false;
  if (node.op() == OpKind::Relu) return overwritable(node.input(0));
  const bool commutes = node.op() == OpKind::Add || node.op() == OpKind::Mul;
  if (!commutes && node.op() != OpKind::Sub && node.op() != OpKind::Div) return false;
  const ir::TensorType& out = node.output(0)->type();
  auto holds_result = [&](const ir::Value* in) {
    return overwritable(in) && out.has_static_shape() && in->type().dtype == out.dtype &&
           in->type().shape == out.shape;
  };
  return holds_result(node.input(0)) ||
         (commutes && node.num_inputs() > 1 && holds_result(node.input(1)));
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
  if (runs_in_place(node)) std::swap(work.bytes, work.inplace_bytes);
  return work;
}

}  // namespace ramiel::cost
