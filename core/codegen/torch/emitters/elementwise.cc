// Elementwise ops: unary math, arithmetic, comparisons and logic, Where, Clip, Cast.
#include <limits>
#include <map>
#include <optional>

#include "core/codegen/torch/emitters/common.h"
#include "core/ir/lowering_rules.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

// Ops that are one torch function of one tensor.
const std::map<OpKind, const char*>& unary_functions() {
  static const std::map<OpKind, const char*> table = {
      {OpKind::Abs, "torch.abs"},
      {OpKind::Acos, "torch.acos"},
      {OpKind::Acosh, "torch.acosh"},
      {OpKind::Asin, "torch.asin"},
      {OpKind::Asinh, "torch.asinh"},
      {OpKind::Atan, "torch.atan"},
      {OpKind::Atanh, "torch.atanh"},
      {OpKind::Ceil, "torch.ceil"},
      {OpKind::Cos, "torch.cos"},
      {OpKind::Cosh, "torch.cosh"},
      {OpKind::Erf, "torch.erf"},
      {OpKind::Exp, "torch.exp"},
      {OpKind::Floor, "torch.floor"},
      {OpKind::IsNaN, "torch.isnan"},
      {OpKind::Gelu, "F.gelu"},
      {OpKind::Log, "torch.log"},
      {OpKind::Neg, "torch.neg"},
      {OpKind::Not, "torch.logical_not"},
      {OpKind::Reciprocal, "torch.reciprocal"},
      {OpKind::Relu, "F.relu"},
      {OpKind::Round, "torch.round"},
      {OpKind::Sigmoid, "torch.sigmoid"},
      {OpKind::Sign, "torch.sign"},
      {OpKind::Sin, "torch.sin"},
      {OpKind::Sinh, "torch.sinh"},
      {OpKind::Sqrt, "torch.sqrt"},
      {OpKind::Tan, "torch.tan"},
      {OpKind::Tanh, "torch.tanh"},
      {OpKind::Softsign, "F.softsign"},
      {OpKind::Softplus, "F.softplus"},
      {OpKind::HardSwish, "F.hardswish"},
  };
  return table;
}

// The input this node computes its result in (ir::in_place_operand), if any.
std::optional<size_t> in_place_operand(const EmitContext& ctx) {
  return ir::in_place_operand(ctx.node(), [&](size_t i) { return ctx.may_overwrite_input(i); });
}

Status emit_unary(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  if (ctx.node().op() == OpKind::Relu && in_place_operand(ctx)) {
    ctx.assign(py::call(nn_fn("relu"), {x}, {{"inplace", py::bool_lit(true)}}));
    return ok_status();
  }
  ctx.assign(py::call(py::dotted(unary_functions().at(ctx.node().op())), {x}));
  return ok_status();
}

// a.add_(b) instead of a + b when a may hold the result; b.add_(a) when b may (Add and Mul
// commute exactly in floating point).
std::optional<py::ExprPtr> arithmetic_in_place(EmitContext& ctx, const char* method, py::ExprPtr a,
                                               py::ExprPtr b) {
  const std::optional<size_t> operand = in_place_operand(ctx);
  if (!operand) return std::nullopt;
  return *operand == 0 ? py::method(a, method, {b}) : py::method(b, method, {a});
}

// Arithmetic that reads best as an operator; a known scalar operand becomes a number.
Status emit_arithmetic(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto a, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto b, ctx.scalar_or_input(1));
  const ir::TensorType* type = ctx.input_type(0);
  const bool integer = type && (ir::is_integer(type->dtype) || type->dtype == ir::DType::kBool);
  static const std::map<OpKind, const char*> in_place = {
      {OpKind::Add, "add_"}, {OpKind::Sub, "sub_"}, {OpKind::Mul, "mul_"}, {OpKind::Div, "div_"}};
  if (!integer) {
    if (auto updated = arithmetic_in_place(ctx, in_place.at(ctx.node().op()), a, b)) {
      ctx.assign(*updated);
      return ok_status();
    }
  }
  switch (ctx.node().op()) {
    case OpKind::Add:
      ctx.assign(py::binop("+", a, b));
      break;
    case OpKind::Sub:
      ctx.assign(py::binop("-", a, b));
      break;
    case OpKind::Mul:
      ctx.assign(py::binop("*", a, b));
      break;
    case OpKind::Div:
      // ONNX divides integers truncating toward zero; `/` would give floats.
      if (integer) {
        ctx.assign(py::call(torch_fn("div"), {a, b}, {{"rounding_mode", py::str_lit("trunc")}}));
      } else {
        ctx.assign(py::binop("/", a, b));
      }
      break;
    default:
      return ctx.unsupported("not an arithmetic op");
  }
  return ok_status();
}

Status emit_pow(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto base, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto exponent, ctx.scalar_or_input(1));
  py::ExprPtr result = py::call(torch_fn("pow"), {base, exponent});
  // ONNX keeps the base's type; torch promotes an integer base with a float exponent.
  const ir::TensorType* base_type = ctx.input_type(0);
  const ir::TensorType* exp_type = ctx.input_type(1);
  if (base_type && exp_type && ir::is_integer(base_type->dtype) &&
      ir::is_floating(exp_type->dtype)) {
    RAMIEL_ASSIGN_OR_RETURN(auto dtype, ctx.dtype(base_type->dtype));
    result = py::method(result, "to", {dtype});
  }
  ctx.assign(result);
  return ok_status();
}

Status emit_mod(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto a, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto b, ctx.scalar_or_input(1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t fmod, ctx.int_attr("fmod", 0));
  // fmod=1 keeps the dividend's sign (C's fmod); fmod=0 the divisor's (Python's %).
  ctx.assign(py::call(torch_fn(fmod ? "fmod" : "remainder"), {a, b}));
  return ok_status();
}

