// Convolutions: Conv and ConvTranspose as F.conv{1,2,3}d / F.conv_transpose{1,2,3}d.
#include "core/codegen/emitters/common.h"
#include "core/codegen/emitters/window.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

// The kernel's spatial dims from the weight's static shape (kernel_shape must agree).
StatusOr<std::vector<int64_t>> kernel_of(const EmitContext& ctx) {
  auto weight = ctx.input_shape(1);
  RAMIEL_ASSIGN_OR_RETURN(auto kernel_shape, ctx.ints_attr("kernel_shape"));
  if (!weight || weight->size() < 3) {
    if (kernel_shape) return *kernel_shape;
    return ctx.unsupported("the weight's shape is unknown");
  }
  std::vector<int64_t> kernel(weight->begin() + 2, weight->end());
  if (kernel_shape && *kernel_shape != kernel) {
    return ctx.invalid("kernel_shape " + ints_text(*kernel_shape) +
                       " disagrees with the weight's shape");
  }
  return kernel;
}

StatusOr<std::string> spatial_suffix(const EmitContext& ctx, size_t spatial) {
  if (spatial < 1 || spatial > 3) {
    return ctx.unsupported(std::to_string(spatial) + "-d convolutions (torch has 1-d to 3-d)");
  }
  return std::to_string(spatial) + "d";
}

// stride / padding / dilation / groups, each only when it differs from torch's default.
void window_keywords(const Window& w, int64_t groups, py::Keywords& out) {
  if (!all_equal_to(w.strides, 1)) out.emplace_back("stride", int_or_tuple(w.strides));
  if (!all_equal_to(w.pads_begin, 0)) out.emplace_back("padding", int_or_tuple(w.pads_begin));
  if (!all_equal_to(w.dilations, 1)) out.emplace_back("dilation", int_or_tuple(w.dilations));
  if (groups != 1) out.emplace_back("groups", py::int_lit(groups));
}

Status emit_conv(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto weight, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto kernel, kernel_of(ctx));
  RAMIEL_ASSIGN_OR_RETURN(Window w, read_window(ctx, kernel));
  RAMIEL_ASSIGN_OR_RETURN(std::string suffix, spatial_suffix(ctx, w.spatial()));
  RAMIEL_ASSIGN_OR_RETURN(int64_t groups, ctx.int_attr("group", 1));
  if (!w.symmetric()) {  // torch pads both sides alike: pad explicitly first
    x = py::call(nn_fn("pad"), {x, py::ints_tuple(w.torch_pads())});
    w.pads_begin.assign(w.spatial(), 0);
    w.pads_end.assign(w.spatial(), 0);
  }
  std::vector<py::ExprPtr> args = {x, weight};
  if (ctx.has_input(2)) {
    RAMIEL_ASSIGN_OR_RETURN(auto bias, ctx.input(2));
    args.push_back(bias);
  }
  py::Keywords keywords;
  window_keywords(w, groups, keywords);
  ctx.assign(py::call(nn_fn("conv" + suffix), std::move(args), std::move(keywords)));
  return ok_status();
}

Status emit_conv_transpose(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto weight, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto kernel, kernel_of(ctx));
  if (ctx.attributes().has("output_shape")) {
    return ctx.unsupported_attribute("output_shape", "...", "give pads and output_padding instead");
  }
  RAMIEL_ASSIGN_OR_RETURN(std::string auto_pad, ctx.string_attr("auto_pad", "NOTSET"));
  if (auto_pad != "NOTSET" && auto_pad != "VALID") {
    return ctx.unsupported_attribute("auto_pad", auto_pad);
  }
  RAMIEL_ASSIGN_OR_RETURN(Window w, read_window(ctx, kernel));
  if (!w.symmetric()) {
    return ctx.unsupported_attribute("pads", ints_text(w.torch_pads()), "they are asymmetric");
  }
  RAMIEL_ASSIGN_OR_RETURN(std::string suffix, spatial_suffix(ctx, w.spatial()));
  RAMIEL_ASSIGN_OR_RETURN(int64_t groups, ctx.int_attr("group", 1));
  RAMIEL_ASSIGN_OR_RETURN(auto output_padding, ctx.ints_attr("output_padding"));
  std::vector<py::ExprPtr> args = {x, weight};
  if (ctx.has_input(2)) {
    RAMIEL_ASSIGN_OR_RETURN(auto bias, ctx.input(2));
    args.push_back(bias);
  }
  py::Keywords keywords;
  if (!all_equal_to(w.strides, 1)) keywords.emplace_back("stride", int_or_tuple(w.strides));
  if (!all_equal_to(w.pads_begin, 0)) keywords.emplace_back("padding", int_or_tuple(w.pads_begin));
  if (output_padding && !all_equal_to(*output_padding, 0)) {
    keywords.emplace_back("output_padding", int_or_tuple(*output_padding));
  }
  if (groups != 1) keywords.emplace_back("groups", py::int_lit(groups));
  if (!all_equal_to(w.dilations, 1)) keywords.emplace_back("dilation", int_or_tuple(w.dilations));
  ctx.assign(py::call(nn_fn("conv_transpose" + suffix), std::move(args), std::move(keywords)));
  return ok_status();
}

}  // namespace

void register_conv(EmitterTable& table) {
  set(table, OpKind::Conv, emit_conv);
  set(table, OpKind::ConvTranspose, emit_conv_transpose);
}

}  // namespace ramiel::codegen::emitters
