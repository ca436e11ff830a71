// Ops that move or reshape data: Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Concat,
// Split, Slice, Gather, Expand, Tile, Pad, Shape, Size, Dropout (inference: identity).
#include <algorithm>

#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

std::vector<py::ExprPtr> int_args(const std::vector<int64_t>& values) {
  std::vector<py::ExprPtr> out;
  for (int64_t v : values) out.push_back(py::int_lit(v));
  return out;
}

// An int-list input as a literal list when known, else the tensor itself (helpers take both).
StatusOr<py::ExprPtr> ints_or_tensor(EmitContext& ctx, size_t i) {
  if (auto values = ctx.input_ints(i)) return py::ints_list(*values);
  return ctx.input(i);
}

Status emit_reshape(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t allowzero, ctx.int_attr("allowzero", 0));
  const std::optional<std::vector<int64_t>> shape = ctx.input_ints(1);
  if (!shape) {
    RAMIEL_ASSIGN_OR_RETURN(auto target, ctx.input(1));
    std::vector<py::ExprPtr> args = {x, target};
    if (allowzero) args.push_back(py::int_lit(1));
    RAMIEL_ASSIGN_OR_RETURN(auto reshaped, helper_call(ctx, "onnx_reshape", std::move(args)));
    ctx.assign(reshaped);
    return ok_status();
  }
  // 0 copies the input's dimension (unless allowzero): spelled out when known.
  auto in = ctx.input_shape(0);
  std::vector<py::ExprPtr> dims;
  for (size_t i = 0; i < shape->size(); ++i) {
    const int64_t d = (*shape)[i];
    if (d == 0 && !allowzero) {
      if (in && i < in->size() && known((*in)[i])) {
        dims.push_back(py::int_lit((*in)[i]));
      } else {
        dims.push_back(py::subscript(py::attr(x, "shape"), py::int_lit(static_cast<int64_t>(i))));
      }
    } else {
      dims.push_back(py::int_lit(d));
    }
  }
  if (dims.empty()) dims.push_back(py::tuple({}));  // to a scalar: x.reshape(())
  ctx.assign(py::method(x, "reshape", std::move(dims)));
  return ok_status();
}

Status emit_flatten(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", 1));
  auto rank = ctx.input_rank(0);
  if (rank) {
    if (axis < -*rank || axis > *rank)
      return ctx.invalid("axis " + std::to_string(axis) + " is out of range");
    if (axis < 0) axis += *rank;
    if (axis == 1 && *rank >= 2) {
      ctx.assign(py::call(torch_fn("flatten"), {x, py::int_lit(1)}));
      return ok_status();
    }
    if (axis == 0) {
      ctx.assign(py::method(x, "reshape", {py::int_lit(1), py::int_lit(-1)}));
      return ok_status();
    }
    auto out = ctx.output_shape(0);
    if (out && out->size() == 2 && fully_known(*out)) {
      ctx.assign(py::method(x, "reshape", int_args(*out)));
      return ok_status();
    }
  }
  RAMIEL_ASSIGN_OR_RETURN(auto flat, helper_call(ctx, "onnx_flatten", {x, py::int_lit(axis)}));
  ctx.assign(flat);
  return ok_status();
}

Status emit_transpose(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto perm, ctx.ints_attr("perm"));
  if (!perm) {  // default: reverse the dimensions
    auto rank = ctx.input_rank(0);
    if (!rank) return ctx.unsupported("a transpose without perm of a tensor of unknown rank");
    perm.emplace();
    for (int64_t d = *rank - 1; d >= 0; --d) perm->push_back(d);
  }
  bool identity = true;
  for (size_t i = 0; i < perm->size(); ++i)
    identity = identity && (*perm)[i] == static_cast<int64_t>(i);
  if (identity) {
    ctx.assign(x);
    return ok_status();
  }
  ctx.assign(py::method(x, "permute", int_args(*perm)));
  return ok_status();
}

// The axes of Squeeze / Unsqueeze (input 1).
StatusOr<std::optional<std::vector<int64_t>>> squeeze_axes(EmitContext& ctx, bool& runtime) {
  runtime = false;
  if (!ctx.has_input(1)) return std::optional<std::vector<int64_t>>();
  auto axes = ctx.input_ints(1);
  if (!axes) runtime = true;
  return axes;
}

