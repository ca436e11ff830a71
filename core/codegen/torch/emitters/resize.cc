// Resampling: Resize (opsets 10-13), Upsample (7-9) and GridSample. Resizes torch's
// F.interpolate computes exactly as ONNX defines them become that call; every other mode,
// coordinate transformation and rounding goes through onnx_resize (runtime/helpers_resize.py),
// which follows ONNX's reference index math.
#include <algorithm>

#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

// What a Resize / Upsample node asks for, attributes and inputs read.
struct ResizeSpec {
  std::string mode = "nearest";
  std::string transform = "half_pixel";
  std::string nearest = "round_prefer_floor";
  float cubic_a = -0.75f;
  int64_t exclude_outside = 0;
  float extrapolation = 0.0f;
  // Known at compile time (empty when absent or read at run time):
  std::vector<double> scales;
  std::vector<int64_t> sizes;
  // Inputs, when given (null otherwise).
  std::optional<size_t> scales_input, sizes_input, roi_input;
};

// Whether input i is present and not an empty tensor (opset 11 writes "" or an empty constant
// for the scales it does not use).
bool given(const EmitContext& ctx, size_t i) {
  if (!ctx.has_input(i)) return false;
  auto shape = ctx.input_shape(i);
  return !(shape && shape->size() == 1 && (*shape)[0] == 0);
}

StatusOr<ResizeSpec> read_resize(EmitContext& ctx) {
  ResizeSpec spec;
  RAMIEL_ASSIGN_OR_RETURN(spec.mode, ctx.string_attr("mode", "nearest"));
  if (spec.mode != "nearest" && spec.mode != "linear" && spec.mode != "cubic" &&
      spec.mode != "bilinear") {
    return ctx.unsupported_attribute("mode", spec.mode);
  }
  if (spec.mode == "bilinear") spec.mode = "linear";  // Upsample-7's name for it
  // Upsample (Resize-10 included: the import renames it) had no attributes for these yet:
  // ONNX Runtime's behaviour of the time.
  if (ctx.node().op() == OpKind::Upsample) {
    spec.transform = "asymmetric";
    spec.nearest = "simple";
    if (spec.mode == "cubic") return ctx.unsupported_attribute("mode", spec.mode);
    spec.scales_input = 1;
  } else {
    RAMIEL_ASSIGN_OR_RETURN(spec.transform,
                            ctx.string_attr("coordinate_transformation_mode", "half_pixel"));
    RAMIEL_ASSIGN_OR_RETURN(spec.nearest, ctx.string_attr("nearest_mode", "round_prefer_floor"));
    RAMIEL_ASSIGN_OR_RETURN(spec.cubic_a, ctx.float_attr("cubic_coeff_a", -0.75f));
    RAMIEL_ASSIGN_OR_RETURN(spec.exclude_outside, ctx.int_attr("exclude_outside", 0));
    RAMIEL_ASSIGN_OR_RETURN(spec.extrapolation, ctx.float_attr("extrapolation_value", 0.0f));
    static const char* const kTransforms[] = {"half_pixel",
                                              "pytorch_half_pixel",
                                              "align_corners",
                                              "asymmetric",
                                              "tf_half_pixel_for_nn",
                                              "tf_crop_and_resize",
                                              "tf_half_pixel_for_nearest"};
    if (std::find(std::begin(kTransforms), std::end(kTransforms), spec.transform) ==
        std::end(kTransforms)) {
      return ctx.unsupported_attribute("coordinate_transformation_mode", spec.transform);
    }
    if (spec.nearest != "round_prefer_floor" && spec.nearest != "round_prefer_ceil" &&
        spec.nearest != "floor" && spec.nearest != "ceil") {
      return ctx.unsupported_attribute("nearest_mode", spec.nearest);
    }
    if (given(ctx, 3)) {
      spec.sizes_input = 3;
    } else if (given(ctx, 2)) {
      spec.scales_input = 2;
    } else {
      return ctx.invalid("needs scales or sizes");
    }
    if (spec.transform == "tf_crop_and_resize") {
      if (!given(ctx, 1)) return ctx.invalid("tf_crop_and_resize needs the roi input");
      spec.roi_input = 1;
    }
  }
  if (spec.scales_input) {
    if (const ir::Tensor* data = ctx.input_data(*spec.scales_input))
      spec.scales = data->to_double();
  }
  if (spec.sizes_input) {
    if (auto sizes = ctx.input_ints(*spec.sizes_input)) spec.sizes = *sizes;
  }
  return spec;
}

