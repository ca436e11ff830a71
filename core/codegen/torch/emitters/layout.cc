// Ops that move elements between the channel and spatial axes: DepthToSpace, SpaceToDepth.
// Both are a reshape, a permutation and a reshape of a 4-d tensor of known shape.
#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

py::ExprPtr reshape(py::ExprPtr x, const std::vector<int64_t>& dims) {
  std::vector<py::ExprPtr> args;
  for (int64_t d : dims) args.push_back(py::int_lit(d));
  return py::method(std::move(x), "reshape", std::move(args));
}

py::ExprPtr permute(py::ExprPtr x, const std::vector<int64_t>& order) {
  std::vector<py::ExprPtr> args;
  for (int64_t d : order) args.push_back(py::int_lit(d));
  return py::method(std::move(x), "permute", std::move(args));
}

// The input's (N, C, H, W) and the block size, checked.
StatusOr<std::vector<int64_t>> nchw_and_block(const EmitContext& ctx, int64_t& block) {
  RAMIEL_ASSIGN_OR_RETURN(block, ctx.int_attr("blocksize", 0));
  if (block < 1) return ctx.invalid("attribute blocksize must be positive");
  auto shape = ctx.input_shape(0);
  if (!shape || shape->size() != 4 || !fully_known(*shape)) {
    return ctx.unsupported("inputs other than 4-d tensors of known shape");
  }
  return std::vector<int64_t>(shape->begin(), shape->end());
}

Status emit_depth_to_space(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  int64_t b = 0;
  RAMIEL_ASSIGN_OR_RETURN(auto s, nchw_and_block(ctx, b));
  RAMIEL_ASSIGN_OR_RETURN(std::string mode, ctx.string_attr("mode", "DCR"));
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  if (c % (b * b) != 0) return ctx.invalid("channels are not a multiple of blocksize^2");
  const int64_t depth = c / (b * b);
  if (mode == "CRD") {  // column, row, depth: torch's pixel shuffle
    ctx.assign(py::call(nn_fn("pixel_shuffle"), {x, py::int_lit(b)}));
    return ok_status();
  }
  if (mode != "DCR") return ctx.unsupported_attribute("mode", mode);
  auto blocks = permute(reshape(x, {n, b, b, depth, h, w}), {0, 3, 4, 1, 5, 2});
  ctx.assign(reshape(blocks, {n, depth, h * b, w * b}));
  return ok_status();
}

Status emit_space_to_depth(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  int64_t b = 0;
  RAMIEL_ASSIGN_OR_RETURN(auto s, nchw_and_block(ctx, b));
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  if (h % b != 0 || w % b != 0) return ctx.invalid("spatial dims are not multiples of blocksize");
  auto blocks = permute(reshape(x, {n, c, h / b, b, w / b, b}), {0, 3, 5, 1, 2, 4});
  ctx.assign(reshape(blocks, {n, c * b * b, h / b, w / b}));
  return ok_status();
}

}  // namespace

void register_layout(EmitterTable& table) {
  set(table, OpKind::DepthToSpace, emit_depth_to_space);
  set(table, OpKind::SpaceToDepth, emit_space_to_depth);
}

}  // namespace ramiel::codegen::emitters
