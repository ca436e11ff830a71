// ramiel::max_pool2d: max pooling of a channels-last tensor, without the indices of the maxima.
#pragma once

#include <ATen/ATen.h>

namespace ramiel::kernels {

// PyTorch 1.13's max_pool2d computes the index of each maximum even for inference, and on
// channels-last tensors it is 2-3x slower than this kernel at GoogLeNet's and ResNet's shapes.
// Overlapping windows are pooled in two passes, rows then columns (max_pool2d.cc says why).
// Same output as F.max_pool2d (dilation 1), NaN included; float32 only.
at::Tensor max_pool2d(const at::Tensor& input, at::IntArrayRef kernel, at::IntArrayRef stride,
                      at::IntArrayRef padding, bool ceil_mode);

}  // namespace ramiel::kernels
