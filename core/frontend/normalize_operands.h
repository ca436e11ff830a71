// One operand layout per op: the import rewrites nodes of older opsets into the newest layout,
// so that passes, the cost model and the emitters each read an op one way.
#pragma once

#include "core/ir/graph.h"

namespace ramiel::frontend {

// Rewrites, in place, every node whose opset gave parameters as attributes that later opsets
// take as inputs: the attribute becomes a constant input (ConstantOrigin::kFolded) and is
// removed: Slice-1..9 `starts`/`ends`/`axes`, TopK-1..9 `k`,
// Pad-2..10 `pads`/`value`, Clip-1..10 `min`/`max`, Squeeze/Unsqueeze/Split-1..12 `axes`/`split`,
// ReduceSum-1..12 and the other Reduce ops before 18 `axes`, Upsample-7/8 `scales`.
// (Older layouts, such as Reshape-1..4's, never get here: the import upgrades models older
// than kMinOpset with ONNX's version converter first.)
// Defaults that changed become explicit attributes (RoiAlign before 16), and Resize-10, which
// is Upsample-9 under a new name, becomes Upsample. The node keeps its opset (messages name
// the model's), and nothing else about it changes.
void normalize_operands(ir::Graph& graph);

}  // namespace ramiel::frontend
