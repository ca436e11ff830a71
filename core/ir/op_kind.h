// OpKind: the enum of operators generated from ops.def, with name lookup both ways.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ramiel::ir {

enum class OpKind : int {
#define RAMIEL_OP(Name) Name,
#include "core/ir/ops.def"
};

inline constexpr size_t kNumOpKinds = 0
#define RAMIEL_OP(Name) +1
#include "core/ir/ops.def"
    ;

// The ONNX op_type, e.g. "Conv".
std::string_view op_name(OpKind kind);
// The OpKind of an ONNX op_type in the default domain, if Ramiel knows it.
std::optional<OpKind> op_from_name(std::string_view name);

// The one other domain Ramiel imports ops from (its optimizers), at its one opset.
inline constexpr std::string_view kTrainingDomain = "ai.onnx.preview.training";
inline constexpr int kTrainingOpset = 1;

// Whether the op is one of kTrainingDomain's (Adagrad, Adam, Momentum), not ai.onnx's.
bool is_training_op(OpKind kind);

// "Conv, opset 13", or "Adam, ai.onnx.preview.training opset 1": how messages name an op with
// the opset of its own domain.
std::string op_and_opset(OpKind kind, int opset);

}  // namespace ramiel::ir
