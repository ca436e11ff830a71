// Evaluators of float math on small constants: Sqrt, Reciprocal, Floor, Ceil, Round, Relu
// (exact in IEEE arithmetic), Exp and Log (libm, within an ulp of what runtimes compute).
// Each computes in the dtype's own precision (float32 through float, not double).
#include <cmath>
#include <type_traits>

#include "core/passes/fold/elementwise.h"

namespace ramiel::passes::fold {
namespace {

using ir::OpKind;

// Folds `op` over a floating-point input only.
template <typename Op>
FoldResult fold_float(const FoldContext& c, Op op) {
  const ir::Tensor* in = c.tensor(0);
  if (!in || !ir::is_floating(in->dtype())) return std::nullopt;
  return fold_unary(c, [op](auto a) -> std::optional<decltype(a)> {
    if constexpr (std::is_floating_point_v<decltype(a)>) {
      return static_cast<decltype(a)>(op(a));
    } else {
      return std::nullopt;
    }
  });
}

FoldResult eval_sqrt(const FoldContext& c) {
  return fold_float(c, [](auto a) { return std::sqrt(a); });
}
FoldResult eval_reciprocal(const FoldContext& c) {
  return fold_float(c, [](auto a) { return decltype(a)(1) / a; });
}
FoldResult eval_floor(const FoldContext& c) {
  return fold_float(c, [](auto a) { return std::floor(a); });
}
FoldResult eval_ceil(const FoldContext& c) {
  return fold_float(c, [](auto a) { return std::ceil(a); });
}
// Round halves to even, as ONNX specifies (nearbyint in the default rounding mode).
FoldResult eval_round(const FoldContext& c) {
  return fold_float(c, [](auto a) { return std::nearbyint(a); });
}
FoldResult eval_exp(const FoldContext& c) {
  return fold_float(c, [](auto a) { return std::exp(a); });
}
FoldResult eval_log(const FoldContext& c) {
  return fold_float(c, [](auto a) { return std::log(a); });
}

// Relu is defined for floats and, from opset 14, signed integers; NaN stays NaN.
FoldResult eval_relu(const FoldContext& c) {
  const ir::Tensor* in = c.tensor(0);
  if (!in) return std::nullopt;
  // A type rule that changed with opset 14, not an operand layout: the import leaves it.
  const bool integer_ok = c.opset() >= 14 && ir::is_signed_integer(in->dtype());
  if (!ir::is_floating(in->dtype()) && !integer_ok) return std::nullopt;
  return fold_unary(c, [](auto a) {
    using T = decltype(a);
    return std::optional<T>(a < T(0) ? T(0) : a);
  });
}

}  // namespace

void register_float_evaluators(FoldTable& table) {
  set_rule(table, OpKind::Sqrt, eval_sqrt);
  set_rule(table, OpKind::Reciprocal, eval_reciprocal);
  set_rule(table, OpKind::Floor, eval_floor);
  set_rule(table, OpKind::Ceil, eval_ceil);
  set_rule(table, OpKind::Round, eval_round);
  set_rule(table, OpKind::Exp, eval_exp);
  set_rule(table, OpKind::Log, eval_log);
  set_rule(table, OpKind::Relu, eval_relu);
}

}  // namespace ramiel::passes::fold
