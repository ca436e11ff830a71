// Matrix products: MatMul, Gemm, Einsum.
#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

Status emit_matmul(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto a, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto b, ctx.input(1));
  ctx.assign(py::call(torch_fn("matmul"), {a, b}));
  return ok_status();
}

// A fully connected layer at batch 1, A of shape (1, in): a matrix-vector product. PyTorch 1.13
// sends F.linear with one row to a general GEMM, which reads a classifier's weights 2-3x slower
// than torch.mv's GEMV (2048 -> 1000 at 2 threads, weights out of cache: 780 against 260 us).
bool is_single_row(const EmitContext& ctx) {
  auto shape = ctx.input_shape(0);
  return input_is_float32_or_64(ctx, 0) && shape && shape->size() == 2 && (*shape)[0] == 1;
}

// Y = alpha * A' B' + beta * C, with A' and B' optionally transposed.
Status emit_gemm(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto a, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto b, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t trans_a, ctx.int_attr("transA", 0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t trans_b, ctx.int_attr("transB", 0));
  RAMIEL_ASSIGN_OR_RETURN(float alpha, ctx.float_attr("alpha", 1.0f));
  RAMIEL_ASSIGN_OR_RETURN(float beta, ctx.float_attr("beta", 1.0f));
  const bool has_c = ctx.has_input(2) && beta != 0.0f;
  auto c_rank = ctx.input_rank(2);
  // A fully connected layer: F.linear takes B as (out, in) and a bias vector.
  if (!trans_a && trans_b && alpha == 1.0f && (beta == 1.0f || !has_c) &&
      (!has_c || (c_rank && *c_rank <= 1))) {
    py::ExprPtr bias = py::none();
    if (has_c) {
      RAMIEL_ASSIGN_OR_RETURN(bias, ctx.input(2));
    }
    if (is_single_row(ctx)) {
      auto row = py::subscript(a, py::int_lit(0));
      auto product =
          has_c ? py::call(torch_fn("addmv"), {bias, b, row}) : py::call(torch_fn("mv"), {b, row});
      ctx.assign(py::method(product, "unsqueeze", {py::int_lit(0)}));
      return ok_status();
    }
    ctx.assign(has_c ? py::call(nn_fn("linear"), {a, b, bias}) : py::call(nn_fn("linear"), {a, b}));
    return ok_status();
  }
  if (trans_a) a = py::method(a, "t", {});
  if (trans_b) b = py::method(b, "t", {});
  if (has_c) {
    RAMIEL_ASSIGN_OR_RETURN(auto c, ctx.input(2));
    py::Keywords scales;
    if (beta != 1.0f) scales.emplace_back("beta", py::float32_lit(beta));
    if (alpha != 1.0f) scales.emplace_back("alpha", py::float32_lit(alpha));
    ctx.assign(py::call(torch_fn("addmm"), {c, a, b}, std::move(scales)));
    return ok_status();
  }
  py::ExprPtr product = py::call(torch_fn("matmul"), {a, b});
  if (alpha != 1.0f) product = py::binop("*", py::float32_lit(alpha), product);
  ctx.assign(product);
  return ok_status();
}

Status emit_einsum(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(std::string equation, ctx.string_attr("equation", ""));
  std::vector<py::ExprPtr> args = {py::str_lit(equation)};
  for (size_t i = 0; i < ctx.node().num_inputs(); ++i) {
    RAMIEL_ASSIGN_OR_RETURN(auto operand, ctx.input(i));
    args.push_back(operand);
  }
  ctx.assign(py::call(torch_fn("einsum"), std::move(args)));
  return ok_status();
}

}  // namespace

void register_matmul(EmitterTable& table) {
  set(table, OpKind::MatMul, emit_matmul);
  set(table, OpKind::Gemm, emit_gemm);
  set(table, OpKind::Einsum, emit_einsum);
}

}  // namespace ramiel::codegen::emitters
