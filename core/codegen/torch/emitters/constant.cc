// Ops that make tensors from attributes or shapes: Constant, ConstantOfShape, Range.
#include "core/codegen/torch/emitters/common.h"
#include "core/codegen/torch/tensor_literal.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

// The importer turns Constant nodes into constants; these are the ones built later by passes.
Status emit_constant(EmitContext& ctx) {
  const ir::Attributes& attrs = ctx.attributes();
  ir::Tensor value;
  if (const ir::Tensor* t = attrs.find_tensor("value")) {
    value = *t;
  } else if (auto f = attrs.find_float("value_float")) {
    value = ir::Tensor::from_double(ir::DType::kFloat32, {}, {*f});
  } else if (auto i = attrs.find_int("value_int")) {
    value = ir::Tensor::from_int64(ir::DType::kInt64, {}, {*i});
  } else if (auto fs = attrs.find_floats("value_floats")) {
    value = ir::Tensor::from_double(ir::DType::kFloat32, {static_cast<int64_t>(fs->size())},
                                    std::vector<double>(fs->begin(), fs->end()));
  } else if (auto is = attrs.find_ints("value_ints")) {
    value = ir::Tensor::from_int64(ir::DType::kInt64, {static_cast<int64_t>(is->size())}, *is);
  } else {
    return ctx.unsupported("only value, value_float(s) and value_int(s) constants are supported");
  }
  auto literal = tensor_literal(value, [&](std::string_view name) { return ctx.helper(name); });
  if (!literal.ok()) return ctx.unsupported(literal.status().message());
  ctx.assign(*literal);
  return ok_status();
}

Status emit_constant_of_shape(EmitContext& ctx) {
  ir::Tensor fill = ir::Tensor::from_double(ir::DType::kFloat32, {1}, {0.0});
  if (const ir::Tensor* t = ctx.attributes().find_tensor("value")) {
    if (!t->has_data() || t->element_count() != 1)
      return ctx.invalid("value must hold one element");
    fill = *t;
  }
  RAMIEL_ASSIGN_OR_RETURN(auto dtype, ctx.dtype(fill.dtype()));
  py::ExprPtr shape;
  if (auto dims = ctx.input_ints(0)) {
    shape = py::ints_tuple(*dims);
  } else {
    RAMIEL_ASSIGN_OR_RETURN(auto tensor, ctx.input(0));
    RAMIEL_ASSIGN_OR_RETURN(auto to_ints, ctx.helper("onnx_ints"));
    shape = py::call(to_ints, {tensor});
  }
  ctx.assign(py::call(torch_fn("full"), {shape, element_literal(fill, 0)}, {{"dtype", dtype}}));
  return ok_status();
}

Status emit_range(EmitContext& ctx) {
  std::vector<py::ExprPtr> bounds;
  for (size_t i = 0; i < 3; ++i) {
    RAMIEL_ASSIGN_OR_RETURN(auto bound, ctx.scalar_or_input(i));
    if (bound->kind != py::ExprKind::kInt && bound->kind != py::ExprKind::kFloat) {
      bound = py::method(bound, "item", {});
    }
    bounds.push_back(bound);
  }
  RAMIEL_ASSIGN_OR_RETURN(auto dtype, ctx.dtype(ctx.output_type(0).dtype));
  ctx.assign(py::call(torch_fn("arange"), std::move(bounds), {{"dtype", dtype}}));
  return ok_status();
}

}  // namespace

void register_constant(EmitterTable& table) {
  set(table, OpKind::Constant, emit_constant);
  set(table, OpKind::ConstantOfShape, emit_constant_of_shape);
  set(table, OpKind::Range, emit_range);
}

}  // namespace ramiel::codegen::emitters
