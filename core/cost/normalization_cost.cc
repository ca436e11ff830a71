// Normalisations: a few operations per element; per-channel parameters are read once.
#include "core/cost/op_cost.h"
#include "core/cost/shape_facts.h"
#include "core/ir/lowering_rules.h"

namespace ramiel::cost {
namespace {

using ir::OpKind;

double ops_per_element(const ir::Node& node) {
  switch (node.op()) {
    case OpKind::BatchNormalization:
      // Inference kernels fold mean, variance, scale and bias into one multiply-add per element.
      return 2;
    case OpKind::LayerNormalization:
    case OpKind::InstanceNormalization:
      // Mean (add), variance (subtract, square, add), normalise (subtract, multiply), affine
      // (multiply, add).
      return 8;
    case OpKind::MeanVarianceNormalization:  // the same without the affine part
      return 6;
    case OpKind::LpNormalization:  // |x|^p summed, then a division
      return 3;
    case OpKind::LRN: {
      // A window of `size` channels squared and summed, then a pow and a division.
      const double size = static_cast<double>(node.attributes().get_int("size", 1));
      return 2 * size + kTranscendentalOps + 1;
    }
    default:
      return 1;
  }
}

}  // namespace

OpWork normalization_cost(const ir::Node& node) {
  const double elements = elements_of(node.input(0));
  OpWork work;
  work.flops = elements * ops_per_element(node);
  work.bytes = io_bytes(node);
  if (node.op() == OpKind::BatchNormalization) {
    if (ir::folds_to_affine(node)) return work;  // folded at load: one addcmul, a stream
    // Folding per channel on each run: a sqrt, a division, a multiply and a subtraction.
    const std::vector<int64_t> x = dims_of(node.input(0));
    work.flops += 4 * static_cast<double>(dim_or(x, 1, 1));
  }
  work.vector_ops = work.flops;  // none of the others is a plain stream at batch 1
  return work;
}

}  // namespace ramiel::cost
