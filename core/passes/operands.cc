#include "core/passes/operands.h"

namespace ramiel::passes {

std::optional<std::vector<int64_t>> constant_ints(const ir::Node& node, size_t i) {
  const ir::Value* value = node.input(i);
  if (!value || !value->is_constant()) return std::nullopt;
  const ir::Tensor& tensor = *value->constant();
  if (!tensor.has_data()) return std::nullopt;
  if (!ir::is_integer(tensor.dtype()) && tensor.dtype() != ir::DType::kBool) return std::nullopt;
  return tensor.to_int64();
}

IntsOperand ints_operand(const ir::Node& node, size_t input) {
  IntsOperand operand;
  operand.present = node.input(input) != nullptr;
  if (operand.present) operand.values = constant_ints(node, input);
  return operand;
}

}  // namespace ramiel::passes
