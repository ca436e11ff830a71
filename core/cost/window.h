// Output sizes of sliding-window ops (Conv, pools) from ONNX attributes, for unknown shapes.
#pragma once

#include <cstdint>
#include <vector>

#include "core/ir/attributes.h"

namespace ramiel::cost {

// Spatial output dims of a window of `kernel` sliding over `input` (spatial dims only), as the
// ONNX spec computes them from strides, dilations, pads, auto_pad and ceil_mode. Missing or
// nonsensical attributes take their defaults, and every dim is at least 1.
std::vector<int64_t> window_output_dims(const std::vector<int64_t>& input,
                                        const std::vector<int64_t>& kernel,
                                        const ir::Attributes& attributes);

}  // namespace ramiel::cost
