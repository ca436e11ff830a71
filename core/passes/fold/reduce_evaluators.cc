// Evaluators of reductions on small tensors: ReduceSum, ReduceProd, ReduceMin, ReduceMax.
#include "core/passes/fold/evaluator.h"
#include "core/passes/fold/index_math.h"
#include "core/passes/fold/shape_rules.h"
#include "core/passes/fold/typed.h"

namespace ramiel::passes::fold {
namespace {

using ir::OpKind;
using ir::Shape;

// For each input element (row-major), the result element it is combined into.
std::vector<int64_t> reduce_targets(const Shape& in, const ReduceAxes& axes) {
  Shape full;  // the result's shape with reduced axes kept as 1
  for (size_t i = 0; i < in.size(); ++i) full.push_back(axes.reduced[i] ? 1 : in[i]);
  const std::vector<int64_t> strides = strides_of(full);
  std::vector<int64_t> targets;
  for_each_index(in, [&](const std::vector<int64_t>& index) {
    int64_t flat = 0;
    for (size_t i = 0; i < index.size(); ++i) flat += axes.reduced[i] ? 0 : index[i] * strides[i];
    targets.push_back(flat);
  });
  return targets;
}

// Combines each group with `op(acc, value)`; an empty group takes `empty` (nullopt: the
// reduction of nothing is not defined, e.g. ReduceMin, and the node is not folded).
template <typename Op>
FoldResult fold_reduce(const FoldContext& c, std::optional<int> empty, Op op) {
  const ir::Tensor* data = c.tensor(0);
  if (!data || data->dtype() == ir::DType::kBool) return std::nullopt;
  auto axes = reduce_axes(c.node(), data->shape());
  if (!axes || !c.fits(axes->shape)) return std::nullopt;
  if (axes->identity) return one(*data);
  const std::vector<int64_t> targets = reduce_targets(data->shape(), *axes);
  return visit_compute_type(data->dtype(), [&](auto tag) -> FoldResult {
    using T = typename decltype(tag)::type;
    const std::vector<T> values = decode<T>(*data);
    const auto n = static_cast<size_t>(ir::element_count(axes->shape).value_or(0));
    std::vector<T> out(n);
    std::vector<bool> seen(n, false);
    for (size_t i = 0; i < values.size(); ++i) {
      const auto o = static_cast<size_t>(targets[i]);
      out[o] = seen[o] ? op(out[o], values[i]) : values[i];
      seen[o] = true;
    }
    for (size_t o = 0; o < n; ++o) {
      if (seen[o]) continue;
      if (!empty) return std::nullopt;
      out[o] = static_cast<T>(*empty);
    }
    return one(encode<T>(data->dtype(), axes->shape, out));
  });
}

FoldResult eval_reduce_sum(const FoldContext& c) {
  return fold_reduce(c, 0, [](auto a, auto b) { return wrapping_add(a, b); });
}
FoldResult eval_reduce_prod(const FoldContext& c) {
  return fold_reduce(c, 1, [](auto a, auto b) { return wrapping_mul(a, b); });
}
FoldResult eval_reduce_min(const FoldContext& c) {
  return fold_reduce(c, std::nullopt, [](auto a, auto b) {
    return is_nan(a) ? a : (is_nan(b) || b < a ? b : a);  // NaN propagates
  });
}
FoldResult eval_reduce_max(const FoldContext& c) {
  return fold_reduce(c, std::nullopt,
                     [](auto a, auto b) { return is_nan(a) ? a : (is_nan(b) || a < b ? b : a); });
}

}  // namespace

void register_reduce_evaluators(FoldTable& table) {
  set_rule(table, OpKind::ReduceSum, eval_reduce_sum);
  set_rule(table, OpKind::ReduceProd, eval_reduce_prod);
  set_rule(table, OpKind::ReduceMin, eval_reduce_min);
  set_rule(table, OpKind::ReduceMax, eval_reduce_max);
}

}  // namespace ramiel::passes::fold
