// Constant propagation and folding: nodes whose results are known at compile time become
// constants.
#pragma once

#include "core/passes/pass.h"

namespace ramiel::passes {

// Visits nodes in topological order (so chains fold in one run) and folds each node whose op
// has an evaluator (fold/evaluator.h), whose inputs are constants with data (Shape and Size
// need only a static input shape) and whose results have at most
// context.max_folded_elements elements each. Results become kFolded constants that keep the
// ONNX names of the values they replace; the folded node is removed. Counts "folded" (nodes
// replaced) and "fold-type-mismatch" (results disagreeing with the inferred type, left alone).
// Unsupported ops and data-less constants are simply not folded.
StatusOr<bool> fold_constants(ir::Graph& graph, PassContext& context);

}  // namespace ramiel::passes
