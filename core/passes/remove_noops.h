// Removal of inference no-ops: nodes whose output provably equals one of their inputs.
#pragma once

#include "core/ir/graph.h"
#include "core/passes/pass.h"

namespace ramiel::passes {

// The input whose value `node` returns unchanged, or null when that is not provable:
// Identity; Dropout at inference (mask unused; from opset 12 training_mode absent or a
// constant false); Cast to the input's dtype; Reshape, Flatten, Expand, Squeeze and Unsqueeze
// to the input's static shape; Transpose by the identity; a Slice that takes everything; Pad
// by zeros; Concat, Sum, Max, Min and Mean of one input.
ir::Value* forwarded_input(const ir::Node& node);

// Bypasses and removes every no-op. A no-op whose output is a graph output is removed only
// when its input is another node's output that is not a graph output itself; that input then
// takes the output's name, so the program's interface keeps its names and never returns a
// graph input or one value twice in place of distinct outputs. Counts "removed".
StatusOr<bool> remove_noops(ir::Graph& graph, PassContext& context);

}  // namespace ramiel::passes
