#include "core/ir/op_kind.h"

#include <algorithm>
#include <array>

namespace ramiel::ir {
namespace {

constexpr std::array<std::string_view, kNumOpKinds> kNames = {
#define RAMIEL_OP(Name) #Name,
#include "core/ir/ops.def"
};

}  // namespace

std::string_view op_name(OpKind kind) { return kNames[static_cast<size_t>(kind)]; }

bool is_training_op(OpKind kind) {
  return kind == OpKind::Adagrad || kind == OpKind::Adam || kind == OpKind::Momentum;
}

std::string op_and_opset(OpKind kind, int opset) {
  std::string out(op_name(kind));
  out += ", ";
  if (is_training_op(kind)) (out += kTrainingDomain) += " ";
  return out + "opset " + std::to_string(opset);
}

std::optional<OpKind> op_from_name(std::string_view name) {
  // ops.def is sorted, so a binary search finds the name.
  auto it = std::lower_bound(kNames.begin(), kNames.end(), name);
  if (it == kNames.end() || *it != name) return std::nullopt;
  return static_cast<OpKind>(it - kNames.begin());
}

}  // namespace ramiel::ir
