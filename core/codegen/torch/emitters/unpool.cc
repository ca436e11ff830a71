// MaxUnpool as F.max_unpool{1,2,3}d: ONNX's indices number the whole output tensor (as
// MaxPool's Indices output does), torch's each (n, c) plane, so they are taken modulo a plane.
#include "core/codegen/torch/emitters/common.h"
#include "core/codegen/torch/emitters/window.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

Status emit_max_unpool(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto indices, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto kernel, ctx.ints_attr("kernel_shape"));
  if (!kernel) return ctx.invalid("attribute kernel_shape is missing");
  RAMIEL_ASSIGN_OR_RETURN(Window w, read_window(ctx, *kernel));
  if (w.spatial() < 1 || w.spatial() > 3) {
    return ctx.unsupported(std::to_string(w.spatial()) + "-d unpooling (torch has 1-d to 3-d)");
  }
  auto in = ctx.input_shape(0);
  auto out = ctx.output_shape(0);
  if (!in || !out || in->size() != w.spatial() + 2 || out->size() != in->size() ||
      !fully_known(*in) || !fully_known(*out)) {
    return ctx.unsupported("an input or output of unknown shape");
  }
  // Indices number the default output (what MaxPool read); a larger output_shape pads it at
  // the end of each axis.
  std::vector<int64_t> natural;
  std::vector<int64_t> extra;  // F.pad's order: last axis first
  int64_t plane = 1;
  for (size_t i = 0; i < w.spatial(); ++i) {
    natural.push_back(((*in)[i + 2] - 1) * w.strides[i] + w.kernel[i] - w.pads_begin[i] -
                      w.pads_end[i]);
    plane *= natural.back();
  }
  for (size_t i = w.spatial(); i-- > 0;) {
    const int64_t grow = (*out)[i + 2] - natural[i];
    if (grow < 0) return ctx.unsupported("an output_shape smaller than the unpooled size");
    extra.push_back(0);
    extra.push_back(grow);
  }
  py::Keywords keywords = {{"stride", int_or_tuple(w.strides)}};
  if (!all_equal_to(w.pads_begin, 0)) keywords.emplace_back("padding", int_or_tuple(w.pads_begin));
  keywords.emplace_back("output_size", py::ints_list(natural));
  py::ExprPtr y = py::call(nn_fn("max_unpool" + std::to_string(w.spatial()) + "d"),
                           {x, py::binop("%", indices, py::int_lit(plane)), int_or_tuple(w.kernel)},
                           std::move(keywords));
  if (!all_equal_to(extra, 0)) y = py::call(nn_fn("pad"), {y, py::ints_tuple(extra)});
  ctx.assign(y);
  return ok_status();
}

}  // namespace

void register_unpool(EmitterTable& table) {
  set(table, OpKind::MaxUnpool, emit_max_unpool);
}

}  // namespace ramiel::codegen::emitters
