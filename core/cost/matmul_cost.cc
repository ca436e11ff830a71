// Matrix products: 2 FLOPs (multiply, add) per term of every output element.
#include <algorithm>

#include "core/cost/op_cost.h"
#include "core/cost/shape_facts.h"

namespace ramiel::cost {

OpWork gemm_cost(const ir::Node& node) {
  // Y = alpha * A' * B' + beta * C, with A' = transA ? A^T : A (M x K), B' likewise (K x N).
  const std::vector<int64_t> a = dims_of(node.input(0));
  const std::vector<int64_t> b = dims_of(node.input(1));
  const std::vector<int64_t> y = dims_of(node.num_outputs() > 0 ? node.output(0) : nullptr);
  const bool trans_a = node.attributes().get_int("transA", 0) != 0;
  const bool trans_b = node.attributes().get_int("transB", 0) != 0;

  const double m = static_cast<double>(dim_or(a, trans_a ? 1 : 0, dim_or(y, 0, 1)));
  const double n = static_cast<double>(dim_or(b, trans_b ? 0 : 1, dim_or(y, 1, 1)));
  const double k = static_cast<double>(dim_or(a, trans_a ? 0 : 1, dim_or(b, trans_b ? 1 : 0, 1)));
  OpWork work;
  work.flops = 2.0 * m * n * k + (node.input(2) != nullptr ? m * n : 0.0);
  work.bytes = input_bytes(node) + (y.size() == 2 ? output_bytes(node) : m * n * 4.0);
  if (m == 1) {
    work.matvec_bytes = work.bytes;  // a classifier at batch 1
  } else {
    work.weight_bytes = constant_input_bytes(node);
  }
  return work;
}

OpWork matmul_cost(const ir::Node& node) {
  // numpy.matmul semantics: batch dims broadcast; a 1-D operand is a vector (its dim vanishes).
  const bool quantized = node.op() == ir::OpKind::QLinearMatMul;
  const std::vector<int64_t> a = dims_of(node.input(0));
  const std::vector<int64_t> b = dims_of(node.input(quantized ? 3 : 1));

  // The reduced dim: A's last, else B's first matrix dim.
  const double k = !a.empty()      ? static_cast<double>(a.back())
                   : b.size() >= 2 ? static_cast<double>(b[b.size() - 2])
                                   : static_cast<double>(dim_or(b, 0, 1));
  const bool output_known = node.num_outputs() > 0 && node.output(0)->type().shape;
  double outputs;
  if (output_known) {
    outputs = elements_of(node.output(0));
  } else {
    const double m = a.size() >= 2 ? static_cast<double>(a[a.size() - 2]) : 1.0;
    const double n = b.size() >= 2 ? static_cast<double>(b.back()) : 1.0;
    const size_t a_batch = a.size() > 2 ? a.size() - 2 : 0;
    const size_t b_batch = b.size() > 2 ? b.size() - 2 : 0;
    double batch = 1;
    // Broadcast aligns batch dims from the right.
    for (size_t i = 0; i < std::max(a_batch, b_batch); ++i) {
      const int64_t da = i < a_batch ? a[a_batch - 1 - i] : 1;
      const int64_t db = i < b_batch ? b[b_batch - 1 - i] : 1;
      batch *= static_cast<double>(std::max(da, db));
    }
    outputs = batch * m * n;
  }
  OpWork work;
  work.flops = 2.0 * outputs * k;
  work.bytes = input_bytes(node) + (output_known ? output_bytes(node) : outputs * 4.0);
  // A holds a single row of K (a vector, or [1, .., 1, K]) and B is one matrix: a
  // matrix-vector product.
  if (!a.empty() && elements_of(node.input(0)) == k && b.size() == 2) {
    work.matvec_bytes = work.bytes;
  } else {
    work.weight_bytes = constant_input_bytes(node);
  }
  return work;
}

}  // namespace ramiel::cost
