// Detection ops: NonMaxSuppression and RoiAlign through runtime/helpers_detection.py.
#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

Status emit_non_max_suppression(EmitContext& ctx) {
  std::vector<py::ExprPtr> args;
  for (size_t i = 0; i < 5; ++i) {
    RAMIEL_ASSIGN_OR_RETURN(auto operand, i < 2 ? ctx.input(i) : ctx.input_or_none(i));
    args.push_back(operand);
  }
  while (args.size() > 2 && args.back()->kind == py::ExprKind::kNone) args.pop_back();
  RAMIEL_ASSIGN_OR_RETURN(int64_t center, ctx.int_attr("center_point_box", 0));
  if (center != 0 && center != 1) {
    return ctx.unsupported_attribute("center_point_box", std::to_string(center));
  }
  py::Keywords keywords;
  if (center) keywords.emplace_back("center_point_box", py::int_lit(1));
  RAMIEL_ASSIGN_OR_RETURN(
      auto y, helper_call(ctx, "onnx_non_max_suppression", std::move(args), std::move(keywords)));
  ctx.assign(y);
  return ok_status();
}

Status emit_roi_align(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto rois, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto batch_indices, ctx.input(2));
  RAMIEL_ASSIGN_OR_RETURN(std::string mode, ctx.string_attr("mode", "avg"));
  if (mode != "avg" && mode != "max") return ctx.unsupported_attribute("mode", mode);
  // Opset 16's default; the import spells out older opsets' output_half_pixel.
  RAMIEL_ASSIGN_OR_RETURN(std::string transform,
                          ctx.string_attr("coordinate_transformation_mode", "half_pixel"));
  if (transform != "half_pixel" && transform != "output_half_pixel") {
    return ctx.unsupported_attribute("coordinate_transformation_mode", transform);
  }
  RAMIEL_ASSIGN_OR_RETURN(int64_t height, ctx.int_attr("output_height", 1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t width, ctx.int_attr("output_width", 1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t sampling, ctx.int_attr("sampling_ratio", 0));
  RAMIEL_ASSIGN_OR_RETURN(float scale, ctx.float_attr("spatial_scale", 1.0f));
  RAMIEL_ASSIGN_OR_RETURN(auto y,
                          helper_call(ctx, "onnx_roi_align", {x, rois, batch_indices},
                                      {{"output_height", py::int_lit(height)},
                                       {"output_width", py::int_lit(width)},
                                       {"sampling_ratio", py::int_lit(sampling)},
                                       {"spatial_scale", py::float32_lit(scale)},
                                       {"mode", py::str_lit(mode)},
                                       {"half_pixel", py::bool_lit(transform == "half_pixel")}}));
  ctx.assign(y);
  return ok_status();
}

}  // namespace

void register_detection(EmitterTable& table) {
  set(table, OpKind::NonMaxSuppression, emit_non_max_suppression);
  set(table, OpKind::RoiAlign, emit_roi_align);
}

}  // namespace ramiel::codegen::emitters
