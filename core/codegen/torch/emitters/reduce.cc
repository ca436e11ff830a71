// Reductions: ReduceMean / Sum / Max / Min / Prod / L1 / L2 / SumSquare / LogSum / LogSumExp,
// ArgMax and ArgMin.
#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

// The reduced axes (input 1). nullopt: all axes. Axes read at run time from a tensor of known
// length set `runtime` to their expression (an empty tensor is no axes).
StatusOr<std::optional<std::vector<int64_t>>> reduce_axes(EmitContext& ctx, py::ExprPtr& runtime) {
  if (!ctx.has_input(1)) return std::optional<std::vector<int64_t>>();
  auto axes = ctx.input_ints(1);
  if (axes) return std::optional<std::vector<int64_t>>(*axes);
  auto shape = ctx.input_shape(1);
  if (!shape || shape->size() != 1 || !known((*shape)[0])) {
    return ctx.unsupported("axes computed at run time, of unknown count, are not supported");
  }
  if ((*shape)[0] == 0) return std::optional<std::vector<int64_t>>();
  if (ctx.node().op() == OpKind::ReduceProd) {
    return ctx.unsupported("axes computed at run time are not supported");
  }
  RAMIEL_ASSIGN_OR_RETURN(auto tensor, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(runtime, helper_call(ctx, "onnx_ints", {tensor}));
  return std::optional<std::vector<int64_t>>(std::vector<int64_t>{});
}

Status emit_reduce(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  py::ExprPtr runtime_dims;
  RAMIEL_ASSIGN_OR_RETURN(auto axes, reduce_axes(ctx, runtime_dims));
  RAMIEL_ASSIGN_OR_RETURN(int64_t keepdims, ctx.int_attr("keepdims", 1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t noop, ctx.int_attr("noop_with_empty_axes", 0));
  if ((!axes || axes->empty()) && noop && !runtime_dims) {
    ctx.assign(x);
    return ok_status();
  }
  auto rank = ctx.input_rank(0);
  std::vector<int64_t> dims;
  if (runtime_dims) {
    // dims stays empty: only ReduceProd reads it, and it refuses run-time axes above.
  } else if (axes && !axes->empty()) {
    dims = *axes;
    if (rank) {
      for (int64_t& d : dims) {
        RAMIEL_ASSIGN_OR_RETURN(d, normalize_axis(ctx, d, *rank));
      }
    }
  } else {
    if (!rank) return ctx.unsupported("reducing every axis of a tensor of unknown rank");
    for (int64_t d = 0; d < *rank; ++d) dims.push_back(d);
  }
  py::Keywords keywords = {{"dim", runtime_dims ? runtime_dims : py::ints_tuple(dims)},
                           {"keepdim", py::bool_lit(keepdims != 0)}};
  auto reduce = [&](const char* function, py::ExprPtr operand) {
    return py::call(torch_fn(function), {std::move(operand)}, keywords);
  };
  switch (ctx.node().op()) {
    case OpKind::ReduceMean:
      ctx.assign(reduce("mean", x));
      break;
    case OpKind::ReduceSum:
      ctx.assign(reduce("sum", x));
      break;
    case OpKind::ReduceMax:
      ctx.assign(reduce("amax", x));
      break;
    case OpKind::ReduceMin:
      ctx.assign(reduce("amin", x));
      break;
    case OpKind::ReduceL1:
      ctx.assign(reduce("sum", py::call(torch_fn("abs"), {x})));
      break;
    case OpKind::ReduceL2:
      ctx.assign(py::call(torch_fn("sqrt"), {reduce("sum", py::binop("*", x, x))}));
      break;
    case OpKind::ReduceSumSquare:
      ctx.assign(reduce("sum", py::binop("*", x, x)));
      break;
    case OpKind::ReduceLogSum:
      ctx.assign(py::call(torch_fn("log"), {reduce("sum", x)}));
      break;
    case OpKind::ReduceLogSumExp:
      ctx.assign(reduce("logsumexp", x));
      break;
    case OpKind::ReduceProd: {
      // torch.prod takes one dim at a time; reduce the highest first so the others stay put.
      py::ExprPtr y = x;
      for (size_t i = dims.size(); i-- > 0;) {
        y = py::call(torch_fn("prod"), {y},
                     {{"dim", py::int_lit(dims[i])}, {"keepdim", py::bool_lit(keepdims != 0)}});
      }
      ctx.assign(y);
      break;
    }
    default:
      return ctx.unsupported("not a reduction");
  }
  return ok_status();
}

Status emit_arg_reduce(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", 0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t keepdims, ctx.int_attr("keepdims", 1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t last, ctx.int_attr("select_last_index", 0));
  const char* function = ctx.node().op() == OpKind::ArgMax ? "argmax" : "argmin";
  const py::Keywords keywords = {{"dim", py::int_lit(axis)},
                                 {"keepdim", py::bool_lit(keepdims != 0)}};
  if (!last) {
    ctx.assign(py::call(torch_fn(function), {x}, keywords));
    return ok_status();
  }
  // The last of equal extremes: the first one of the flipped axis, counted from the end.
  auto flipped = py::call(torch_fn("flip"), {x, py::ints_list({axis})});
  auto size = py::subscript(py::attr(x, "shape"), py::int_lit(axis));
  ctx.assign(py::binop("-", py::binop("-", size, py::int_lit(1)),
                       py::call(torch_fn(function), {flipped}, keywords)));
  return ok_status();
}

}  // namespace

void register_reduce(EmitterTable& table) {
  for (OpKind op : {OpKind::ReduceMean, OpKind::ReduceSum, OpKind::ReduceMax, OpKind::ReduceMin,
                    OpKind::ReduceProd, OpKind::ReduceL1, OpKind::ReduceL2, OpKind::ReduceSumSquare,
                    OpKind::ReduceLogSum, OpKind::ReduceLogSumExp}) {
    set(table, op, emit_reduce);
  }
  set(table, OpKind::ArgMax, emit_arg_reduce);
  set(table, OpKind::ArgMin, emit_arg_reduce);
}

}  // namespace ramiel::codegen::emitters
