// Pooling: MaxPool, AveragePool and their global forms.
#include <limits>

#include "core/codegen/emitters/common.h"
#include "core/codegen/emitters/window.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

// When both shapes are static, checks that torch's output size rule (it drops a ceil-mode
// window that would start in the right padding) gives the size ONNX inferred. `explicit_pad`:
// the input is padded with F.pad first and torch pools it without padding.
Status check_pooled_shape(const EmitContext& ctx, const Window& w, bool ceil_mode,
                          bool explicit_pad) {
  auto in = ctx.input_shape(0);
  auto out = ctx.output_shape(0);
  if (!in || !out || in->size() != w.spatial() + 2 || out->size() != in->size()) {
    return ok_status();
  }
  for (size_t i = 0; i < w.spatial(); ++i) {
    const int64_t size = (*in)[i + 2];
    const int64_t expected = (*out)[i + 2];
    if (!known(size) || !known(expected)) continue;
    const int64_t got = explicit_pad
                            ? torch_pooled_size(size + w.pads_begin[i] + w.pads_end[i], w.kernel[i],
                                                w.strides[i], w.dilations[i], 0, ceil_mode)
                            : torch_pooled_size(size, w.kernel[i], w.strides[i], w.dilations[i],
                                                w.pads_begin[i], ceil_mode);
    if (got != expected) {
      return ctx.unsupported_attribute("ceil_mode", std::to_string(ceil_mode),
                                       "torch would pool dimension " + std::to_string(i + 2) +
                                           " to " + std::to_string(got) + " where ONNX gives " +
                                           std::to_string(expected));
    }
  }
  return ok_status();
}

// Whether torch accepts these pads itself: the same on both sides, at most half the kernel.
bool torch_can_pad(const Window& w) {
  if (!w.symmetric()) return false;
  for (size_t i = 0; i < w.spatial(); ++i) {
    if (2 * w.pads_begin[i] > w.kernel[i]) return false;
  }
  return true;
}

Status emit_max_pool(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_RETURN_IF_ERROR(ctx.require_unused_output(1, "Indices"));
  RAMIEL_ASSIGN_OR_RETURN(auto kernel, ctx.ints_attr("kernel_shape"));
  if (!kernel) return ctx.invalid("attribute kernel_shape is missing");
  RAMIEL_ASSIGN_OR_RETURN(Window w, read_window(ctx, *kernel));
  RAMIEL_ASSIGN_OR_RETURN(int64_t ceil_mode, ctx.int_attr("ceil_mode", 0));
  if (w.spatial() < 1 || w.spatial() > 3) {
    return ctx.unsupported(std::to_string(w.spatial()) + "-d pooling (torch has 1-d to 3-d)");
  }
  const bool explicit_pad = !torch_can_pad(w);
  RAMIEL_RETURN_IF_ERROR(check_pooled_shape(ctx, w, ceil_mode != 0, explicit_pad));
  if (explicit_pad) {  // pad with -inf ourselves, which never wins a max
    x = py::call(nn_fn("pad"), {x, py::ints_tuple(w.torch_pads())},
                 {{"value", py::float_lit(-std::numeric_limits<double>::infinity())}});
    w.pads_begin.assign(w.spatial(), 0);
    w.pads_end.assign(w.spatial(), 0);
  }
  py::Keywords keywords = {{"stride", int_or_tuple(w.strides)}};
  if (!all_equal_to(w.pads_begin, 0)) keywords.emplace_back("padding", int_or_tuple(w.pads_begin));
  if (!all_equal_to(w.dilations, 1)) keywords.emplace_back("dilation", int_or_tuple(w.dilations));
  if (ceil_mode) keywords.emplace_back("ceil_mode", py::bool_lit(true));
  ctx.assign(py::call(nn_fn("max_pool" + std::to_string(w.spatial()) + "d"),
                      {x, int_or_tuple(w.kernel)}, std::move(keywords)));
  return ok_status();
}

Status emit_average_pool(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto kernel, ctx.ints_attr("kernel_shape"));
  if (!kernel) return ctx.invalid("attribute kernel_shape is missing");
  RAMIEL_ASSIGN_OR_RETURN(Window w, read_window(ctx, *kernel));
  RAMIEL_ASSIGN_OR_RETURN(int64_t ceil_mode, ctx.int_attr("ceil_mode", 0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t include_pad, ctx.int_attr("count_include_pad", 0));
  if (w.spatial() < 1 || w.spatial() > 3) {
    return ctx.unsupported(std::to_string(w.spatial()) + "-d pooling (torch has 1-d to 3-d)");
  }
  if (!all_equal_to(w.dilations, 1)) {
    return ctx.unsupported_attribute("dilations", ints_text(w.dilations),
                                     "torch's average pools have no dilation");
  }
  const bool explicit_pad = !torch_can_pad(w);
  if (explicit_pad && !include_pad) {
    return ctx.unsupported_attribute("pads", ints_text(w.torch_pads()),
                                     "torch cannot exclude uneven padding from the average");
  }
  RAMIEL_RETURN_IF_ERROR(check_pooled_shape(ctx, w, ceil_mode != 0, explicit_pad));
  if (explicit_pad) {
    x = py::call(nn_fn("pad"), {x, py::ints_tuple(w.torch_pads())});  // zeros count, as asked
    w.pads_begin.assign(w.spatial(), 0);
    w.pads_end.assign(w.spatial(), 0);
  }
  py::Keywords keywords = {{"stride", int_or_tuple(w.strides)}};
  if (!all_equal_to(w.pads_begin, 0)) keywords.emplace_back("padding", int_or_tuple(w.pads_begin));
  if (ceil_mode) keywords.emplace_back("ceil_mode", py::bool_lit(true));
  // torch counts padding by default, ONNX does not; say which every time.
  keywords.emplace_back("count_include_pad", py::bool_lit(include_pad != 0));
  ctx.assign(py::call(nn_fn("avg_pool" + std::to_string(w.spatial()) + "d"),
                      {x, int_or_tuple(w.kernel)}, std::move(keywords)));
  return ok_status();
}

Status emit_global_pool(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  const bool average = ctx.node().op() == OpKind::GlobalAveragePool;
  auto rank = ctx.input_rank(0);
  if (!rank || *rank < 3) return ctx.unsupported("the input's rank is unknown or below 3");
  if (average && *rank <= 5) {
    ctx.assign(py::call(nn_fn("adaptive_avg_pool" + std::to_string(*rank - 2) + "d"),
                        {x, py::int_lit(1)}));
    return ok_status();
  }
  std::vector<int64_t> dims;
  for (int64_t d = 2; d < *rank; ++d) dims.push_back(d);
  ctx.assign(py::call(torch_fn(average ? "mean" : "amax"), {x},
                      {{"dim", py::ints_tuple(dims)}, {"keepdim", py::bool_lit(true)}}));
  return ok_status();
}

}  // namespace

void register_pool(EmitterTable& table) {
  set(table, OpKind::MaxPool, emit_max_pool);
  set(table, OpKind::AveragePool, emit_average_pool);
  set(table, OpKind::GlobalAveragePool, emit_global_pool);
  set(table, OpKind::GlobalMaxPool, emit_global_pool);
}

}  // namespace ramiel::codegen::emitters
