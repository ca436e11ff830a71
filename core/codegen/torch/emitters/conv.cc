// Convolutions: Conv and ConvTranspose as F.conv{1,2,3}d / F.conv_transpose{1,2,3}d.
#include "core/codegen/torch/emitters/common.h"
#include "core/codegen/torch/emitters/window.h"

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
  // A convolution split by the split-branches pass computes a range of the output channels.
  RAMIEL_ASSIGN_OR_RETURN(auto channels, ctx.ints_attr("ramiel_output_channels"));
  auto channel_range = [&](py::ExprPtr tensor) {
    if (!channels) return tensor;
    return py::subscript(tensor,
                         py::slice(py::int_lit((*channels)[0]), py::int_lit((*channels)[1])));
  };
  if (channels && (channels->size() != 2 || groups != 1)) {
    return ctx.invalid("ramiel_output_channels needs [begin, end) and group 1");
  }
  std::vector<py::ExprPtr> args = {x, channel_range(weight)};
  if (ctx.has_input(2)) {
    RAMIEL_ASSIGN_OR_RETURN(auto bias, ctx.input(2));
    args.push_back(channel_range(bias));
  }
  py::Keywords keywords;
  window_keywords(w, groups, keywords);
  ctx.assign(py::call(nn_fn("conv" + suffix), std::move(args), std::move(keywords)));
  return ok_status();
}

// Floor division, as ONNX's formulas for ConvTranspose padding mean it for negative totals.
int64_t floor_half(int64_t total) {
  return total >= 0 ? total / 2 : -((-total + 1) / 2);
}

// ConvTranspose whose padding torch cannot express (output_shape, auto_pad SAME_*, uneven or
// negative pads): the full transposed convolution, then F.pad crops or extends each spatial
// axis to the output ONNX defines (`begin` cut at the start, output_padding - `end` added at
// the end), then the bias.
Status emit_conv_transpose_explicit(EmitContext& ctx, py::ExprPtr x, py::ExprPtr weight,
                                    const Window& w, int64_t groups,
                                    const std::vector<int64_t>& begin,
                                    const std::vector<int64_t>& end,
                                    const std::vector<int64_t>& output_padding,
                                    const std::string& suffix) {
  py::Keywords keywords;
  if (!all_equal_to(w.strides, 1)) keywords.emplace_back("stride", int_or_tuple(w.strides));
  if (groups != 1) keywords.emplace_back("groups", py::int_lit(groups));
  if (!all_equal_to(w.dilations, 1)) keywords.emplace_back("dilation", int_or_tuple(w.dilations));
  py::ExprPtr y = py::call(nn_fn("conv_transpose" + suffix), {x, weight}, std::move(keywords));
  std::vector<int64_t> resize;  // F.pad's order: last axis first
  for (size_t i = w.spatial(); i-- > 0;) {
    resize.push_back(-begin[i]);
    resize.push_back(output_padding[i] - end[i]);
  }
  if (!all_equal_to(resize, 0)) y = py::call(nn_fn("pad"), {y, py::ints_tuple(resize)});
  if (ctx.has_input(2)) {
    RAMIEL_ASSIGN_OR_RETURN(auto bias, ctx.input(2));
    std::vector<py::ExprPtr> shape = {py::int_lit(1), py::int_lit(-1)};
    shape.resize(w.spatial() + 2, py::int_lit(1));
    y = py::binop("+", y, py::method(bias, "reshape", std::move(shape)));
  }
  ctx.assign(y);
  return ok_status();
}

Status emit_conv_transpose(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto weight, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto kernel, kernel_of(ctx));
  RAMIEL_ASSIGN_OR_RETURN(std::string auto_pad, ctx.string_attr("auto_pad", "NOTSET"));
  if (auto_pad != "NOTSET" && auto_pad != "VALID" && auto_pad != "SAME_UPPER" &&
      auto_pad != "SAME_LOWER") {
    return ctx.unsupported_attribute("auto_pad", auto_pad);
  }
  RAMIEL_ASSIGN_OR_RETURN(Window w, read_window(ctx, kernel));
  RAMIEL_ASSIGN_OR_RETURN(std::string suffix, spatial_suffix(ctx, w.spatial()));
  RAMIEL_ASSIGN_OR_RETURN(int64_t groups, ctx.int_attr("group", 1));
  RAMIEL_ASSIGN_OR_RETURN(auto output_padding, ctx.ints_attr("output_padding"));
  if (!output_padding) output_padding = std::vector<int64_t>(w.spatial(), 0);
  if (output_padding->size() != w.spatial()) {
    return ctx.invalid("output_padding needs one value per spatial axis");
  }
  RAMIEL_ASSIGN_OR_RETURN(auto output_shape, ctx.ints_attr("output_shape"));
  const bool same = auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  if (output_shape || same) {
    // ONNX derives the pads from the output size: output_shape, or input * stride for SAME.
    auto in = ctx.input_shape(0);
    if (!in || in->size() != w.spatial() + 2) return ctx.unsupported("an input of unknown rank");
    if (output_shape && output_shape->size() == w.spatial() + 2) {
      output_shape->erase(output_shape->begin(), output_shape->begin() + 2);
    }
    if (output_shape && output_shape->size() != w.spatial()) {
      return ctx.invalid("output_shape needs one value per spatial axis");
    }
    std::vector<int64_t> begin, end;
    for (size_t i = 0; i < w.spatial(); ++i) {
      const int64_t size = (*in)[i + 2];
      if (!known(size)) return ctx.unsupported("an input of unknown spatial size");
      const int64_t full = w.strides[i] * (size - 1) + (w.kernel[i] - 1) * w.dilations[i] + 1;
      const int64_t target = output_shape ? (*output_shape)[i] : size * w.strides[i];
      const int64_t total = full + (*output_padding)[i] - target;
      const int64_t half = floor_half(total);
      begin.push_back(auto_pad == "SAME_UPPER" ? half : total - half);
      end.push_back(total - begin.back());
    }
    return emit_conv_transpose_explicit(ctx, x, weight, w, groups, begin, end, *output_padding,
                                        suffix);
  }
  bool negative = false;
  for (size_t i = 0; i < w.spatial(); ++i) negative |= w.pads_begin[i] < 0 || w.pads_end[i] < 0;
  if (!w.symmetric() || negative) {
    return emit_conv_transpose_explicit(ctx, x, weight, w, groups, w.pads_begin, w.pads_end,
                                        *output_padding, suffix);
  }
  std::vector<py::ExprPtr> args = {x, weight};
  if (ctx.has_input(2)) {
    RAMIEL_ASSIGN_OR_RETURN(auto bias, ctx.input(2));
    args.push_back(bias);
  }
  py::Keywords keywords;
  if (!all_equal_to(w.strides, 1)) keywords.emplace_back("stride", int_or_tuple(w.strides));
  if (!all_equal_to(w.pads_begin, 0)) keywords.emplace_back("padding", int_or_tuple(w.pads_begin));
  if (!all_equal_to(*output_padding, 0)) {
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
