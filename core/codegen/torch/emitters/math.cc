// Math ops beyond the elementwise basics: BitShift, IsInf, Shrink, CumSum, Det, Hardmax,
// MeanVarianceNormalization.
#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

Status emit_bit_shift(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto y, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(std::string direction, ctx.string_attr("direction", ""));
  if (direction != "LEFT" && direction != "RIGHT") {
    return ctx.unsupported_attribute("direction", direction);
  }
  // ONNX shifts unsigned integers only, so a right shift is logical: torch's is on uint8 and on
  // the values of the uint16 and uint32 carriers, not on uint64's int64 carrier past 2^63.
  const ir::TensorType* type = ctx.input_type(0);
  if (direction == "RIGHT" && type && type->dtype == ir::DType::kUInt64) {
    RAMIEL_ASSIGN_OR_RETURN(auto shifted, helper_call(ctx, "onnx_uint64_shift_right", {x, y}));
    ctx.assign(shifted);
    return ok_status();
  }
  const char* function = direction == "LEFT" ? "bitwise_left_shift" : "bitwise_right_shift";
  ctx.assign(py::call(torch_fn(function), {x, y}));
  return ok_status();
}

Status emit_is_inf(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t negative, ctx.int_attr("detect_negative", 1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t positive, ctx.int_attr("detect_positive", 1));
  if (negative && positive) {
    ctx.assign(py::call(torch_fn("isinf"), {x}));
  } else if (negative) {
    ctx.assign(py::call(torch_fn("isneginf"), {x}));
  } else if (positive) {
    ctx.assign(py::call(torch_fn("isposinf"), {x}));
  } else {
    ctx.assign(py::call(torch_fn("zeros_like"), {x}, {{"dtype", py::dotted("torch.bool")}}));
  }
  return ok_status();
}

Status emit_shrink(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(float bias, ctx.float_attr("bias", 0.0f));
  RAMIEL_ASSIGN_OR_RETURN(float lambd, ctx.float_attr("lambd", 0.5f));
  auto below = py::call(torch_fn("where"), {py::binop("<", x, py::float32_lit(-lambd)),
                                            py::binop("+", x, py::float32_lit(bias)),
                                            py::call(torch_fn("zeros_like"), {x})});
  ctx.assign(py::call(torch_fn("where"), {py::binop(">", x, py::float32_lit(lambd)),
                                          py::binop("-", x, py::float32_lit(bias)), below}));
  return ok_status();
}

Status emit_cumsum(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto axis, int_input(ctx, 1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t exclusive, ctx.int_attr("exclusive", 0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t reverse, ctx.int_attr("reverse", 0));
  if (!exclusive && !reverse) {
    const ir::TensorType* type = ctx.input_type(0);
    if (!type) return ctx.invalid("input 0 is missing");
    RAMIEL_ASSIGN_OR_RETURN(auto dtype, ctx.dtype(type->dtype));  // torch widens ints otherwise
    ctx.assign(py::call(torch_fn("cumsum"), {x, axis}, {{"dtype", dtype}}));
    return ok_status();
  }
  RAMIEL_ASSIGN_OR_RETURN(
      auto y,
      helper_call(ctx, "onnx_cumsum", {x, axis, py::int_lit(exclusive), py::int_lit(reverse)}));
  ctx.assign(y);
  return ok_status();
}

Status emit_det(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  ctx.assign(py::call(py::dotted("torch.linalg.det"), {x}));
  return ok_status();
}

Status emit_hardmax(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  // As Softmax: 2-D rows before opset 13. A change of meaning, not of operand layout, so the
  // import cannot normalise it away.
  const bool coerce = ctx.opset() < 13;
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", coerce ? 1 : -1));
  if (coerce && axis < 0) {
    auto rank = ctx.input_rank(0);
    if (!rank) return ctx.unsupported("a negative axis of an input of unknown rank");
    axis += *rank;
  }
  std::vector<py::ExprPtr> args = {x, py::int_lit(axis)};
  if (coerce) args.push_back(py::bool_lit(true));
  RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, "onnx_hardmax", std::move(args)));
  ctx.assign(y);
  return ok_status();
}

// ONNX's function body: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9) over `axes`.
Status emit_mean_variance_normalization(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto axes, ctx.ints_attr("axes"));
  const std::vector<int64_t> dims = axes ? *axes : std::vector<int64_t>{0, 2, 3};
  const py::Keywords reduce = {{"dim", py::ints_tuple(dims)}, {"keepdim", py::bool_lit(true)}};
  auto mean = ctx.let("mean", py::call(torch_fn("mean"), {x}, reduce));
  auto square_mean = py::call(torch_fn("mean"), {py::binop("*", x, x)}, reduce);
  auto std_dev =
      py::call(torch_fn("sqrt"), {py::binop("-", square_mean, py::binop("*", mean, mean))});
  ctx.assign(py::binop("/", py::binop("-", x, mean), py::binop("+", std_dev, py::float_lit(1e-9))));
  return ok_status();
}

}  // namespace

void register_math(EmitterTable& table) {
  set(table, OpKind::BitShift, emit_bit_shift);
  set(table, OpKind::IsInf, emit_is_inf);
  set(table, OpKind::Shrink, emit_shrink);
  set(table, OpKind::CumSum, emit_cumsum);
  set(table, OpKind::Det, emit_det);
  set(table, OpKind::Hardmax, emit_hardmax);
  set(table, OpKind::MeanVarianceNormalization, emit_mean_variance_normalization);
}

}  // namespace ramiel::codegen::emitters
