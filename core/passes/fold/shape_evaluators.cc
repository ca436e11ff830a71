// Evaluators of ops that compute or change shapes: Shape, Size, Reshape, Flatten, Squeeze,
// Unsqueeze, Identity.
#include <algorithm>

#include "core/passes/fold/evaluator.h"
#include "core/passes/fold/index_math.h"
#include "core/passes/operands.h"

namespace ramiel::passes::fold {
namespace {

using ir::OpKind;
using ir::Shape;

// Shape reads only its input's static type; opset 15 added start/end (clamped, negative from
// the back), so e.g. Shape(x)[1:] of a [?, 3, 224] tensor folds although dim 0 is unknown.
FoldResult eval_shape(const FoldContext& c) {
  const ir::TensorType* type = c.type(0);
  if (!type || !type->shape) return std::nullopt;
  const Shape& shape = *type->shape;
  const auto rank = static_cast<int64_t>(shape.size());
  int64_t start = 0;
  int64_t end = rank;
  if (c.opset() >= 15) {
    auto clamp = [rank](int64_t i) { return std::clamp(i < 0 ? i + rank : i, int64_t{0}, rank); };
    start = clamp(c.attributes().get_int("start", 0));
    end = clamp(c.attributes().get_int("end", rank));
  }
  std::vector<int64_t> dims;
  for (int64_t i = start; i < end; ++i) {
    if (shape[static_cast<size_t>(i)] < 0) return std::nullopt;
    dims.push_back(shape[static_cast<size_t>(i)]);
  }
  return one(ir::Tensor::from_int64(ir::DType::kInt64, {static_cast<int64_t>(dims.size())}, dims));
}

FoldResult eval_size(const FoldContext& c) {
  const ir::TensorType* type = c.type(0);
  if (!type || !type->has_static_shape()) return std::nullopt;
  return one(ir::Tensor::from_int64(ir::DType::kInt64, {}, {*ir::element_count(*type->shape)}));
}

// The target of Reshape: 0 copies the input dim (unless allowzero), one -1 is inferred.
std::optional<Shape> reshape_target(const Shape& in, const std::vector<int64_t>& spec,
                                    bool allow_zero) {
  Shape out;
  int infer_at = -1;
  int64_t known = 1;
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t dim = spec[i];
    if (dim == 0 && !allow_zero) {
      if (i >= in.size()) return std::nullopt;
      dim = in[i];
    }
    if (dim == -1) {
      if (infer_at >= 0) return std::nullopt;
      infer_at = static_cast<int>(i);
    } else if (dim < 0) {
      return std::nullopt;
    } else {
      known *= dim;
    }
    out.push_back(dim);
  }
  const int64_t total = product(in, 0, in.size());
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0) return std::nullopt;
    out[static_cast<size_t>(infer_at)] = total / known;
  } else if (known != total) {
    return std::nullopt;
  }
  return out;
}

FoldResult eval_reshape(const FoldContext& c) {
  const ir::Tensor* data = c.tensor(0);
  if (!data) return std::nullopt;
  // Reshape-1 took the target as an attribute; from opset 5 it is input 1.
  auto spec = c.opset() < 5 ? c.attributes().find_ints("shape") : c.ints(1);
  if (!spec) return std::nullopt;
  const bool allow_zero = c.opset() >= 14 && c.attributes().get_int("allowzero", 0) != 0;
  auto shape = reshape_target(data->shape(), *spec, allow_zero);
  if (!shape) return std::nullopt;
  return one(with_shape(*data, *shape));
}

FoldResult eval_flatten(const FoldContext& c) {
  const ir::Tensor* data = c.tensor(0);
  if (!data) return std::nullopt;
  const Shape& in = data->shape();
  const auto rank = static_cast<int64_t>(in.size());
  int64_t axis = c.attributes().get_int("axis", 1);
  if (axis < 0) axis += rank;  // negative axes since opset 11
  if (axis < 0 || axis > rank) return std::nullopt;
  const auto split = static_cast<size_t>(axis);
  return one(with_shape(*data, {product(in, 0, split), product(in, split, in.size())}));
}

FoldResult eval_squeeze(const FoldContext& c) {
  const ir::Tensor* data = c.tensor(0);
  if (!data) return std::nullopt;
  const Shape& in = data->shape();
  IntsOperand axes = ints_operand(c.node(), "axes", 1, 13);
  std::vector<bool> drop(in.size(), false);
  if (!axes.present) {
    for (size_t i = 0; i < in.size(); ++i) drop[i] = in[i] == 1;
  } else {
    if (!axes.values) return std::nullopt;
    auto normalized = normalize_axes(*axes.values, static_cast<int64_t>(in.size()));
    if (!normalized) return std::nullopt;
    for (int64_t a : *normalized) {
      if (in[static_cast<size_t>(a)] != 1) return std::nullopt;
      drop[static_cast<size_t>(a)] = true;
    }
  }
  Shape out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (!drop[i]) out.push_back(in[i]);
  }
  return one(with_shape(*data, out));
}

FoldResult eval_unsqueeze(const FoldContext& c) {
  const ir::Tensor* data = c.tensor(0);
  if (!data) return std::nullopt;
  IntsOperand axes = ints_operand(c.node(), "axes", 1, 13);
  if (!axes.values) return std::nullopt;
  const Shape& in = data->shape();
  // Axes count in the output's rank.
  const auto rank = static_cast<int64_t>(in.size() + axes.values->size());
  auto normalized = normalize_axes(*axes.values, rank);
  if (!normalized) return std::nullopt;
  Shape out;
  size_t next = 0;
  for (int64_t i = 0; i < rank; ++i) {
    const bool inserted = std::count(normalized->begin(), normalized->end(), i) > 0;
    out.push_back(inserted ? 1 : in[next++]);
  }
  return one(with_shape(*data, out));
}

FoldResult eval_identity(const FoldContext& c) {
  const ir::Tensor* data = c.tensor(0);
  if (!data) return std::nullopt;
  return one(*data);
}

}  // namespace

void register_shape_evaluators(FoldTable& table) {
  set_rule(table, OpKind::Shape, eval_shape, /*types_only=*/true);
  set_rule(table, OpKind::Size, eval_size, /*types_only=*/true);
  set_rule(table, OpKind::Reshape, eval_reshape);
  set_rule(table, OpKind::Flatten, eval_flatten);
  set_rule(table, OpKind::Squeeze, eval_squeeze);
  set_rule(table, OpKind::Unsqueeze, eval_unsqueeze);
  set_rule(table, OpKind::Identity, eval_identity);
}

}  // namespace ramiel::passes::fold
