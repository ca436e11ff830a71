#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {

bool input_is_float32_or_64(const EmitContext& ctx, size_t i) {
  const ir::TensorType* type = ctx.input_type(i);
  return type && (type->dtype == ir::DType::kFloat32 || type->dtype == ir::DType::kFloat64);
}

StatusOr<py::ExprPtr> helper_call(EmitContext& ctx, std::string_view name,
                                  std::vector<py::ExprPtr> args, py::Keywords keywords) {
  RAMIEL_ASSIGN_OR_RETURN(auto function, ctx.helper(name));
  return py::call(function, std::move(args), std::move(keywords));
}

StatusOr<py::ExprPtr> int_input(EmitContext& ctx, size_t i) {
  auto values = ctx.input_ints(i);
  if (values && values->size() == 1) return py::int_lit((*values)[0]);
  RAMIEL_ASSIGN_OR_RETURN(auto tensor, ctx.input(i));
  return py::call(py::name("int"), {tensor});
}

StatusOr<int64_t> normalize_axis(const EmitContext& ctx, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    return ctx.invalid("axis " + std::to_string(axis) + " is out of range for rank " +
                       std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

std::string ints_text(const std::vector<int64_t>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + std::to_string(values[i]);
  return out + "]";
}

bool all_equal_to(const std::vector<int64_t>& values, int64_t value) {
  for (int64_t v : values) {
    if (v != value) return false;
  }
  return true;
}

py::ExprPtr int_or_tuple(const std::vector<int64_t>& values) {
  if (!values.empty() && all_equal_to(values, values[0])) return py::int_lit(values[0]);
  return py::ints_tuple(values);
}

bool fully_known(const ir::Shape& shape) {
  for (int64_t d : shape) {
    if (!known(d)) return false;
  }
  return true;
}

}  // namespace ramiel::codegen::emitters

namespace ramiel::codegen {

const EmitterTable& emitter_table() {
  static const EmitterTable table = [] {
    EmitterTable t{};
    emitters::register_elementwise(t);
    emitters::register_activation(t);
    emitters::register_matmul(t);
    emitters::register_conv(t);
    emitters::register_pool(t);
    emitters::register_normalization(t);
    emitters::register_reduce(t);
    emitters::register_shape(t);
    emitters::register_constant(t);
    emitters::register_indexing(t);
    emitters::register_loss(t);
    emitters::register_resize(t);
    emitters::register_rnn(t);
    emitters::register_math(t);
    emitters::register_layout(t);
    emitters::register_unpool(t);
    emitters::register_quantize(t);
    emitters::register_signal(t);
    emitters::register_detection(t);
    emitters::register_text(t);
    emitters::register_training(t);
    emitters::register_sequence(t);
    return t;
  }();
  return table;
}

}  // namespace ramiel::codegen
