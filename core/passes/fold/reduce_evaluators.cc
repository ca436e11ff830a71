// Evaluators of reductions on small tensors: ReduceSum, ReduceProd, ReduceMin, ReduceMax.
#include "core/passes/fold/evaluator.h"
#include "core/passes/fold/index_math.h"
#include "core/passes/fold/typed.h"
#include "core/passes/operands.h"

namespace ramiel::passes::fold {
namespace {

using ir::OpKind;
using ir::Shape;

// Where each input element lands in the result, and the result's shape.
struct ReducePlan {
  Shape shape;
  std::vector<int64_t> target;  // per input element (row-major), its result element
  bool identity = false;        // noop_with_empty_axes with no axes: the input unchanged
};

std::optional<ReducePlan> plan_reduce(const FoldContext& c, const Shape& in) {
  // Axes are an attribute, except ReduceSum's, an input from opset 13 (the others follow at
  // 18, beyond the opsets Ramiel reads).
  const int axes_since = c.node().op() == OpKind::ReduceSum ? 13 : 18;
  IntsOperand axes = ints_operand(c.node(), "axes", 1, axes_since);
  if (axes.present && !axes.values) return std::nullopt;
  const auto rank = static_cast<int64_t>(in.size());
  std::vector<bool> reduced(in.size(), true);
  if (axes.present && !axes.values->empty()) {
    auto normalized = normalize_axes(*axes.values, rank);
    if (!normalized) return std::nullopt;
    reduced.assign(in.size(), false);
    for (int64_t a : *normalized) reduced[static_cast<size_t>(a)] = true;
  } else if (c.attributes().get_int("noop_with_empty_axes", 0) != 0) {
    return ReducePlan{in, {}, true};
  }
  const bool keep_dims = c.attributes().get_int("keepdims", 1) != 0;
  ReducePlan plan;
  Shape full;  // the result's shape with reduced axes kept as 1
  for (size_t i = 0; i < in.size(); ++i) {
    full.push_back(reduced[i] ? 1 : in[i]);
    if (!reduced[i] || keep_dims) plan.shape.push_back(full.back());
  }
  if (!c.fits(plan.shape)) return std::nullopt;
  const std::vector<int64_t> strides = strides_of(full);
  for_each_index(in, [&](const std::vector<int64_t>& index) {
    int64_t flat = 0;
    for (size_t i = 0; i < index.size(); ++i) flat += reduced[i] ? 0 : index[i] * strides[i];
    plan.target.push_back(flat);
  });
  return plan;
}

// Combines each group with `op(acc, value)`; an empty group takes `empty` (nullopt: the
// reduction of nothing is not defined, e.g. ReduceMin, and the node is not folded).
template <typename Op>
FoldResult fold_reduce(const FoldContext& c, std::optional<int> empty, Op op) {
  const ir::Tensor* data = c.tensor(0);
  if (!data || data->dtype() == ir::DType::kBool) return std::nullopt;
  auto plan = plan_reduce(c, data->shape());
  if (!plan) return std::nullopt;
  if (plan->identity) return one(*data);
  return visit_compute_type(data->dtype(), [&](auto tag) -> FoldResult {
    using T = typename decltype(tag)::type;
    const std::vector<T> values = decode<T>(*data);
    const auto n = static_cast<size_t>(ir::element_count(plan->shape).value_or(0));
    std::vector<T> out(n);
    std::vector<bool> seen(n, false);
    for (size_t i = 0; i < values.size(); ++i) {
      const auto o = static_cast<size_t>(plan->target[i]);
      out[o] = seen[o] ? op(out[o], values[i]) : values[i];
      seen[o] = true;
    }
    for (size_t o = 0; o < n; ++o) {
      if (seen[o]) continue;
      if (!empty) return std::nullopt;
      out[o] = static_cast<T>(*empty);
    }
    return one(encode<T>(data->dtype(), plan->shape, out));
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
