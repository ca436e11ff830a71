// Constant propagation and folding: nodes whose results are known at compile time become
// constants.
#pragma once

#include "core/passes/pass.h"

namespace ramiel::passes {

// Visits nodes in topological order, so chains fold in one run. Each node first gets the
// output shapes refine_output_shapes() can now infer (counted as "shapes-refined"): a Reshape
// whose target just folded has a static result again, and the next Shape chain folds in the
// same run. Then a node folds when its op has an evaluator (fold/evaluator.h), its inputs are
// constants with data (Shape and Size need only a static input shape) and each result has at
// most context.max_folded_elements elements. A result equal to one of the node's input
// constants (Identity of a weight) is replaced by that constant; other results become kFolded
// constants that keep the ONNX names of the values they replace. The folded node is removed.
// Counts "folded" (nodes replaced) and "fold-type-mismatch" (results contradicting the
// inferred type, left alone). Unsupported ops and data-less constants are simply not folded.
StatusOr<bool> fold_constants(ir::Graph& graph, PassContext& context);

}  // namespace ramiel::passes
