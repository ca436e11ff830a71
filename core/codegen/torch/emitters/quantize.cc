// Quantization: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
// ConvInteger, QLinearMatMul, QLinearConv, through runtime/helpers_quantize.py.
#include "core/codegen/torch/emitters/common.h"
#include "core/codegen/torch/emitters/window.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

// Inputs first..last (an omitted optional one as None), as helper arguments.
StatusOr<std::vector<py::ExprPtr>> operands(EmitContext& ctx, size_t first, size_t last) {
  std::vector<py::ExprPtr> out;
  for (size_t i = first; i <= last; ++i) {
    RAMIEL_ASSIGN_OR_RETURN(auto operand, ctx.input_or_none(i));
    out.push_back(operand);
  }
  while (!out.empty() && out.back()->kind == py::ExprKind::kNone) out.pop_back();
  return out;
}

// QuantizeLinear / DequantizeLinear: x, scale, zero point and, since opset 13, an axis.
Status emit_linear_quantization(EmitContext& ctx) {
  const bool quantize = ctx.node().op() == OpKind::QuantizeLinear;
  RAMIEL_ASSIGN_OR_RETURN(auto args, operands(ctx, 0, 2));
  if (args.size() == 2) args.push_back(py::none());
  py::Keywords keywords;
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", 1));
  if (axis != 1) keywords.emplace_back("axis", py::int_lit(axis));
  if (quantize) {
    RAMIEL_ASSIGN_OR_RETURN(auto dtype, ctx.dtype(ctx.output_type(0).dtype));
    keywords.emplace_back("dtype", dtype);
  }
  RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, quantize ? "onnx_quantize" : "onnx_dequantize",
                                              std::move(args), std::move(keywords)));
  ctx.assign(y);
  return ok_status();
}

Status emit_dynamic_quantize(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto all, helper_call(ctx, "onnx_dynamic_quantize", {x}));
  ctx.assign_outputs(3, all);
  return ok_status();
}

Status emit_matmul_integer(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto args, operands(ctx, 0, 3));
  RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, "onnx_matmul_integer", std::move(args)));
  ctx.assign(y);
  return ok_status();
}

Status emit_qlinear_matmul(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto args, operands(ctx, 0, 7));
  if (args.size() != 8) return ctx.unsupported("an omitted zero point");
  RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, "onnx_qlinear_matmul", std::move(args)));
  ctx.assign(y);
  return ok_status();
}

// The convolution keywords of ConvInteger / QLinearConv (weight is input `weight`); uneven
// padding becomes an explicit `pad` the helper applies to the zero-point-shifted input.
StatusOr<py::Keywords> conv_keywords(const EmitContext& ctx, size_t weight) {
  auto shape = ctx.input_shape(weight);
  if (!shape || shape->size() < 3 || shape->size() > 5) {
    return ctx.unsupported("a weight of unknown shape or other than 1-d to 3-d convolution");
  }
  RAMIEL_ASSIGN_OR_RETURN(Window w,
                          read_window(ctx, std::vector<int64_t>(shape->begin() + 2, shape->end())));
  RAMIEL_ASSIGN_OR_RETURN(int64_t groups, ctx.int_attr("group", 1));
  py::Keywords keywords;
  if (!w.symmetric()) {
    keywords.emplace_back("pad", py::ints_tuple(w.torch_pads()));
  } else if (!all_equal_to(w.pads_begin, 0)) {
    keywords.emplace_back("padding", int_or_tuple(w.pads_begin));
  }
  if (!all_equal_to(w.strides, 1)) keywords.emplace_back("stride", int_or_tuple(w.strides));
  if (!all_equal_to(w.dilations, 1)) keywords.emplace_back("dilation", int_or_tuple(w.dilations));
  if (groups != 1) keywords.emplace_back("groups", py::int_lit(groups));
  return keywords;
}

Status emit_conv_integer(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto args, operands(ctx, 0, 3));
  RAMIEL_ASSIGN_OR_RETURN(auto keywords, conv_keywords(ctx, 1));
  RAMIEL_ASSIGN_OR_RETURN(
      auto y, helper_call(ctx, "onnx_conv_integer", std::move(args), std::move(keywords)));
  ctx.assign(y);
  return ok_status();
}

Status emit_qlinear_conv(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto args, operands(ctx, 0, 8));
  if (args.size() < 8) return ctx.unsupported("an omitted zero point");
  RAMIEL_ASSIGN_OR_RETURN(auto keywords, conv_keywords(ctx, 3));
  RAMIEL_ASSIGN_OR_RETURN(
      auto y, helper_call(ctx, "onnx_qlinear_conv", std::move(args), std::move(keywords)));
  ctx.assign(y);
  return ok_status();
}

}  // namespace

void register_quantize(EmitterTable& table) {
  set(table, OpKind::QuantizeLinear, emit_linear_quantization);
  set(table, OpKind::DequantizeLinear, emit_linear_quantization);
  set(table, OpKind::DynamicQuantizeLinear, emit_dynamic_quantize);
  set(table, OpKind::MatMulInteger, emit_matmul_integer);
  set(table, OpKind::QLinearMatMul, emit_qlinear_matmul);
  set(table, OpKind::ConvInteger, emit_conv_integer);
  set(table, OpKind::QLinearConv, emit_qlinear_conv);
}

}  // namespace ramiel::codegen::emitters
