// Rewrites of models at ai.onnx opsets below 7 where ONNX's version converter (onnx 1.12) is wrong
// or asserts: Ramiel's own rules around it, run by upgrade_opset().
#pragma once

#include <onnx/onnx_pb.h>

#include "core/support/status.h"

namespace ramiel::frontend {

// Before the converter, at the model's own opset `from` (< 7):
// - infers shapes (legacy_shapes.h), so the converter's broadcast adapters see the sizes of every
//   value (a Constant node's output had none: "Shape of input 2 is not available");
// - an Add/Sub/Mul/Div/Pow/And/Or/Xor/Equal/Greater/Less with broadcast=1 and an `axis` gets its
//   second operand unsqueezed to end at the first's last dimension (the converter appends one
//   trailing 1 too many and asserts);
// - a PRelu's 1-D slope of more than one element is per channel, axis 1 (onnx/onnx#889), not the
//   last axis as numpy broadcasting from opset 7 on reads it: unsqueezed to [C, 1, ...].
// UNIMPLEMENTED naming the node when the rule needs a rank that is not known.
Status apply_pre_conversion_rules(onnx::ModelProto& model, int from);

// After the converter: Constant nodes holding non-float tensors (the converter's Reshape 4->5
// adapter makes int64 ones) become initializers, since Constant before opset 9 holds only floats.
void apply_post_conversion_rules(onnx::ModelProto& model);

}  // namespace ramiel::frontend
