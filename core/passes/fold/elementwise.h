// Elementwise folding with numpy broadcasting, shared by the arithmetic, logic and float families.
#pragma once

#include <optional>
#include <vector>

#include "core/passes/fold/evaluator.h"
#include "core/passes/fold/index_math.h"
#include "core/passes/fold/typed.h"

namespace ramiel::passes::fold {

// The broadcast result shape and, per input, which element each result element reads.
struct BroadcastPlan {
  ir::Shape shape;
  std::vector<std::vector<int64_t>> sources;
};

// Plans a broadcast over all inputs of the node (which must all be constants with data), or
// nullopt when shapes do not broadcast, the result is too big, or an opset-6 style legacy
// broadcast (attribute broadcast=1) is asked for, whose rules differ.
std::optional<BroadcastPlan> plan_broadcast(const FoldContext& context);
// The inputs' contents when all are given constants with data of one numeric dtype.
std::optional<std::vector<const ir::Tensor*>> same_dtype_inputs(const FoldContext& context);

// Folds op(acc, next) left to right over all inputs (one dtype, broadcast); the result has the
// inputs' dtype. `op` takes two values of the compute type T and returns std::optional<T>;
// nullopt (e.g. integer division by zero) leaves the node unfolded.
template <typename Op>
FoldResult fold_nary(const FoldContext& context, Op op) {
  auto inputs = same_dtype_inputs(context);
  if (!inputs) return std::nullopt;
  auto plan = plan_broadcast(context);
  if (!plan) return std::nullopt;
  const ir::DType dtype = (*inputs)[0]->dtype();
  return visit_compute_type(dtype, [&](auto tag) -> FoldResult {
    using T = typename decltype(tag)::type;
    std::vector<std::vector<T>> values;
    for (const ir::Tensor* t : *inputs) values.push_back(decode<T>(*t));
    std::vector<T> out(plan->sources[0].size());
    for (size_t i = 0; i < out.size(); ++i) {
      T acc = values[0][static_cast<size_t>(plan->sources[0][i])];
      for (size_t k = 1; k < values.size(); ++k) {
        std::optional<T> next = op(acc, values[k][static_cast<size_t>(plan->sources[k][i])]);
        if (!next) return std::nullopt;
        acc = *next;
      }
      out[i] = acc;
    }
    return one(encode<T>(dtype, plan->shape, out));
  });
}

// Folds a binary op of two inputs of one dtype into a bool result; `pred(T, T) -> bool`.
template <typename Pred>
FoldResult fold_predicate(const FoldContext& context, Pred pred) {
  if (context.num_inputs() != 2) return std::nullopt;
  auto inputs = same_dtype_inputs(context);
  if (!inputs) return std::nullopt;
  auto plan = plan_broadcast(context);
  if (!plan) return std::nullopt;
  return visit_compute_type((*inputs)[0]->dtype(), [&](auto tag) -> FoldResult {
    using T = typename decltype(tag)::type;
    const std::vector<T> a = decode<T>(*(*inputs)[0]);
    const std::vector<T> b = decode<T>(*(*inputs)[1]);
    std::vector<uint8_t> out(plan->sources[0].size());
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = pred(a[static_cast<size_t>(plan->sources[0][i])],
                    b[static_cast<size_t>(plan->sources[1][i])]);
    }
    return one(encode<uint8_t>(ir::DType::kBool, plan->shape, out));
  });
}

// Folds a unary op of the single input; `op(T) -> std::optional<T>`, result of the same dtype.
template <typename Op>
FoldResult fold_unary(const FoldContext& context, Op op) {
  const ir::Tensor* in = context.tensor(0);
  if (!in || !is_numeric(in->dtype())) return std::nullopt;
  return visit_compute_type(in->dtype(), [&](auto tag) -> FoldResult {
    using T = typename decltype(tag)::type;
    std::vector<T> values = decode<T>(*in);
    for (T& v : values) {
      std::optional<T> r = op(v);
      if (!r) return std::nullopt;
      v = *r;
    }
    return one(encode<T>(in->dtype(), in->shape(), values));
  });
}

}  // namespace ramiel::passes::fold
