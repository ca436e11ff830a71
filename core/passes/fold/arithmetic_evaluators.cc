// Evaluators of arithmetic: Add, Sub, Mul, Div, Mod, Sum, Min, Max, Neg, Abs, Sign, Clip.
// Integers follow ONNX/C exactly (wrapping, truncating division); floats compute in the dtype.
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/passes/fold/elementwise.h"

namespace ramiel::passes::fold {
namespace {

using ir::OpKind;

template <typename T>
using Maybe = std::optional<T>;

// Arithmetic is not defined on bool in ONNX.
bool arithmetic_inputs(const FoldContext& c, size_t arity) {
  if (arity && c.num_inputs() != arity) return false;
  for (size_t i = 0; i < c.num_inputs(); ++i) {
    const ir::Tensor* t = c.tensor(i);
    if (!t || t->dtype() == ir::DType::kBool) return false;
  }
  return true;
}

FoldResult eval_add(const FoldContext& c) {
  if (!arithmetic_inputs(c, 2)) return std::nullopt;
  return fold_nary(c, [](auto a, auto b) { return Maybe<decltype(a)>(wrapping_add(a, b)); });
}

FoldResult eval_sub(const FoldContext& c) {
  if (!arithmetic_inputs(c, 2)) return std::nullopt;
  return fold_nary(c, [](auto a, auto b) { return Maybe<decltype(a)>(wrapping_sub(a, b)); });
}

FoldResult eval_mul(const FoldContext& c) {
  if (!arithmetic_inputs(c, 2)) return std::nullopt;
  return fold_nary(c, [](auto a, auto b) { return Maybe<decltype(a)>(wrapping_mul(a, b)); });
}

// Integer division truncates toward zero (C, ONNX Runtime); dividing by zero or INT_MIN / -1
// has no defined result, so such nodes are left to the runtime.
FoldResult eval_div(const FoldContext& c) {
  if (!arithmetic_inputs(c, 2)) return std::nullopt;
  return fold_nary(c, [](auto a, auto b) -> Maybe<decltype(a)> {
    using T = decltype(a);
    if constexpr (std::is_integral_v<T>) {
      if (b == 0) return std::nullopt;
      if constexpr (std::is_signed_v<T>) {
        if (a == std::numeric_limits<T>::min() && b == T(-1)) return std::nullopt;
      }
      return static_cast<T>(a / b);
    } else {
      return static_cast<T>(a / b);
    }
  });
}

// Mod: fmod=0 (integers only) takes the divisor's sign like Python; fmod=1 the dividend's
// like C's % and fmod().
FoldResult eval_mod(const FoldContext& c) {
  if (!arithmetic_inputs(c, 2)) return std::nullopt;
  const bool c_style = c.attributes().get_int("fmod", 0) != 0;
  if (!c_style && ir::is_floating(c.tensor(0)->dtype())) return std::nullopt;  // invalid model
  return fold_nary(c, [c_style](auto a, auto b) -> Maybe<decltype(a)> {
    using T = decltype(a);
    if constexpr (std::is_integral_v<T>) {
      if (b == 0) return std::nullopt;
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return T(0);  // avoids INT_MIN % -1, which traps
      }
      auto r = static_cast<T>(a % b);
      if (!c_style && r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
      return r;
    } else {
      return static_cast<T>(std::fmod(a, b));
    }
  });
}

FoldResult eval_sum(const FoldContext& c) {
  if (!arithmetic_inputs(c, 0)) return std::nullopt;
  return fold_nary(c, [](auto a, auto b) { return Maybe<decltype(a)>(wrapping_add(a, b)); });
}

// Min and Max propagate NaN, like numpy and torch.
FoldResult eval_min(const FoldContext& c) {
  if (!arithmetic_inputs(c, 0)) return std::nullopt;
  return fold_nary(c, [](auto a, auto b) {
    return Maybe<decltype(a)>(is_nan(a) || is_nan(b) ? (is_nan(a) ? a : b) : (b < a ? b : a));
  });
}

FoldResult eval_max(const FoldContext& c) {
  if (!arithmetic_inputs(c, 0)) return std::nullopt;
  return fold_nary(c, [](auto a, auto b) {
    return Maybe<decltype(a)>(is_nan(a) || is_nan(b) ? (is_nan(a) ? a : b) : (a < b ? b : a));
  });
}

FoldResult eval_neg(const FoldContext& c) {
  if (!arithmetic_inputs(c, 1)) return std::nullopt;
  return fold_unary(c, [](auto a) -> Maybe<decltype(a)> {
    using T = decltype(a);
    if constexpr (std::is_unsigned_v<T>) {
      return std::nullopt;  // Neg is defined for signed types only
    } else {
      return wrapping_sub(T(0), a);
    }
  });
}

FoldResult eval_abs(const FoldContext& c) {
  if (!arithmetic_inputs(c, 1)) return std::nullopt;
  return fold_unary(c, [](auto a) -> Maybe<decltype(a)> {
    using T = decltype(a);
    if constexpr (std::is_floating_point_v<T>) {
      return std::fabs(a);
    } else if constexpr (std::is_signed_v<T>) {
      return a < 0 ? wrapping_sub(T(0), a) : a;  // INT_MIN stays INT_MIN, as in numpy
    } else {
      return a;
    }
  });
}

FoldResult eval_sign(const FoldContext& c) {
  if (!arithmetic_inputs(c, 1)) return std::nullopt;
  return fold_unary(c, [](auto a) -> Maybe<decltype(a)> {
    using T = decltype(a);
    if (is_nan(a)) return a;
    return static_cast<T>(a > T(0) ? 1 : (a < T(0) ? -1 : 0));
  });
}

// Clip: optional scalar bounds (inputs 1 and 2). As specified, min > max clips everything to max.
FoldResult eval_clip(const FoldContext& c) {
  const ir::Tensor* x = c.tensor(0);
  if (!x || x->dtype() == ir::DType::kBool) return std::nullopt;
  const ir::Tensor* bound_inputs[2] = {nullptr, nullptr};
  for (size_t k = 0; k < 2; ++k) {
    if (!c.has_input(k + 1)) continue;
    const ir::Tensor* bound = c.tensor(k + 1);
    if (!bound || bound->dtype() != x->dtype() || bound->element_count() != 1) {
      return std::nullopt;
    }
    bound_inputs[k] = bound;
  }
  return visit_compute_type(x->dtype(), [&](auto tag) -> FoldResult {
    using T = typename decltype(tag)::type;
    std::optional<T> bounds[2];
    for (size_t k = 0; k < 2; ++k) {
      if (bound_inputs[k]) bounds[k] = decode<T>(*bound_inputs[k])[0];
    }
    std::vector<T> values = decode<T>(*x);
    for (T& v : values) {
      if (bounds[0] && v < *bounds[0]) v = *bounds[0];
      if (bounds[1] && v > *bounds[1]) v = *bounds[1];
    }
    return one(encode<T>(x->dtype(), x->shape(), values));
  });
}

}  // namespace

void register_arithmetic_evaluators(FoldTable& table) {
  set_rule(table, OpKind::Add, eval_add);
  set_rule(table, OpKind::Sub, eval_sub);
  set_rule(table, OpKind::Mul, eval_mul);
  set_rule(table, OpKind::Div, eval_div);
  set_rule(table, OpKind::Mod, eval_mod);
  set_rule(table, OpKind::Sum, eval_sum);
  set_rule(table, OpKind::Min, eval_min);
  set_rule(table, OpKind::Max, eval_max);
  set_rule(table, OpKind::Neg, eval_neg);
  set_rule(table, OpKind::Abs, eval_abs);
  set_rule(table, OpKind::Sign, eval_sign);
  set_rule(table, OpKind::Clip, eval_clip);
}

}  // namespace ramiel::passes::fold
