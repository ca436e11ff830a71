// OpKind: the enum of operators generated from ops.def, with name lookup both ways.
#pragma once

#include <cstddef>
#include <optional>
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

}  // namespace ramiel::ir
