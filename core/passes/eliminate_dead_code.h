// Dead-code elimination: removes what no graph output depends on.
#pragma once

#include "core/passes/pass.h"

namespace ramiel::passes {

// Removes every node none of whose outputs reaches a graph output (ONNX inference ops have
// no side effects), then every constant nothing reads. Graph inputs always stay: they are the
// program's interface. Counts "removed" (nodes) and "removed-constants".
StatusOr<bool> eliminate_dead_code(ir::Graph& graph, PassContext& context);

}  // namespace ramiel::passes
