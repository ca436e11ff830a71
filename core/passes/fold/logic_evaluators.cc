// Evaluators of comparisons and logic: Equal, Less, Greater, LessOrEqual, GreaterOrEqual, Not,
// And, Or, Xor, Where.
#include <cstring>

#include "core/passes/fold/elementwise.h"

namespace ramiel::passes::fold {
namespace {

using ir::DType;
using ir::OpKind;

FoldResult eval_equal(const FoldContext& c) {
  return fold_predicate(c, [](auto a, auto b) { return a == b; });
}
FoldResult eval_less(const FoldContext& c) {
  return fold_predicate(c, [](auto a, auto b) { return a < b; });
}
FoldResult eval_greater(const FoldContext& c) {
  return fold_predicate(c, [](auto a, auto b) { return a > b; });
}
FoldResult eval_less_or_equal(const FoldContext& c) {
  return fold_predicate(c, [](auto a, auto b) { return a <= b; });
}
FoldResult eval_greater_or_equal(const FoldContext& c) {
  return fold_predicate(c, [](auto a, auto b) { return a >= b; });
}

bool bool_inputs(const FoldContext& c, size_t arity) {
  if (c.num_inputs() != arity) return false;
  for (size_t i = 0; i < arity; ++i) {
    const ir::Tensor* t = c.tensor(i);
    if (!t || t->dtype() != DType::kBool) return false;
  }
  return true;
}

template <typename Op>
FoldResult fold_logic(const FoldContext& c, Op op) {
  if (!bool_inputs(c, 2)) return std::nullopt;
  return fold_nary(c, [op](auto a, auto b) {
    return std::optional<decltype(a)>(static_cast<decltype(a)>(op(a != 0, b != 0)));
  });
}

FoldResult eval_and(const FoldContext& c) {
  return fold_logic(c, [](bool a, bool b) { return a && b; });
}
FoldResult eval_or(const FoldContext& c) {
  return fold_logic(c, [](bool a, bool b) { return a || b; });
}
FoldResult eval_xor(const FoldContext& c) {
  return fold_logic(c, [](bool a, bool b) { return a != b; });
}

FoldResult eval_not(const FoldContext& c) {
  if (!bool_inputs(c, 1)) return std::nullopt;
  return fold_unary(c, [](auto a) { return std::optional<decltype(a)>(a == 0); });
}

// Where(cond, x, y) picks element bytes from x or y, so any dtype works.
FoldResult eval_where(const FoldContext& c) {
  const ir::Tensor* cond = c.tensor(0);
  const ir::Tensor* x = c.tensor(1);
  const ir::Tensor* y = c.tensor(2);
  if (c.num_inputs() != 3 || !cond || !x || !y || cond->dtype() != DType::kBool ||
      x->dtype() != y->dtype()) {
    return std::nullopt;
  }
  auto plan = plan_broadcast(c);
  if (!plan) return std::nullopt;
  const size_t width = ir::dtype_size(x->dtype());
  const size_t n = plan->sources[0].size();
  std::vector<uint8_t> raw(n * width);
  for (size_t i = 0; i < n; ++i) {
    const bool pick_x = cond->raw()[static_cast<size_t>(plan->sources[0][i])] != 0;
    const ir::Tensor& from = pick_x ? *x : *y;
    const auto index = static_cast<size_t>(plan->sources[pick_x ? 1 : 2][i]);
    std::memcpy(raw.data() + i * width, from.raw().data() + index * width, width);
  }
  return one(ir::Tensor(x->dtype(), plan->shape, std::move(raw)));
}

}  // namespace

void register_logic_evaluators(FoldTable& table) {
  set_rule(table, OpKind::Equal, eval_equal);
  set_rule(table, OpKind::Less, eval_less);
  set_rule(table, OpKind::Greater, eval_greater);
  set_rule(table, OpKind::LessOrEqual, eval_less_or_equal);
  set_rule(table, OpKind::GreaterOrEqual, eval_greater_or_equal);
  set_rule(table, OpKind::And, eval_and);
  set_rule(table, OpKind::Or, eval_or);
  set_rule(table, OpKind::Xor, eval_xor);
  set_rule(table, OpKind::Not, eval_not);
  set_rule(table, OpKind::Where, eval_where);
}

}  // namespace ramiel::passes::fold
