// Signal processing: DFT, STFT, MelWeightMatrix (runtime/helpers_signal.py) and the Hann,
// Hamming and Blackman windows (torch's window functions, with ONNX's Hamming coefficients).
#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

// The dtype an op's output_datatype attribute names (float by default).
StatusOr<py::ExprPtr> output_datatype(const EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(int64_t code, ctx.int_attr("output_datatype", 1));
  auto dtype = ir::dtype_from_onnx(static_cast<int32_t>(code));
  if (!dtype) return ctx.unsupported_attribute("output_datatype", std::to_string(code));
  return ctx.dtype(*dtype);
}

Status emit_window(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto size, int_input(ctx, 0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t periodic, ctx.int_attr("periodic", 1));
  RAMIEL_ASSIGN_OR_RETURN(auto dtype, output_datatype(ctx));
  py::Keywords keywords = {{"periodic", py::bool_lit(periodic != 0)}};
  const char* function = "hann_window";
  if (ctx.node().op() == OpKind::HammingWindow) {
    function = "hamming_window";  // ONNX's coefficients are 25/46 and 21/46, not 0.54 / 0.46
    keywords.emplace_back("alpha", py::binop("/", py::int_lit(25), py::int_lit(46)));
    keywords.emplace_back("beta", py::binop("/", py::int_lit(21), py::int_lit(46)));
  } else if (ctx.node().op() == OpKind::BlackmanWindow) {
    function = "blackman_window";
  }
  keywords.emplace_back("dtype", dtype);
  ctx.assign(py::call(torch_fn(function), {size}, std::move(keywords)));
  return ok_status();
}

Status emit_dft(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  py::Keywords keywords;
  if (ctx.has_input(1)) {
    RAMIEL_ASSIGN_OR_RETURN(auto length, int_input(ctx, 1));
    keywords.emplace_back("length", length);
  }
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", 1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t inverse, ctx.int_attr("inverse", 0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t onesided, ctx.int_attr("onesided", 0));
  if (axis != 1) keywords.emplace_back("axis", py::int_lit(axis));
  if (inverse) keywords.emplace_back("inverse", py::int_lit(1));
  if (onesided) keywords.emplace_back("onesided", py::int_lit(1));
  RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, "onnx_dft", {x}, std::move(keywords)));
  ctx.assign(y);
  return ok_status();
}

Status emit_stft(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto step, int_input(ctx, 1));
  std::vector<py::ExprPtr> args = {x, step};
  py::Keywords keywords;
  if (ctx.has_input(2)) {
    RAMIEL_ASSIGN_OR_RETURN(auto window, ctx.input(2));
    keywords.emplace_back("window", window);
  }
  if (ctx.has_input(3)) {
    RAMIEL_ASSIGN_OR_RETURN(auto length, int_input(ctx, 3));
    keywords.emplace_back("length", length);
  }
  if (!ctx.has_input(2) && !ctx.has_input(3))
    return ctx.invalid("needs a window or a frame_length");
  RAMIEL_ASSIGN_OR_RETURN(int64_t onesided, ctx.int_attr("onesided", 1));
  if (!onesided) keywords.emplace_back("onesided", py::int_lit(0));
  RAMIEL_ASSIGN_OR_RETURN(auto y,
                          helper_call(ctx, "onnx_stft", std::move(args), std::move(keywords)));
  ctx.assign(y);
  return ok_status();
}

Status emit_mel_weight_matrix(EmitContext& ctx) {
  std::vector<py::ExprPtr> args;
  for (size_t i = 0; i < 5; ++i) {
    RAMIEL_ASSIGN_OR_RETURN(auto value, ctx.scalar_or_input(i));
    args.push_back(value);
  }
  RAMIEL_ASSIGN_OR_RETURN(auto dtype, output_datatype(ctx));
  args.push_back(dtype);
  RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, "onnx_mel_weight_matrix", std::move(args)));
  ctx.assign(y);
  return ok_status();
}

}  // namespace

void register_signal(EmitterTable& table) {
  set(table, OpKind::HannWindow, emit_window);
  set(table, OpKind::HammingWindow, emit_window);
  set(table, OpKind::BlackmanWindow, emit_window);
  set(table, OpKind::DFT, emit_dft);
  set(table, OpKind::STFT, emit_stft);
  set(table, OpKind::MelWeightMatrix, emit_mel_weight_matrix);
}

}  // namespace ramiel::codegen::emitters
