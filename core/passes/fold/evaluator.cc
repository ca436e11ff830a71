#include "core/passes/fold/evaluator.h"

#include "core/passes/operands.h"

namespace ramiel::passes::fold {

const ir::Tensor* FoldContext::tensor(size_t i) const {
  const ir::Value* value = node_.input(i);
  if (!value || !value->is_constant() || !value->constant()->has_data()) return nullptr;
  if (value->constant()->dtype() == ir::DType::kString) return nullptr;
  return value->constant();
}

const ir::TensorType* FoldContext::type(size_t i) const {
  const ir::Value* value = node_.input(i);
  return value ? &value->type() : nullptr;
}

std::optional<std::vector<int64_t>> FoldContext::ints(size_t i) const {
  return constant_ints(node_, i);
}

bool FoldContext::fits(const ir::Shape& shape) const {
  // Zero dims count as 1, so that index arithmetic over an empty result (strides) stays small.
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) return false;
    const int64_t factor = dim == 0 ? 1 : dim;
    // Compare before multiplying so that absurd shapes cannot overflow.
    if (count > max_elements_ / factor) return false;
    count *= factor;
  }
  return count <= max_elements_;
}

const FoldRule& fold_rule(ir::OpKind op) {
  static const FoldTable table = [] {
    FoldTable t{};
    register_shape_evaluators(t);
    register_movement_evaluators(t);
    register_arithmetic_evaluators(t);
    register_logic_evaluators(t);
    register_float_evaluators(t);
    register_cast_evaluators(t);
    register_generator_evaluators(t);
    register_reduce_evaluators(t);
    return t;
  }();
  return table[static_cast<size_t>(op)];
}

}  // namespace ramiel::passes::fold
