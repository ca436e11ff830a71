// Evaluators of ops that create tensors: Range, ConstantOfShape, Constant.
#include <cmath>
#include <type_traits>

#include "core/passes/fold/evaluator.h"
#include "core/passes/fold/typed.h"

namespace ramiel::passes::fold {
namespace {

using ir::DType;
using ir::OpKind;

// Range: max(ceil((limit - start) / delta), 0) elements start, start + delta, ... accumulated
// in the dtype as ONNX's function definition does.
FoldResult eval_range(const FoldContext& c) {
  const ir::Tensor* start = c.tensor(0);
  const ir::Tensor* limit = c.tensor(1);
  const ir::Tensor* delta = c.tensor(2);
  if (!start || !limit || !delta) return std::nullopt;
  const DType dtype = start->dtype();
  if (dtype == DType::kBool || limit->dtype() != dtype || delta->dtype() != dtype) {
    return std::nullopt;
  }
  if (start->element_count() != 1 || limit->element_count() != 1 || delta->element_count() != 1) {
    return std::nullopt;
  }
  return visit_compute_type(dtype, [&](auto tag) -> FoldResult {
    using T = typename decltype(tag)::type;
    const T first = decode<T>(*start)[0];
    const T step = decode<T>(*delta)[0];
    if (step == T(0)) return std::nullopt;
    __int128 count = 0;
    if constexpr (std::is_integral_v<T>) {
      // Exact ceiling division in 128 bits: int64 differences overflow 64.
      const __int128 diff = static_cast<__int128>(decode<T>(*limit)[0]) - first;
      const __int128 d = step;
      count = diff / d + ((diff % d != 0 && (diff > 0) == (d > 0)) ? 1 : 0);
    } else {
      const double n =
          std::ceil(static_cast<double>(decode<T>(*limit)[0] - first) / static_cast<double>(step));
      if (!std::isfinite(n) || n > 9.0e18) return std::nullopt;
      count = static_cast<__int128>(n);
    }
    if (count < 0) count = 0;
    if (count > static_cast<__int128>(INT64_MAX) || !c.fits({static_cast<int64_t>(count)})) {
      return std::nullopt;
    }
    std::vector<T> values(static_cast<size_t>(count));
    T value = first;
    for (T& v : values) {
      v = value;
      value = wrapping_add(value, step);
    }
    return one(encode<T>(dtype, {static_cast<int64_t>(count)}, values));
  });
}

// ConstantOfShape: `value` (a one-element tensor, default float32 0) repeated over the shape.
FoldResult eval_constant_of_shape(const FoldContext& c) {
  auto shape = c.ints(0);
  if (!shape) return std::nullopt;
  for (int64_t dim : *shape) {
    if (dim < 0) return std::nullopt;
  }
  if (!c.fits(*shape)) return std::nullopt;
  ir::Tensor fill = ir::Tensor::from_double(DType::kFloat32, {1}, {0.0});
  if (const ir::Tensor* value = c.attributes().find_tensor("value")) fill = *value;
  if (!fill.has_data() || fill.element_count() != 1 || !is_numeric(fill.dtype())) {
    return std::nullopt;
  }
  const auto count = static_cast<size_t>(ir::element_count(*shape).value_or(0));
  std::vector<uint8_t> raw;
  raw.reserve(count * fill.raw().size());
  for (size_t i = 0; i < count; ++i) raw.insert(raw.end(), fill.raw().begin(), fill.raw().end());
  return one(ir::Tensor(fill.dtype(), *shape, std::move(raw)));
}

// A Constant node left in the graph (the importer usually turns them into constants already).
FoldResult eval_constant(const FoldContext& c) {
  const ir::Attributes& a = c.attributes();
  std::optional<ir::Tensor> value;
  if (const ir::Tensor* t = a.find_tensor("value")) {
    if (t->has_data() && is_numeric(t->dtype())) value = *t;
  } else if (auto f = a.find_float("value_float")) {
    value = ir::Tensor::from_double(DType::kFloat32, {}, {*f});
  } else if (auto fs = a.find_floats("value_floats")) {
    value = ir::Tensor::from_double(DType::kFloat32, {static_cast<int64_t>(fs->size())},
                                    std::vector<double>(fs->begin(), fs->end()));
  } else if (auto i = a.find_int("value_int")) {
    value = ir::Tensor::from_int64(DType::kInt64, {}, {*i});
  } else if (auto is = a.find_ints("value_ints")) {
    value = ir::Tensor::from_int64(DType::kInt64, {static_cast<int64_t>(is->size())}, *is);
  }
  if (!value || !c.fits(value->shape())) return std::nullopt;
  return one(std::move(*value));
}

}  // namespace

void register_generator_evaluators(FoldTable& table) {
  set_rule(table, OpKind::Range, eval_range);
  set_rule(table, OpKind::ConstantOfShape, eval_constant_of_shape);
  set_rule(table, OpKind::Constant, eval_constant);
}

}  // namespace ramiel::passes::fold