Status emit_squeeze(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  bool runtime = false;
  RAMIEL_ASSIGN_OR_RETURN(auto axes, squeeze_axes(ctx, runtime));
  auto rank = ctx.input_rank(0);
  if (runtime ||
      (axes && !rank && std::any_of(axes->begin(), axes->end(), [](int64_t a) { return a < 0; }))) {
    RAMIEL_ASSIGN_OR_RETURN(auto a, runtime ? ctx.input(1) : py::ints_list(*axes));
    RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, "onnx_squeeze", {x, a}));
    ctx.assign(y);
    return ok_status();
  }
  if (!axes || axes->empty()) {
    ctx.assign(py::method(x, "squeeze", {}));
    return ok_status();
  }
  std::vector<int64_t> dims = *axes;
  if (rank) {
    for (int64_t& d : dims) {
      RAMIEL_ASSIGN_OR_RETURN(d, normalize_axis(ctx, d, *rank));
    }
  }
  std::sort(dims.rbegin(), dims.rend());  // highest first, so the others keep their place
  py::ExprPtr y = x;
  for (int64_t d : dims) y = py::method(y, "squeeze", {py::int_lit(d)});
  ctx.assign(y);
  return ok_status();
}

Status emit_unsqueeze(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  bool runtime = false;
  RAMIEL_ASSIGN_OR_RETURN(auto axes, squeeze_axes(ctx, runtime));
  if (!runtime && !axes) return ctx.invalid("axes are missing");
  auto rank = ctx.input_rank(0);
  const bool negative =
      axes && std::any_of(axes->begin(), axes->end(), [](int64_t a) { return a < 0; });
  if (runtime || (negative && !rank)) {
    RAMIEL_ASSIGN_OR_RETURN(auto a, runtime ? ctx.input(1) : py::ints_list(*axes));
    RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, "onnx_unsqueeze", {x, a}));
    ctx.assign(y);
    return ok_status();
  }
  std::vector<int64_t> dims = *axes;
  if (rank) {  // axes index the output, whose rank grows by one per axis
    const int64_t out_rank = *rank + static_cast<int64_t>(dims.size());
    for (int64_t& d : dims) {
      RAMIEL_ASSIGN_OR_RETURN(d, normalize_axis(ctx, d, out_rank));
    }
  }
  std::sort(dims.begin(), dims.end());  // lowest first: each lands where the output wants it
  py::ExprPtr y = x;
  for (int64_t d : dims) y = py::method(y, "unsqueeze", {py::int_lit(d)});
  ctx.assign(y);
  return ok_status();
}

Status emit_concat(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", 0));
  if (!ctx.attributes().has("axis")) return ctx.invalid("attribute axis is missing");
  std::vector<py::ExprPtr> parts;
  for (size_t i = 0; i < ctx.node().num_inputs(); ++i) {
    RAMIEL_ASSIGN_OR_RETURN(auto part, ctx.input(i));
    parts.push_back(part);
  }
  ctx.assign(py::call(torch_fn("cat"), {py::list(std::move(parts))}, {{"dim", py::int_lit(axis)}}));
  return ok_status();
}

Status emit_split(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", 0));
  const auto n = static_cast<int64_t>(ctx.num_outputs());
  py::ExprPtr sizes;
  if (ctx.has_input(1)) {
    RAMIEL_ASSIGN_OR_RETURN(sizes, ints_or_tensor(ctx, 1));
    if (!ctx.input_ints(1)) {
      RAMIEL_ASSIGN_OR_RETURN(auto to_ints, ctx.helper("onnx_ints"));
      sizes = py::call(to_ints, {sizes});
    }
  }
  if (!sizes) {
    // No sizes given: equal parts (opset 18: the last may be smaller). The outputs' static
    // shapes say exactly how large each is.
    std::vector<int64_t> from_outputs;
    auto rank = ctx.input_rank(0);
    if (rank) {
      RAMIEL_ASSIGN_OR_RETURN(int64_t dim, normalize_axis(ctx, axis, *rank));
      for (int64_t i = 0; i < n; ++i) {
        auto shape = ctx.output_shape(static_cast<size_t>(i));
        if (!shape || static_cast<int64_t>(shape->size()) != *rank ||
            !known((*shape)[static_cast<size_t>(dim)])) {
          from_outputs.clear();
          break;
        }
        from_outputs.push_back((*shape)[static_cast<size_t>(dim)]);
      }
    }
    if (!from_outputs.empty()) {
      sizes = py::ints_list(from_outputs);
    } else {
      ctx.assign_outputs(
          static_cast<size_t>(n),
          py::call(torch_fn("tensor_split"), {x, py::int_lit(n)}, {{"dim", py::int_lit(axis)}}));
      return ok_status();
    }
  }
  ctx.assign_outputs(static_cast<size_t>(n),
                     py::call(torch_fn("split"), {x, sizes}, {{"dim", py::int_lit(axis)}}));
  return ok_status();
}

