#include "core/codegen/torch/emitter.h"

#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen {

std::string EmitContext::describe() const {
  return "node '" + node_.name() + "' (" + ir::op_and_opset(node_.op(), node_.opset()) + ")";
}

StatusOr<py::ExprPtr> EmitContext::input(size_t i) {
  const ir::Value* value = node_.input(i);
  if (!value) return invalid("input " + std::to_string(i) + " is missing");
  if (py::ExprPtr bound = env_.bound(*value)) {  // a body input: a captured outer value
    read_.insert(value);
    return bound;
  }
  if (value->is_constant()) {
    auto constant = env_.constant(*value);
    if (!constant.ok()) return constant.status().with_context(describe());
    return constant;
  }
  read_.insert(value);
  return py::name(env_.variable(*value));
}

StatusOr<py::ExprPtr> EmitContext::input_or_none(size_t i) {
  if (!has_input(i)) return py::none();
  return input(i);
}

StatusOr<py::ExprPtr> EmitContext::scalar_or_input(size_t i) {
  const ir::Tensor* data = input_data(i);
  if (data && data->shape().empty()) {
    const ir::DType dtype = data->dtype();
    if (dtype == ir::DType::kFloat32 || dtype == ir::DType::kFloat16 ||
        dtype == ir::DType::kBFloat16) {
      return py::float32_lit(static_cast<float>(data->to_double()[0]));
    }
    if (dtype == ir::DType::kFloat64) return py::float_lit(data->to_double()[0]);
    if (ir::is_integer(dtype) && dtype != ir::DType::kUInt64) {
      return py::int_lit(data->to_int64()[0]);
    }
  }
  return input(i);
}

const ir::TensorType* EmitContext::input_type(size_t i) const {
  const ir::Value* value = node_.input(i);
  return value ? &value->type() : nullptr;
}

std::optional<ir::Shape> EmitContext::input_shape(size_t i) const {
  const ir::TensorType* type = input_type(i);
  if (!type) return std::nullopt;
  return type->shape;
}

std::optional<int64_t> EmitContext::input_rank(size_t i) const {
  auto shape = input_shape(i);
  if (!shape) return std::nullopt;
  return static_cast<int64_t>(shape->size());
}

const ir::Tensor* EmitContext::input_data(size_t i) const {
  const ir::Value* value = node_.input(i);
  if (!value || !value->is_constant() || !value->constant()->has_data()) return nullptr;
  return value->constant();
}

std::optional<std::vector<int64_t>> EmitContext::input_ints(size_t i) const {
  const ir::Tensor* data = input_data(i);
  if (!data || !(ir::is_integer(data->dtype()) || data->dtype() == ir::DType::kBool)) {
    return std::nullopt;
  }
  return data->to_int64();
}

bool EmitContext::may_overwrite_input(size_t i) const {
  const ir::Value* value = node_.input(i);
  return value && !value->is_constant() && !value->is_graph_input() && env_.overwritable(*value);
}

bool EmitContext::output_used(size_t i) const {
  const ir::Value* value = node_.output(i);
  return value->has_uses() || value->is_graph_output();
}

std::optional<ir::Shape> EmitContext::output_shape(size_t i) const {
  return node_.output(i)->type().shape;
}

Status EmitContext::require_unused_output(size_t i, std::string_view what) const {
  if (i >= num_outputs() || !output_used(i)) return ok_status();
  return unsupported("output " + std::to_string(i) + " (" + std::string(what) +
                     ") is used, and only inference is supported");
}

std::string EmitContext::output_variable(size_t i) {
  const ir::Value* out = node_.output(i);
  assigned_.insert(out);
  return env_.variable(*out);
}

void EmitContext::assign_output(size_t i, py::ExprPtr value) {
  const ir::Value* out = node_.output(i);
  assigned_.insert(out);
  statements_.push_back(py::assign(py::name(env_.variable(*out)), std::move(value)));
}

void EmitContext::assign_outputs(size_t count, py::ExprPtr value) {
  std::vector<py::ExprPtr> targets;
  for (size_t i = 0; i < count; ++i) {
    const ir::Value* out = node_.output(i);
    if (output_used(i)) {
      assigned_.insert(out);
      targets.push_back(py::name(env_.variable(*out)));
    } else {
      targets.push_back(py::name("_"));
    }
  }
  // One target would assign the whole tuple; a trailing comma unpacks it.
  if (targets.size() == 1) targets = {py::tuple(std::move(targets))};
  statements_.push_back(py::assign_many(std::move(targets), std::move(value)));
}

py::ExprPtr EmitContext::let(std::string_view hint, py::ExprPtr value) {
  std::string name = env_.temporary(hint);
  statements_.push_back(py::assign(py::name(name), std::move(value)));
  return py::name(name);
}

StatusOr<py::ExprPtr> EmitContext::dtype(ir::DType dtype) const {
  auto spelled = torch_dtype_name(dtype);
  if (!spelled) {
    return unsupported("tensors of type " + std::string(ir::dtype_name(dtype)) +
                       " have no PyTorch equivalent");
  }
  return py::attr(py::name("torch"), std::string(*spelled));
}

namespace {

// The attribute's type name for messages.
std::string attribute_type(const ir::AttributeValue& value) {
  switch (value.index()) {
    case 0:
      return "int";
    case 1:
      return "float";
    case 2:
      return "string";
    case 3:
      return "tensor";
    case 4:
      return "ints";
    case 5:
      return "floats";
    default:
      return "strings";
  }
}

template <typename T>
StatusOr<std::optional<T>> typed(const EmitContext& ctx, const std::string& name,
                                 const char* expected) {
  auto it = ctx.attributes().all().find(name);
  if (it == ctx.attributes().all().end()) return std::optional<T>();
  if (const T* v = std::get_if<T>(&it->second)) return std::optional<T>(*v);
  return ctx.invalid("attribute '" + name + "' must be " + expected + ", not " +
                     attribute_type(it->second));
}

}  // namespace

