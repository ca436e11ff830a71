// Activations with parameters, and Softmax / LogSoftmax (whose meaning changed in opset 13).
#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

Status emit_softmax(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  const char* function = ctx.node().op() == OpKind::Softmax ? "softmax" : "log_softmax";
  // Opset 13 changed what axis means (not where it is given), so the import cannot normalise it.
  if (ctx.opset() >= 13) {
    RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", -1));
    ctx.assign(py::call(nn_fn(function), {x}, {{"dim", py::int_lit(axis)}}));
    return ok_status();
  }
  // Before opset 13 the input is coerced to 2-D: dims before `axis` are rows, the rest one row.
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", 1));
  auto rank = ctx.input_rank(0);
  if (rank) {
    RAMIEL_ASSIGN_OR_RETURN(axis, normalize_axis(ctx, axis, *rank));
    if (axis == *rank - 1) {  // the last axis alone: coercing changes nothing
      ctx.assign(py::call(nn_fn(function), {x}, {{"dim", py::int_lit(-1)}}));
      return ok_status();
    }
  }
  auto flat = py::call(nn_fn(function), {py::method(x, "flatten", {py::int_lit(axis)})},
                       {{"dim", py::int_lit(-1)}});
  ctx.assign(py::method(flat, "reshape", {py::attr(x, "shape")}));
  return ok_status();
}

Status emit_leaky_relu(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(float alpha, ctx.float_attr("alpha", 0.01f));
  ctx.assign(py::call(nn_fn("leaky_relu"), {x}, {{"negative_slope", py::float32_lit(alpha)}}));
  return ok_status();
}

Status emit_elu_like(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(float alpha, ctx.float_attr("alpha", 1.0f));
  const char* function = ctx.node().op() == OpKind::Elu ? "elu" : "celu";
  ctx.assign(py::call(nn_fn(function), {x}, {{"alpha", py::float32_lit(alpha)}}));
  return ok_status();
}

Status emit_selu(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  constexpr float kAlpha = 1.67326319217681884765625f;
  constexpr float kGamma = 1.05070102214813232421875f;
  RAMIEL_ASSIGN_OR_RETURN(float alpha, ctx.float_attr("alpha", kAlpha));
  RAMIEL_ASSIGN_OR_RETURN(float gamma, ctx.float_attr("gamma", kGamma));
  if (alpha == kAlpha && gamma == kGamma) {  // torch's constants, as float32
    ctx.assign(py::call(nn_fn("selu"), {x}));
    return ok_status();
  }
  auto negative = py::binop("*", py::float32_lit(alpha), py::call(torch_fn("expm1"), {x}));
  auto chosen = py::call(torch_fn("where"), {py::binop(">", x, py::int_lit(0)), x, negative});
  ctx.assign(py::binop("*", py::float32_lit(gamma), chosen));
  return ok_status();
}

Status emit_hard_sigmoid(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(float alpha, ctx.float_attr("alpha", 0.2f));
  RAMIEL_ASSIGN_OR_RETURN(float beta, ctx.float_attr("beta", 0.5f));
  auto linear = py::binop("+", py::binop("*", x, py::float32_lit(alpha)), py::float32_lit(beta));
  ctx.assign(py::call(torch_fn("clamp"), {linear},
                      {{"min", py::float_lit(0.0)}, {"max", py::float_lit(1.0)}}));
  return ok_status();
}

Status emit_thresholded_relu(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(float alpha, ctx.float_attr("alpha", 1.0f));
  ctx.assign(py::call(nn_fn("threshold"), {x, py::float32_lit(alpha), py::float_lit(0.0)}));
  return ok_status();
}

Status emit_prelu(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto slope, ctx.input(1));
  // ONNX broadcasts the slope numpy-style; F.prelu wants one slope per channel.
  ctx.assign(py::call(torch_fn("where"),
                      {py::binop("<", x, py::int_lit(0)), py::binop("*", x, slope), x}));
  return ok_status();
}

}  // namespace

void register_activation(EmitterTable& table) {
  set(table, OpKind::Softmax, emit_softmax);
  set(table, OpKind::LogSoftmax, emit_softmax);
  set(table, OpKind::LeakyRelu, emit_leaky_relu);
  set(table, OpKind::Elu, emit_elu_like);
  set(table, OpKind::Celu, emit_elu_like);
  set(table, OpKind::Selu, emit_selu);
  set(table, OpKind::HardSigmoid, emit_hard_sigmoid);
  set(table, OpKind::ThresholdedRelu, emit_thresholded_relu);
  set(table, OpKind::PRelu, emit_prelu);
}

}  // namespace ramiel::codegen::emitters
