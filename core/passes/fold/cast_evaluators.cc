// Evaluators of conversions: Cast and CastLike.
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "core/passes/fold/evaluator.h"
#include "core/passes/fold/typed.h"

namespace ramiel::passes::fold {
namespace {

using ir::DType;
using ir::OpKind;

// One element from compute type S to the compute type D of `to`. Integers wrap (modular, as a
// C cast and ONNX Runtime do); floats truncate toward zero into integers, where out-of-range
// values, undefined in C++ and unspecified by ONNX, saturate at int64 before wrapping.
template <typename D, typename S>
D convert(S value, DType to) {
  if (to == DType::kBool) return static_cast<D>(value != S(0));  // NaN is true
  if constexpr (std::is_floating_point_v<D> || !std::is_floating_point_v<S>) {
    return static_cast<D>(value);
  } else {
    if (std::isnan(value)) return D(0);
    const double t = std::trunc(static_cast<double>(value));
    constexpr double kTwo63 = 9223372036854775808.0;
    if constexpr (std::is_same_v<D, uint64_t>) {
      if (t >= kTwo63 && t < 2 * kTwo63) return static_cast<uint64_t>(t);
    }
    if (t >= kTwo63) return static_cast<D>(std::numeric_limits<int64_t>::max());
    if (t < -kTwo63) return static_cast<D>(std::numeric_limits<int64_t>::min());
    return static_cast<D>(static_cast<int64_t>(t));
  }
}

std::optional<ir::Tensor> cast_tensor(const ir::Tensor& in, DType to) {
  if (!is_numeric(in.dtype()) || !is_numeric(to)) return std::nullopt;
  if (in.dtype() == to) return in;
  return visit_compute_type(in.dtype(), [&](auto from_tag) -> std::optional<ir::Tensor> {
    using S = typename decltype(from_tag)::type;
    const std::vector<S> values = decode<S>(in);
    return visit_compute_type(to, [&](auto to_tag) -> std::optional<ir::Tensor> {
      using D = typename decltype(to_tag)::type;
      std::vector<D> out(values.size());
      for (size_t i = 0; i < values.size(); ++i) out[i] = convert<D, S>(values[i], to);
      return encode<D>(to, in.shape(), out);
    });
  });
}

FoldResult eval_cast(const FoldContext& c) {
  const ir::Tensor* in = c.tensor(0);
  // Cast-1 spelled `to` as a string; Ramiel folds the integer form of opset 6 on.
  auto to = c.attributes().find_int("to");
  if (!in || !to || *to < 0 || *to > std::numeric_limits<int32_t>::max()) return std::nullopt;
  auto dtype = ir::dtype_from_onnx(static_cast<int32_t>(*to));
  if (!dtype) return std::nullopt;
  auto out = cast_tensor(*in, *dtype);
  if (!out) return std::nullopt;
  return one(std::move(*out));
}

FoldResult eval_cast_like(const FoldContext& c) {
  const ir::Tensor* in = c.tensor(0);
  const ir::TensorType* target = c.type(1);
  if (!in || !target) return std::nullopt;
  auto out = cast_tensor(*in, target->dtype);
  if (!out) return std::nullopt;
  return one(std::move(*out));
}

}  // namespace

void register_cast_evaluators(FoldTable& table) {
  set_rule(table, OpKind::Cast, eval_cast);
  set_rule(table, OpKind::CastLike, eval_cast_like);
}

}  // namespace ramiel::passes::fold
