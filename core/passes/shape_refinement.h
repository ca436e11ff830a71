// Static shape refinement: output shapes that import-time shape inference could not know.
#pragma once

#include "core/ir/graph.h"

namespace ramiel::passes {

// Fills in the unknown output shapes of `node` from its inputs' static shapes and constant
// parameters. ONNX shape inference at import leaves them unknown when they depend on values
// that only folding makes constant (a Reshape target computed from Shape, Div and Concat, as
// torch.onnx.export writes with dynamic axes), and every shape after such a node stays unknown,
// which blocks the next Shape chain. Covers elementwise ops, Reshape and friends, Transpose,
// Concat, Gather, Split, Slice, reductions, MatMul and Gemm. Known dims are never changed: a
// rule that contradicts them is ignored. Returns whether a shape was set.
bool refine_output_shapes(ir::Node& node);

}  // namespace ramiel::passes
