// Reductions and Softmax: operations per input element, reading the input once.
#include <algorithm>
#include <cmath>

#include "core/cost/op_cost.h"
#include "core/cost/shape_facts.h"

namespace ramiel::cost {
namespace {

using ir::OpKind;

double ops_per_input_element(const ir::Node& node) {
  switch (node.op()) {
    case OpKind::ReduceL1:         // |x| then add
    case OpKind::ReduceL2:         // x * x then add (one sqrt per output: negligible)
    case OpKind::ReduceSumSquare:  // x * x then add
      return 2;
    case OpKind::ReduceLogSumExp:  // exp then add
      return kTranscendentalOps + 1;
    case OpKind::TopK: {
      // A selection heap of k elements: log2(k + 1) comparisons per element; k is the output's
      // extent along `axis` (1 when unknown).
      const std::vector<int64_t> y = dims_of(node.num_outputs() > 0 ? node.output(0) : nullptr);
      int64_t axis = node.attributes().get_int("axis", -1);
      if (axis < 0) axis += static_cast<int64_t>(y.size());
      const int64_t k = axis >= 0 ? dim_or(y, static_cast<size_t>(axis), 1) : 1;
      return std::max(1.0, std::log2(static_cast<double>(k) + 1));
    }
    default:  // one comparison or addition: sums, means, min, max, products, ArgMax, CumSum
      return 1;
  }
}

}  // namespace

OpWork reduction_cost(const ir::Node& node) {
  OpWork work;
  work.flops = elements_of(node.input(0)) * ops_per_input_element(node);
  work.bytes = io_bytes(node);
  return work;
}

OpWork softmax_cost(const ir::Node& node) {
  // Softmax and LogSoftmax: a max, a subtraction, an exp, a sum and a division (or, for
  // LogSoftmax, a subtraction of the log-sum) per element. Hardmax: an arg-max and a write.
  const double per_element = node.op() == OpKind::Hardmax ? 2 : 4 + kTranscendentalOps;
  OpWork work;
  work.flops = elements_of(node.input(0)) * per_element;
  if (node.op() != OpKind::Hardmax) work.vector_ops = work.flops;  // an exp per element
  work.bytes = io_bytes(node);
  return work;
}

}  // namespace ramiel::cost