// Slices with positive steps read as Python subscripts: x[:, 1:3].
py::ExprPtr slice_bound(int64_t value, bool is_end) {
  constexpr int64_t kToTheEnd = (int64_t{1} << 31) - 1;  // exporters write INT_MAX or INT64_MAX
  if (!is_end && value == 0) return nullptr;
  if (is_end && value >= kToTheEnd) return nullptr;
  return py::int_lit(value);
}

Status emit_slice(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  std::optional<std::vector<int64_t>> starts = ctx.input_ints(1);
  std::optional<std::vector<int64_t>> ends = ctx.input_ints(2);
  std::optional<std::vector<int64_t>> axes, steps;
  if (ctx.has_input(3)) axes = ctx.input_ints(3);
  if (ctx.has_input(4)) steps = ctx.input_ints(4);
  const bool known_values =
      starts && ends && (axes || !ctx.has_input(3)) && (steps || !ctx.has_input(4));
  if (known_values) {
    const size_t count = starts->size();
    if (ends->size() != count || (axes && axes->size() != count) ||
        (steps && steps->size() != count)) {
      return ctx.invalid("starts, ends, axes and steps differ in length");
    }
    std::vector<int64_t> axis_list;
    for (size_t i = 0; i < count; ++i)
      axis_list.push_back(axes ? (*axes)[i] : static_cast<int64_t>(i));
    auto rank = ctx.input_rank(0);
    bool subscriptable = true;
    for (size_t i = 0; i < count; ++i) {
      if (steps && (*steps)[i] <= 0) subscriptable = false;
      if (axis_list[i] < 0) {
        if (!rank) {
          subscriptable = false;
        } else {
          RAMIEL_ASSIGN_OR_RETURN(axis_list[i], normalize_axis(ctx, axis_list[i], *rank));
        }
      }
    }
    if (subscriptable && count > 0) {
      const int64_t last = *std::max_element(axis_list.begin(), axis_list.end());
      std::vector<py::ExprPtr> index(static_cast<size_t>(last + 1), py::slice(nullptr, nullptr));
      for (size_t i = 0; i < count; ++i) {
        const int64_t step = steps ? (*steps)[i] : 1;
        index[static_cast<size_t>(axis_list[i])] =
            py::slice(slice_bound((*starts)[i], false), slice_bound((*ends)[i], true),
                      step == 1 ? nullptr : py::int_lit(step));
      }
      ctx.assign(py::subscript(x, index.size() == 1 ? index[0] : py::tuple(std::move(index))));
      return ok_status();
    }
  }
  // Negative steps, or bounds known only at run time: the helper.
  std::vector<py::ExprPtr> args = {x};
  for (size_t i = 1; i <= 4; ++i) {
    if (i >= 3 && !ctx.has_input(i)) {
      args.push_back(py::none());
      continue;
    }
    RAMIEL_ASSIGN_OR_RETURN(auto arg, ints_or_tensor(ctx, i));
    args.push_back(arg);
  }
  while (args.size() > 3 && args.back()->kind == py::ExprKind::kNone) args.pop_back();
  RAMIEL_ASSIGN_OR_RETURN(auto sliced, helper_call(ctx, "onnx_slice", std::move(args)));
  ctx.assign(sliced);
  return ok_status();
}

