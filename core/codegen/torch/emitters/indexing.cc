// Indexing ops: GatherElements, GatherND, Scatter, ScatterElements, ScatterND, OneHot,
// Compress, NonZero, TopK, Unique, ReverseSequence, Trilu, EyeLike. Most go through
// runtime/helpers_indexing.py, which handles negative indices the way ONNX defines them.
#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

// GatherElements (int attribute axis) and GatherND (batch_dims): helper(x, indices, attribute).
Status emit_gather_by_index(EmitContext& ctx) {
  const bool nd = ctx.node().op() == OpKind::GatherND;
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto indices, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t attribute, ctx.int_attr(nd ? "batch_dims" : "axis", 0));
  RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, nd ? "onnx_gather_nd" : "onnx_gather_elements",
                                              {x, indices, py::int_lit(attribute)}));
  ctx.assign(y);
  return ok_status();
}

// The reduction attribute of ScatterElements / ScatterND (opset 16: add, mul; 18: max, min).
StatusOr<std::string> scatter_reduction(const EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(std::string reduction, ctx.string_attr("reduction", "none"));
  if (reduction != "none" && reduction != "add" && reduction != "mul" && reduction != "max" &&
      reduction != "min") {
    return ctx.unsupported_attribute("reduction", reduction);
  }
  return reduction;
}

// ScatterElements and Scatter (along an axis) and ScatterND (by index tuples).
Status emit_scatter(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto indices, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto updates, ctx.input(2));
  RAMIEL_ASSIGN_OR_RETURN(std::string reduction, scatter_reduction(ctx));
  const bool nd = ctx.node().op() == OpKind::ScatterND;
  std::vector<py::ExprPtr> args = {x, indices, updates};
  if (!nd) {
    RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", 0));
    args.push_back(py::int_lit(axis));
  }
  if (reduction != "none") args.push_back(py::str_lit(reduction));
  RAMIEL_ASSIGN_OR_RETURN(
      auto y, helper_call(ctx, nd ? "onnx_scatter_nd" : "onnx_scatter_elements", std::move(args)));
  ctx.assign(y);
  return ok_status();
}

Status emit_one_hot(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto indices, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto depth, ctx.scalar_or_input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto values, ctx.input(2));
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", -1));
  RAMIEL_ASSIGN_OR_RETURN(
      auto y, helper_call(ctx, "onnx_one_hot", {indices, depth, values, py::int_lit(axis)}));
  ctx.assign(y);
  return ok_status();
}

Status emit_compress(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto condition, ctx.input(1));
  std::vector<py::ExprPtr> args = {x, condition};
  if (ctx.attributes().has("axis")) {
    RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", 0));
    args.push_back(py::int_lit(axis));
  }
  RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, "onnx_compress", std::move(args)));
  ctx.assign(y);
  return ok_status();
}

Status emit_nonzero(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  // torch lists one row per element found; ONNX one row per dimension.
  ctx.assign(py::method(py::call(torch_fn("nonzero"), {x}), "t", {}));
  return ok_status();
}

Status emit_topk(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr k, int_input(ctx, 1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", -1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t largest, ctx.int_attr("largest", 1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t sorted, ctx.int_attr("sorted", 1));
  py::Keywords keywords = {{"dim", py::int_lit(axis)}};
  if (!largest) keywords.emplace_back("largest", py::bool_lit(false));
  if (!sorted) keywords.emplace_back("sorted", py::bool_lit(false));
  ctx.assign_outputs(2, py::call(torch_fn("topk"), {x, k}, std::move(keywords)));
  return ok_status();
}

Status emit_unique(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t sorted, ctx.int_attr("sorted", 1));
  py::ExprPtr axis = py::none();
  if (ctx.attributes().has("axis")) {
    RAMIEL_ASSIGN_OR_RETURN(int64_t value, ctx.int_attr("axis", 0));
    axis = py::int_lit(value);
  }
  RAMIEL_ASSIGN_OR_RETURN(auto all,
                          helper_call(ctx, "onnx_unique", {x, axis, py::bool_lit(sorted != 0)}));
  const size_t n = ctx.num_outputs();
  if (n < 4) all = py::subscript(all, py::slice(nullptr, py::int_lit(static_cast<int64_t>(n))));
  ctx.assign_outputs(n, all);
  return ok_status();
}

Status emit_reverse_sequence(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto lengths, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t batch_axis, ctx.int_attr("batch_axis", 1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t time_axis, ctx.int_attr("time_axis", 0));
  RAMIEL_ASSIGN_OR_RETURN(
      auto y, helper_call(ctx, "onnx_reverse_sequence",
                          {x, lengths, py::int_lit(batch_axis), py::int_lit(time_axis)}));
  ctx.assign(y);
  return ok_status();
}

Status emit_trilu(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t upper, ctx.int_attr("upper", 1));
  py::Keywords keywords;
  if (ctx.has_input(1)) {
    RAMIEL_ASSIGN_OR_RETURN(auto k, int_input(ctx, 1));
    keywords.emplace_back("diagonal", k);
  }
  ctx.assign(py::call(torch_fn(upper ? "triu" : "tril"), {x}, std::move(keywords)));
  return ok_status();
}

Status emit_eye_like(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t k, ctx.int_attr("k", 0));
  RAMIEL_ASSIGN_OR_RETURN(auto dtype, ctx.dtype(ctx.output_type(0).dtype));
  RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, "onnx_eye_like", {x, py::int_lit(k), dtype}));
  ctx.assign(y);
  return ok_status();
}

}  // namespace

void register_indexing(EmitterTable& table) {
  set(table, OpKind::GatherElements, emit_gather_by_index);
  set(table, OpKind::GatherND, emit_gather_by_index);
  set(table, OpKind::Scatter, emit_scatter);
  set(table, OpKind::ScatterElements, emit_scatter);
  set(table, OpKind::ScatterND, emit_scatter);
  set(table, OpKind::OneHot, emit_one_hot);
  set(table, OpKind::Compress, emit_compress);
  set(table, OpKind::NonZero, emit_nonzero);
  set(table, OpKind::TopK, emit_topk);
  set(table, OpKind::Unique, emit_unique);
  set(table, OpKind::ReverseSequence, emit_reverse_sequence);
  set(table, OpKind::Trilu, emit_trilu);
  set(table, OpKind::EyeLike, emit_eye_like);
}

}  // namespace ramiel::codegen::emitters
