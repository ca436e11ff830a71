// Balances fork-join regions for parallel workers by splitting a dominant convolution.
//
// An Inception module concatenates a few branches along the channels, and one branch often
// costs more than all the others together (GoogLeNet's 3x3 branch is 55-83% of its module), so
// workers running branches side by side wait for it. This pass splits the heaviest convolution
// of such a branch along its output channels into two convolutions that read slices of the same
// weights (the `ramiel_output_channels` attribute, [begin, end)), clones the unary elementwise ops
// between it and the Concat for each half, and feeds both halves to the Concat in channel order:
// the values are unchanged, and the schedule can give the halves to different workers. Every
// divided node's second part is named and both are marked as core/ir/split_parts.h says. Nested
// Concats along the same axis whose only reader is the outer Concat are flattened first, so
// their parts count as branches of the outer one.
//
// Runs only when the compile is for 2 or more workers and costs are known (PassContext).
#pragma once

#include "core/passes/pass.h"

namespace ramiel::passes {

// The attribute a split convolution carries: the [begin, end) range of output channels (of its
// weight and bias) it computes. Not an ONNX attribute; only Ramiel's own passes set it.
inline constexpr const char* kOutputChannelsAttribute = "ramiel_output_channels";

// Counter of convolutions split in two.
inline constexpr const char* kSplitCounter = "split";

StatusOr<bool> split_branches(ir::Graph& graph, PassContext& context);

}  // namespace ramiel::passes