Status emit_gather(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", 0));
  auto indices = ctx.input_ints(1);
  const ir::TensorType* index_type = ctx.input_type(1);
  if (indices && index_type && index_type->shape && index_type->shape->empty()) {
    // One index: select drops the axis, as Gather with a scalar index does.
    ctx.assign(py::method(x, "select", {py::int_lit(axis), py::int_lit((*indices)[0])}));
    return ok_status();
  }
  RAMIEL_ASSIGN_OR_RETURN(auto index, ctx.input(1));
  if (indices && index_type && index_type->shape && index_type->shape->size() == 1 &&
      std::all_of(indices->begin(), indices->end(), [](int64_t i) { return i >= 0; })) {
    ctx.assign(py::call(torch_fn("index_select"), {x, py::int_lit(axis), index}));
    return ok_status();
  }
  RAMIEL_ASSIGN_OR_RETURN(auto gathered,
                          helper_call(ctx, "onnx_gather", {x, index, py::int_lit(axis)}));
  ctx.assign(gathered);
  return ok_status();
}

Status emit_expand(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  auto out = ctx.output_shape(0);
  if (out && fully_known(*out)) {  // the broadcast shape ONNX inferred
    ctx.assign(py::method(x, "expand",
                          out->empty() ? std::vector<py::ExprPtr>{py::tuple({})} : int_args(*out)));
    return ok_status();
  }
  RAMIEL_ASSIGN_OR_RETURN(auto shape, ints_or_tensor(ctx, 1));
  RAMIEL_ASSIGN_OR_RETURN(auto expanded, helper_call(ctx, "onnx_expand", {x, shape}));
  ctx.assign(expanded);
  return ok_status();
}

Status emit_tile(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  if (auto repeats = ctx.input_ints(1)) {
    ctx.assign(py::method(x, "repeat", int_args(*repeats)));
    return ok_status();
  }
  RAMIEL_ASSIGN_OR_RETURN(auto repeats, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto to_ints, ctx.helper("onnx_ints"));
  ctx.assign(py::method(x, "repeat", {py::call(to_ints, {repeats})}));
  return ok_status();
}

// Pad through onnx_pad: pads known only at run time, or edge / reflect on axes F.pad cannot
// pad that way.
Status emit_pad_at_run_time(EmitContext& ctx, py::ExprPtr x, const std::string& mode) {
  if (mode != "constant" && mode != "reflect" && mode != "edge") {
    return ctx.unsupported_attribute("mode", mode);
  }
  RAMIEL_ASSIGN_OR_RETURN(auto pads, ints_or_tensor(ctx, 1));
  std::vector<py::ExprPtr> args = {x, pads};
  if (mode != "constant") {
    args.push_back(py::str_lit(mode));
  } else if (ctx.has_input(2)) {
    RAMIEL_ASSIGN_OR_RETURN(auto value, ctx.scalar_or_input(2));
    args.push_back(py::str_lit(mode));
    args.push_back(value);
  }
  RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, "onnx_pad", std::move(args)));
  ctx.assign(y);
  return ok_status();
}

Status emit_pad(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(std::string mode, ctx.string_attr("mode", "constant"));
  if (ctx.has_input(3)) return ctx.unsupported("the axes input is not supported");
  const std::optional<std::vector<int64_t>> pads = ctx.input_ints(1);
  if (!pads) return emit_pad_at_run_time(ctx, x, mode);
  py::ExprPtr value;
  if (ctx.has_input(2)) {
    RAMIEL_ASSIGN_OR_RETURN(value, ctx.scalar_or_input(2));
    if (value->kind != py::ExprKind::kInt && value->kind != py::ExprKind::kFloat) {
      value = py::method(value, "item", {});
    }
  }
  if (!pads || pads->size() % 2 != 0)
    return ctx.invalid("pads must list a begin and an end per axis");
  const size_t n = pads->size() / 2;
  std::vector<int64_t> torch_pads;  // last axis first; axes before the first padded one left out
  size_t first_padded = n;
  for (size_t i = 0; i < n; ++i) {
    if ((*pads)[i] != 0 || (*pads)[i + n] != 0) {
      first_padded = i;
      break;
    }
  }
  for (size_t i = n; i-- > first_padded;) {
    torch_pads.push_back((*pads)[i]);
    torch_pads.push_back((*pads)[i + n]);
  }
  if (torch_pads.empty()) {
    ctx.assign(x);
    return ok_status();
  }
  py::Keywords keywords;
  if (mode == "constant") {
    if (value) keywords.emplace_back("value", value);
  } else if (mode == "reflect" || mode == "edge") {
    // torch pads only the last 1-3 axes of float32 / float64 tensors this way, never the first
    // two.
    const size_t padded = n - first_padded;
    if (first_padded < 2 || padded > 3 || !input_is_float32_or_64(ctx, 0)) {
      return emit_pad_at_run_time(ctx, x, mode);
    }
    keywords.emplace_back("mode", py::str_lit(mode == "edge" ? "replicate" : "reflect"));
  } else {
    return ctx.unsupported_attribute("mode", mode);
  }
  ctx.assign(py::call(nn_fn("pad"), {x, py::ints_tuple(torch_pads)}, std::move(keywords)));
  return ok_status();
}

