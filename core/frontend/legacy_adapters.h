// Ramiel's own adapters for the ops onnx 1.12's version converter has none for below opset 7
// (Cast-1's type names, Pad-1's paddings, Split-1's split input, LpPool-1's float p, the
// comparisons and logic ops with broadcast, RNN/GRU/LSTM's output_sequence). The converter keys
// on op names only, so such a node passes through it disguised as an Identity (an op unchanged
// from opset 1 to 7, whose arity nothing checks there) and is rewritten to its opset-7 form after.
#pragma once

#include <onnx/onnx_pb.h>

#include "core/support/status.h"

namespace ramiel::frontend {

// Before the converter, on a graph at opset `from` (< 7).
void disguise_unconvertible_nodes(onnx::GraphProto& graph, int from);

// After the converter: each disguised node back as its op, in the opset-7 form. INVALID_ARGUMENT
// for a Cast-1 to an unknown type name; UNIMPLEMENTED for a Split-1 whose split input is not an
// initializer.
Status adapt_disguised_nodes(onnx::GraphProto& graph);

}  // namespace ramiel::frontend