// uint64 lives in int64 with the same bits (see torch_dtype_name); flipping the top bit maps its
// order onto int64's, so comparisons, Max and Min of flipped operands are exact.
bool is_uint64_input(const EmitContext& ctx, size_t i) {
  const ir::TensorType* type = ctx.input_type(i);
  return type && type->dtype == ir::DType::kUInt64;
}

py::ExprPtr flip_top_bit(py::ExprPtr x) {
  return py::binop("^", std::move(x), py::int_lit(std::numeric_limits<int64_t>::min()));
}

// Comparisons and logic: one torch function of two tensors.
Status emit_binary_function(EmitContext& ctx) {
  static const std::map<OpKind, const char*> functions = {
      {OpKind::Equal, "eq"},      {OpKind::Less, "lt"},           {OpKind::LessOrEqual, "le"},
      {OpKind::Greater, "gt"},    {OpKind::GreaterOrEqual, "ge"}, {OpKind::And, "logical_and"},
      {OpKind::Or, "logical_or"}, {OpKind::Xor, "logical_xor"},
  };
  RAMIEL_ASSIGN_OR_RETURN(auto a, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto b, ctx.input(1));
  if (is_uint64_input(ctx, 0) && ctx.node().op() != OpKind::Equal) {
    a = flip_top_bit(a);
    b = flip_top_bit(b);
  }
  ctx.assign(py::call(torch_fn(functions.at(ctx.node().op())), {a, b}));
  return ok_status();
}

// Max, Min, Sum, Mean of any number of tensors, broadcasting.
Status emit_variadic(EmitContext& ctx) {
  const OpKind op = ctx.node().op();
  if (ctx.node().num_inputs() == 0) return ctx.invalid("needs at least one input");
  const bool flip = (op == OpKind::Max || op == OpKind::Min) && is_uint64_input(ctx, 0) &&
                    ctx.node().num_inputs() > 1;
  RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr result, ctx.input(0));
  if (flip) result = flip_top_bit(result);
  for (size_t i = 1; i < ctx.node().num_inputs(); ++i) {
    RAMIEL_ASSIGN_OR_RETURN(auto next, ctx.input(i));
    if (flip) next = flip_top_bit(next);
    if (op == OpKind::Max) {
      result = py::call(torch_fn("maximum"), {result, next});
    } else if (op == OpKind::Min) {
      result = py::call(torch_fn("minimum"), {result, next});
    } else {
      result = py::binop("+", result, next);
    }
  }
  if (flip) result = flip_top_bit(result);
  if (op == OpKind::Mean && ctx.node().num_inputs() > 1) {
    result = py::binop("/", result, py::int_lit(static_cast<int64_t>(ctx.node().num_inputs())));
  }
  ctx.assign(result);
  return ok_status();
}

Status emit_where(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto condition, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto a, ctx.input(1));
  RAMIEL_ASSIGN_OR_RETURN(auto b, ctx.input(2));
  ctx.assign(py::call(torch_fn("where"), {condition, a, b}));
  return ok_status();
}

Status emit_clip(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  py::Keywords bounds;
  for (size_t i : {1u, 2u}) {
    if (!ctx.has_input(i)) continue;
    RAMIEL_ASSIGN_OR_RETURN(auto bound, ctx.scalar_or_input(i));
    bounds.emplace_back(i == 1 ? "min" : "max", bound);
  }
  if (bounds.empty()) {
    ctx.assign(x);
  } else {
    ctx.assign(py::call(torch_fn("clamp"), {x}, std::move(bounds)));
  }
  return ok_status();
}

Status emit_cast(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(ir::DType target, cast_target(ctx));
  RAMIEL_ASSIGN_OR_RETURN(auto dtype, ctx.dtype(target));
  ctx.assign(py::method(x, "to", {dtype}));
  return ok_status();
}

Status emit_identity(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  ctx.assign(x);
  return ok_status();
}

}  // namespace

StatusOr<ir::DType> cast_target(const EmitContext& ctx) {
  if (ctx.node().op() == OpKind::CastLike) {
    const ir::TensorType* like = ctx.input_type(1);
    if (!like) return ctx.invalid("input 1 is missing");
    return like->dtype;
  }
  RAMIEL_ASSIGN_OR_RETURN(int64_t to, ctx.int_attr("to", 0));
  auto dtype = ir::dtype_from_onnx(static_cast<int32_t>(to));
  if (!dtype) return ctx.unsupported_attribute("to", std::to_string(to), "unknown type");
  return *dtype;
}

void register_elementwise(EmitterTable& table) {
  for (const auto& [op, function] : unary_functions()) set(table, op, emit_unary);
  for (OpKind op : {OpKind::Add, OpKind::Sub, OpKind::Mul, OpKind::Div}) {
    set(table, op, emit_arithmetic);
  }
  for (OpKind op : {OpKind::Equal, OpKind::Less, OpKind::LessOrEqual, OpKind::Greater,
                    OpKind::GreaterOrEqual, OpKind::And, OpKind::Or, OpKind::Xor}) {
    set(table, op, emit_binary_function);
  }
  for (OpKind op : {OpKind::Max, OpKind::Min, OpKind::Sum, OpKind::Mean}) {
    set(table, op, emit_variadic);
  }
  set(table, OpKind::Pow, emit_pow);
  set(table, OpKind::Mod, emit_mod);
  set(table, OpKind::Where, emit_where);
  set(table, OpKind::Clip, emit_clip);
  set(table, OpKind::Cast, emit_cast);
  set(table, OpKind::CastLike, emit_cast);
  set(table, OpKind::Identity, emit_identity);
}

}  // namespace ramiel::codegen::emitters