// F.interpolate(x, ...) when torch computes this resize exactly as ONNX does: a known scale
// or size for every axis, batch and channels unscaled, and a mode / transformation torch has.
std::optional<py::ExprPtr> as_interpolate(const EmitContext& ctx, const ResizeSpec& spec,
                                          const py::ExprPtr& x) {
  auto rank = ctx.input_rank(0);
  const size_t count = spec.sizes.empty() ? spec.scales.size() : spec.sizes.size();
  if (!rank || *rank < 3 || *rank > 5 || count != static_cast<size_t>(*rank)) return std::nullopt;
  auto in = ctx.input_shape(0);
  auto out = ctx.output_shape(0);
  if (!in || !out || !fully_known(*in) || !fully_known(*out)) return std::nullopt;
  for (size_t i = 0; i < 2; ++i) {
    if ((*in)[i] != (*out)[i] || (!spec.scales.empty() && spec.scales[i] != 1.0)) {
      return std::nullopt;
    }
  }
  bool every_output_above_one = true;
  for (size_t i = 2; i < out->size(); ++i) every_output_above_one &= (*out)[i] > 1;
  py::Keywords keywords;
  std::string mode;
  if (spec.mode == "nearest") {
    const bool floors = spec.nearest == "floor" || spec.nearest == "simple";
    bool growing = true;
    for (size_t i = 2; i < out->size(); ++i) growing &= (*out)[i] >= (*in)[i];
    if (spec.transform != "asymmetric" || !floors || (spec.nearest == "simple" && !growing)) {
      return std::nullopt;
    }
    mode = "nearest";
  } else {
    const bool half_pixel = spec.transform == "half_pixel" ||
                            (spec.transform == "pytorch_half_pixel" && every_output_above_one);
    // align_corners maps onto ONNX's output width scale * size, which torch's integer size
    // matches only when the product is a whole number.
    bool whole_widths = true;
    for (size_t i = 2; i < spec.scales.size(); ++i) {
      whole_widths &=
          spec.scales[i] * static_cast<double>((*in)[i]) == static_cast<double>((*out)[i]);
    }
    const bool corners = spec.transform == "align_corners" && whole_widths;
    if (!half_pixel && !corners) return std::nullopt;
    if (spec.mode == "linear") {
      mode = *rank == 3 ? "linear" : *rank == 4 ? "bilinear" : "trilinear";
    } else {
      if (*rank != 4 || spec.cubic_a != -0.75f || spec.exclude_outside) return std::nullopt;
      mode = "bicubic";
    }
    keywords.emplace_back("align_corners", py::bool_lit(corners));
  }
  py::Keywords how;
  if (!spec.sizes.empty()) {
    how.emplace_back("size", int_or_tuple(std::vector<int64_t>(out->begin() + 2, out->end())));
  } else {
    std::vector<py::ExprPtr> factors;
    for (size_t i = 2; i < spec.scales.size(); ++i)
      factors.push_back(py::float_lit(spec.scales[i]));
    how.emplace_back("scale_factor", factors.size() == 1 ? factors[0] : py::tuple(factors));
  }
  how.emplace_back("mode", py::str_lit(mode));
  how.insert(how.end(), keywords.begin(), keywords.end());
  return py::call(nn_fn("interpolate"), {x}, std::move(how));
}

Status emit_resize(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(ResizeSpec spec, read_resize(ctx));
  if (auto call = as_interpolate(ctx, spec, x)) {
    ctx.assign(*call);
    return ok_status();
  }
  std::vector<py::ExprPtr> args = {x};
  if (!spec.scales.empty() && spec.sizes.empty() && !spec.sizes_input) {
    std::vector<py::ExprPtr> factors;
    for (double s : spec.scales) factors.push_back(py::float_lit(s));
    args.push_back(py::list(std::move(factors)));
  } else if (spec.scales_input && !spec.sizes_input) {
    RAMIEL_ASSIGN_OR_RETURN(auto scales, ctx.input(*spec.scales_input));
    args.push_back(scales);
  } else {
    args.push_back(py::none());
  }
  py::Keywords keywords;
  if (!spec.sizes.empty()) {
    keywords.emplace_back("sizes", py::ints_list(spec.sizes));
  } else if (spec.sizes_input) {
    RAMIEL_ASSIGN_OR_RETURN(auto sizes, ctx.input(*spec.sizes_input));
    keywords.emplace_back("sizes", sizes);
  }
  if (spec.roi_input) {
    RAMIEL_ASSIGN_OR_RETURN(auto roi, ctx.input(*spec.roi_input));
    keywords.emplace_back("roi", roi);
  }
  if (spec.mode != "nearest") keywords.emplace_back("mode", py::str_lit(spec.mode));
  if (spec.transform != "half_pixel") {
    keywords.emplace_back("transform", py::str_lit(spec.transform));
  }
  if (spec.mode == "nearest" && spec.nearest != "round_prefer_floor") {
    keywords.emplace_back("nearest", py::str_lit(spec.nearest));
  }
  if (spec.mode == "cubic" && spec.cubic_a != -0.75f) {
    keywords.emplace_back("cubic_a", py::float32_lit(spec.cubic_a));
  }
  if (spec.exclude_outside) keywords.emplace_back("exclude_outside", py::int_lit(1));
  if (spec.transform == "tf_crop_and_resize" && spec.extrapolation != 0.0f) {
    keywords.emplace_back("extrapolation", py::float32_lit(spec.extrapolation));
  }
  RAMIEL_ASSIGN_OR_RETURN(auto y,
                          helper_call(ctx, "onnx_resize", std::move(args), std::move(keywords)));
  ctx.assign(y);
  return ok_status();
}

Status emit_grid_sample(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto grid, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(std::string mode, ctx.string_attr("mode", "bilinear"));
  RAMIEL_ASSIGN_OR_RETURN(std::string padding, ctx.string_attr("padding_mode", "zeros"));
  RAMIEL_ASSIGN_OR_RETURN(int64_t align_corners, ctx.int_attr("align_corners", 0));
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic") {
    return ctx.unsupported_attribute("mode", mode);
  }
  if (padding != "zeros" && padding != "border" && padding != "reflection") {
    return ctx.unsupported_attribute("padding_mode", padding);
  }
  auto rank = ctx.input_rank(0);
  if (!rank || *rank != 4) return ctx.unsupported("grid sampling of other than 4-d inputs");
  // ONNX modelled GridSample on torch's: the same modes, paddings and corner alignment.
  ctx.assign(py::call(nn_fn("grid_sample"), {x, grid},
                      {{"mode", py::str_lit(mode)},
                       {"padding_mode", py::str_lit(padding)},
                       {"align_corners", py::bool_lit(align_corners != 0)}}));
  return ok_status();
}

}  // namespace

void register_resize(EmitterTable& table) {
  set(table, OpKind::Resize, emit_resize);
  set(table, OpKind::Upsample, emit_resize);
  set(table, OpKind::GridSample, emit_grid_sample);
}

}  // namespace ramiel::codegen::emitters