StatusOr<int64_t> EmitContext::int_attr(const std::string& name, int64_t fallback) const {
  RAMIEL_ASSIGN_OR_RETURN(auto v, typed<int64_t>(*this, name, "an int"));
  return v.value_or(fallback);
}

StatusOr<float> EmitContext::float_attr(const std::string& name, float fallback) const {
  RAMIEL_ASSIGN_OR_RETURN(auto v, typed<float>(*this, name, "a float"));
  return v.value_or(fallback);
}

StatusOr<std::string> EmitContext::string_attr(const std::string& name,
                                               const std::string& fallback) const {
  RAMIEL_ASSIGN_OR_RETURN(auto v, typed<std::string>(*this, name, "a string"));
  return v.value_or(fallback);
}

StatusOr<std::optional<std::vector<int64_t>>> EmitContext::ints_attr(
    const std::string& name) const {
  return typed<std::vector<int64_t>>(*this, name, "a list of ints");
}

StatusOr<std::optional<std::vector<float>>> EmitContext::floats_attr(
    const std::string& name) const {
  return typed<std::vector<float>>(*this, name, "a list of floats");
}

StatusOr<std::optional<std::vector<std::string>>> EmitContext::strings_attr(
    const std::string& name) const {
  return typed<std::vector<std::string>>(*this, name, "a list of strings");
}

Status EmitContext::unsupported_attribute(const std::string& name, const std::string& value,
                                          const std::string& why) const {
  return unimplemented(describe() + ": attribute " + name + "=" + value + " is not supported" +
                       (why.empty() ? "" : ": " + why));
}

Status EmitContext::unsupported(const std::string& what) const {
  return unimplemented(describe() + ": " + what);
}

Status EmitContext::invalid(const std::string& what) const {
  return invalid_argument(describe() + ": " + what);
}

namespace {

// Ops whose result can leave an unsigned type's range when computed in its wider carrier:
// sums, differences, products and left shifts, and casts from wider or signed types.
bool may_leave_unsigned_range(ir::OpKind op) {
  using ir::OpKind;
  switch (op) {
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Neg:
    case OpKind::Sum:
    case OpKind::Pow:
    case OpKind::MatMul:
    case OpKind::Gemm:
    case OpKind::Einsum:
    case OpKind::ReduceSum:
    case OpKind::ReduceProd:
    case OpKind::ReduceSumSquare:
    case OpKind::CumSum:
    case OpKind::BitShift:
    case OpKind::Cast:
    case OpKind::CastLike:
      return true;
    default:
      return false;
  }
}

// ONNX wraps unsigned arithmetic modulo 2^n; the carrier does not, so such outputs are masked.
void wrap_unsigned_outputs(EmitContext& ctx, EmitEnvironment& env) {
  if (!may_leave_unsigned_range(ctx.node().op())) return;
  for (size_t i = 0; i < ctx.num_outputs(); ++i) {
    const ir::Value* out = ctx.node().output(i);
    const auto mask = unsigned_wrap_mask(out->type().dtype);
    if (!mask || !ctx.assigned_outputs().contains(out)) continue;
    auto variable = py::name(env.variable(*out));
    ctx.emit(py::assign(variable, py::binop("&", variable, py::int_lit(*mask))));
  }
}

}  // namespace

Status emit_node(EmitContext& ctx) {
  if (ctx.node().touches_strings()) return emitters::emit_string_node(ctx);
  Emitter emitter = emitter_table()[static_cast<size_t>(ctx.node().op())];
  if (!emitter) return ctx.unsupported("Ramiel cannot translate this operator to PyTorch");
  RAMIEL_RETURN_IF_ERROR(emitter(ctx));
  wrap_unsigned_outputs(ctx, ctx.environment());
  return ok_status();
}

py::ExprPtr torch_fn(std::string_view name) {
  return py::attr(py::name("torch"), std::string(name));
}

py::ExprPtr nn_fn(std::string_view name) {
  return py::attr(py::name("F"), std::string(name));
}

std::optional<std::string_view> torch_dtype_name(ir::DType dtype) {
  switch (dtype) {
    case ir::DType::kFloat32:
      return "float32";
    case ir::DType::kFloat64:
      return "float64";
    case ir::DType::kFloat16:
      return "float16";
    case ir::DType::kBFloat16:
      return "bfloat16";
    case ir::DType::kInt8:
      return "int8";
    case ir::DType::kInt16:
      return "int16";
    case ir::DType::kInt32:
      return "int32";
    case ir::DType::kInt64:
      return "int64";
    case ir::DType::kUInt8:
      return "uint8";
    case ir::DType::kUInt16:  // the carriers of the unsigned types torch lacks: see emitter.h
      return "int32";
    case ir::DType::kUInt32:
    case ir::DType::kUInt64:
      return "int64";
    case ir::DType::kBool:
      return "bool";
    case ir::DType::kComplex64:
      return "complex64";
    case ir::DType::kComplex128:
      return "complex128";
    default:
      return std::nullopt;
  }
}

std::optional<int64_t> unsigned_wrap_mask(ir::DType dtype) {
  if (dtype == ir::DType::kUInt16) return int64_t{0xFFFF};
  if (dtype == ir::DType::kUInt32) return int64_t{0xFFFFFFFF};
  return std::nullopt;
}

}  // namespace ramiel::codegen
