// ramiel::global_avg_pool2d: the mean over each channel's pixels of a channels-last tensor.
#pragma once

#include <ATen/ATen.h>

namespace ramiel::kernels {

// PyTorch 1.13's adaptive_avg_pool2d to 1x1 is a mean over the two spatial dimensions, which on
// a channels-last tensor is a strided reduction and a division, each op dispatched on its own.
// This is one pass over the pixels with the channels in registers. Same output as
// F.adaptive_avg_pool2d(input, 1) within float32 rounding (another summation order), in the
// same layout; float32 only.
at::Tensor global_avg_pool2d(const at::Tensor& input);

}  // namespace ramiel::kernels