Status emit_shape(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  py::ExprPtr dims = py::attr(x, "shape");
  const bool has_start = ctx.attributes().has("start");
  const bool has_end = ctx.attributes().has("end");
  if (has_start || has_end) {
    RAMIEL_ASSIGN_OR_RETURN(int64_t start, ctx.int_attr("start", 0));
    RAMIEL_ASSIGN_OR_RETURN(int64_t end, ctx.int_attr("end", 0));
    dims = py::subscript(dims, py::slice(start ? py::int_lit(start) : nullptr,
                                         has_end ? py::int_lit(end) : nullptr));
  }
  ctx.assign(py::call(torch_fn("tensor"), {dims}, {{"dtype", py::dotted("torch.int64")}}));
  return ok_status();
}

Status emit_size(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  ctx.assign(py::call(torch_fn("tensor"), {py::method(x, "numel", {})},
                      {{"dtype", py::dotted("torch.int64")}}));
  return ok_status();
}

// Dropout in training mode (training_mode true, or read at run time): onnx_dropout draws the
// mask (random, unless the ratio is 0).
Status emit_training_dropout(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  std::vector<py::ExprPtr> args = {x, py::float_lit(0.5)};  // ratio 0.5 unless given
  if (ctx.has_input(1)) {
    RAMIEL_ASSIGN_OR_RETURN(args[1], ctx.scalar_or_input(1));
  }
  RAMIEL_ASSIGN_OR_RETURN(auto training, ctx.scalar_or_input(2));
  args.push_back(training);
  py::Keywords keywords;
  if (ctx.attributes().has("seed")) {
    RAMIEL_ASSIGN_OR_RETURN(int64_t seed, ctx.int_attr("seed", 0));
    keywords.emplace_back("seed", py::int_lit(seed));
  }
  RAMIEL_ASSIGN_OR_RETURN(auto both,
                          helper_call(ctx, "onnx_dropout", std::move(args), std::move(keywords)));
  const size_t n = std::min<size_t>(ctx.num_outputs(), 2);
  ctx.assign_outputs(n, n == 2 ? both : py::subscript(both, py::slice(nullptr, py::int_lit(1))));
  return ok_status();
}

Status emit_dropout(EmitContext& ctx) {
  if (ctx.has_input(2)) {
    auto training = ctx.input_ints(2);
    if (!training || (!training->empty() && (*training)[0] != 0)) {
      return emit_training_dropout(ctx);
    }
  }
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  ctx.assign(x);  // inference: dropout passes everything
  if (ctx.num_outputs() > 1 && ctx.output_used(1)) {
    ctx.assign_output(1,
                      py::call(torch_fn("ones_like"), {x}, {{"dtype", py::dotted("torch.bool")}}));
  }
  return ok_status();
}

}  // namespace

void register_shape(EmitterTable& table) {
  set(table, OpKind::Reshape, emit_reshape);
  set(table, OpKind::Flatten, emit_flatten);
  set(table, OpKind::Transpose, emit_transpose);
  set(table, OpKind::Squeeze, emit_squeeze);
  set(table, OpKind::Unsqueeze, emit_unsqueeze);
  set(table, OpKind::Concat, emit_concat);
  set(table, OpKind::Split, emit_split);
  set(table, OpKind::Slice, emit_slice);
  set(table, OpKind::Gather, emit_gather);
  set(table, OpKind::Expand, emit_expand);
  set(table, OpKind::Tile, emit_tile);
  set(table, OpKind::Pad, emit_pad);
  set(table, OpKind::Shape, emit_shape);
  set(table, OpKind::Size, emit_size);
  set(table, OpKind::Dropout, emit_dropout);
}

}  // namespace ramiel::codegen::emitters
