// Pooling: MaxPool, AveragePool and their global forms.
#include <limits>

#include "core/codegen/torch/emitters/common.h"
#include "core/codegen/torch/emitters/window.h"

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

// torch pools only floating-point tensors: integers go through the float type that holds them
// exactly. Returns the integer type to cast back to, if any.
StatusOr<std::optional<ir::DType>> pool_as_float(const EmitContext& ctx, py::ExprPtr& x) {
  const ir::TensorType* type = ctx.input_type(0);
  if (!type || !ir::is_integer(type->dtype)) return std::optional<ir::DType>();
  if (type->dtype == ir::DType::kInt64 || type->dtype == ir::DType::kUInt64 ||
      type->dtype == ir::DType::kUInt32) {
    return ctx.unsupported("max pooling of " + std::string(ir::dtype_name(type->dtype)) +
                           ": torch pools only floats, and float64 cannot hold every value");
  }
  const bool wide = type->dtype == ir::DType::kInt32;
  x = py::method(x, "to", {py::dotted(wide ? "torch.float64" : "torch.float32")});
  return std::optional<ir::DType>(type->dtype);
}

// MaxPool's Indices output: torch numbers the elements of each (n, c) plane; ONNX numbers the
// whole tensor (row-major, storage_order 0), so each plane's offset is added.
StatusOr<py::ExprPtr> onnx_pool_indices(const EmitContext& ctx, py::ExprPtr indices) {
  RAMIEL_ASSIGN_OR_RETURN(int64_t storage_order, ctx.int_attr("storage_order", 0));
  auto shape = ctx.input_shape(0);
  if (!shape || shape->size() < 3 || !fully_known(*shape)) {
    return ctx.unsupported("the Indices output of an input whose shape is unknown");
  }
  if (storage_order == 1 && shape->size() == 4) {  // column-major: (h, w) numbered w * H + h
    const int64_t height = (*shape)[2];
    const int64_t width = (*shape)[3];
    indices = py::binop(
        "+", py::binop("*", py::binop("%", indices, py::int_lit(width)), py::int_lit(height)),
        py::binop("//", indices, py::int_lit(width)));
  } else if (storage_order != 0) {
    return ctx.unsupported_attribute("storage_order", std::to_string(storage_order),
                                     "column-major indices are supported for 2-d pools only");
  }
  int64_t plane = 1;
  for (size_t i = 2; i < shape->size(); ++i) plane *= (*shape)[i];
  std::vector<int64_t> offsets_shape = {(*shape)[0], (*shape)[1]};
  offsets_shape.resize(shape->size(), 1);
  std::vector<py::ExprPtr> dims;
  for (int64_t d : offsets_shape) dims.push_back(py::int_lit(d));
  auto planes = py::method(py::call(torch_fn("arange"), {py::int_lit((*shape)[0] * (*shape)[1])}),
                           "reshape", std::move(dims));
  return py::binop("+", indices, py::binop("*", planes, py::int_lit(plane)));
}

Status emit_max_pool(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  const bool with_indices = ctx.num_outputs() > 1 && ctx.output_used(1);
  RAMIEL_ASSIGN_OR_RETURN(auto integer, pool_as_float(ctx, x));
  RAMIEL_ASSIGN_OR_RETURN(auto kernel, ctx.ints_attr("kernel_shape"));
  if (!kernel) return ctx.invalid("attribute kernel_shape is missing");
  RAMIEL_ASSIGN_OR_RETURN(Window w, read_window(ctx, *kernel));
  RAMIEL_ASSIGN_OR_RETURN(int64_t ceil_mode, ctx.int_attr("ceil_mode", 0));
  if (w.spatial() < 1 || w.spatial() > 3) {
    return ctx.unsupported(std::to_string(w.spatial()) + "-d pooling (torch has 1-d to 3-d)");
  }
  const bool explicit_pad = !torch_can_pad(w);
  RAMIEL_RETURN_IF_ERROR(check_pooled_shape(ctx, w, ceil_mode != 0, explicit_pad));
  if (explicit_pad && with_indices) {
    return ctx.unsupported_attribute("pads", ints_text(w.torch_pads()),
                                     "the Indices output needs padding torch applies itself");
  }
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
  if (with_indices) keywords.emplace_back("return_indices", py::bool_lit(true));
  py::ExprPtr pooled = py::call(nn_fn("max_pool" + std::to_string(w.spatial()) + "d"),
                                {x, int_or_tuple(w.kernel)}, std::move(keywords));
  py::ExprPtr indices;
  if (with_indices) {
    auto both = ctx.let("pooled", pooled);
    pooled = py::subscript(both, py::int_lit(0));
    RAMIEL_ASSIGN_OR_RETURN(indices, onnx_pool_indices(ctx, py::subscript(both, py::int_lit(1))));
  }
  if (integer) {
    RAMIEL_ASSIGN_OR_RETURN(auto dtype, ctx.dtype(*integer));
    pooled = py::method(pooled, "to", {dtype});
  }
  ctx.assign(pooled);
  if (indices) ctx.assign_output(1, indices);
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
  RAMIEL_RETURN_IF_ERROR(check_pooled_shape(ctx, w, ceil_mode != 0, explicit_pad));
  const std::string function = "avg_pool" + std::to_string(w.spatial()) + "d";
  if (explicit_pad && !include_pad) {
    // Padding torch cannot exclude: pool the zero-padded input and a zero-padded plane of ones
    // alike; their ratio averages the real elements only.
    py::Keywords keywords = {{"stride", int_or_tuple(w.strides)}};
    if (ceil_mode) keywords.emplace_back("ceil_mode", py::bool_lit(true));
    auto pads = py::ints_tuple(w.torch_pads());
    auto plane = py::subscript(
        x, py::tuple({py::slice(nullptr, py::int_lit(1)), py::slice(nullptr, py::int_lit(1))}));
    auto ones = py::call(torch_fn("ones_like"), {plane});
    auto sums = py::call(nn_fn(function),
                         {py::call(nn_fn("pad"), {x, pads}), int_or_tuple(w.kernel)}, keywords);
    auto counts = py::call(
        nn_fn(function), {py::call(nn_fn("pad"), {ones, pads}), int_or_tuple(w.kernel)}, keywords);
    ctx.assign(py::binop("/", sums, counts));
    return ok_status();
  }
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
  ctx.assign(py::call(nn_fn(function), {x, int_or_tuple(w.kernel)}, std::move(keywords)));
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
  py::Keywords over_space = {{"dim", py::ints_tuple(dims)}, {"keepdim", py::bool_lit(true)}};
  if (ctx.node().op() == OpKind::GlobalLpPool) {  // (sum |x|^p)^(1/p) over each channel
    RAMIEL_ASSIGN_OR_RETURN(int64_t p, ctx.int_attr("p", 2));
    over_space.insert(over_space.begin(), {"ord", py::int_lit(p)});
    ctx.assign(py::call(py::dotted("torch.linalg.vector_norm"), {x}, std::move(over_space)));
    return ok_status();
  }
  ctx.assign(py::call(torch_fn(average ? "mean" : "amax"), {x}, std::move(over_space)));
  return ok_status();
}

}  // namespace

void register_pool(EmitterTable& table) {
  set(table, OpKind::MaxPool, emit_max_pool);
  set(table, OpKind::AveragePool, emit_average_pool);
  set(table, OpKind::GlobalAveragePool, emit_global_pool);
  set(table, OpKind::GlobalMaxPool, emit_global_pool);
  set(table, OpKind::GlobalLpPool, emit_global_pool);
}

}  // namespace ramiel::codegen::emitters
