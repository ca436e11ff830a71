// Evaluators of ops that compute or change shapes: Shape, Size, Reshape, Flatten, Squeeze,
// Unsqueeze, Identity.
#include "core/passes/fold/evaluator.h"
#include "core/passes/fold/index_math.h"
#include "core/passes/fold/shape_rules.h"

namespace ramiel::passes::fold {
namespace {

using ir::OpKind;
using ir::Shape;

// Shape reads only its input's static type, and only the dims it returns must be known: with
// opset 15's start, Shape(x)[1:] of a [?, 3, 224] tensor folds.
FoldResult eval_shape(const FoldContext& c) {
  const ir::TensorType* type = c.type(0);
  if (!type || !type->shape) return std::nullopt;
  const Shape& shape = *type->shape;
  const auto [begin, end] = shape_op_range(c.node(), shape.size());
  std::vector<int64_t> dims(shape.begin() + static_cast<std::ptrdiff_t>(begin),
                            shape.begin() + static_cast<std::ptrdiff_t>(end));
  for (int64_t dim : dims) {
    if (dim < 0) return std::nullopt;
  }
  return one(ir::Tensor::from_int64(ir::DType::kInt64, {static_cast<int64_t>(dims.size())}, dims));
}

FoldResult eval_size(const FoldContext& c) {
  const ir::TensorType* type = c.type(0);
  if (!type || !type->has_static_shape()) return std::nullopt;
  return one(ir::Tensor::from_int64(ir::DType::kInt64, {}, {*ir::element_count(*type->shape)}));
}

// Reshape, Flatten, Squeeze and Unsqueeze keep the data and change only the shape.
template <std::optional<Shape> (*rule)(const ir::Node&, const Shape&)>
FoldResult eval_reshaping(const FoldContext& c) {
  const ir::Tensor* data = c.tensor(0);
  if (!data) return std::nullopt;
  auto shape = rule(c.node(), data->shape());
  if (!shape) return std::nullopt;
  return one(with_shape(*data, *shape));
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
  set_rule(table, OpKind::Reshape, eval_reshaping<reshape_result>);
  set_rule(table, OpKind::Flatten, eval_reshaping<flatten_result>);
  set_rule(table, OpKind::Squeeze, eval_reshaping<squeeze_result>);
  set_rule(table, OpKind::Unsqueeze, eval_reshaping<unsqueeze_result>);
  set_rule(table, OpKind::Identity, eval_identity);
}

}  // namespace ramiel::passes::fold
