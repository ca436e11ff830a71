// Average pooling moved before the pointwise convolution that feeds it.
//
// A 1x1 convolution is the same affine map at every pixel and average pooling takes the mean
// of pixels, so pooling first gives the same result: mean(W x + b) = W mean(x) + b. Pooling
// first, the convolution runs on the pooled pixels: DenseNet's transition layers (1x1 conv,
// then 2x2 average pooling with stride 2) do a quarter of their multiply-adds.
#pragma once

#include "core/passes/pass.h"

namespace ramiel::passes {

// Counter of convolutions that now read a pooled input.
inline constexpr const char* kPooledFirstCounter = "pooled-first";

// Swaps Conv -> AveragePool where the convolution is 1x1 with unit strides, no padding and one
// group, its output is read by the pool alone, and the pool has no padding, no ceil_mode and
// at least halves the pixels (else the wider pooling would cost more than it saves). Both keep
// their names' stems; the convolution's output takes the pool's name.
StatusOr<bool> pool_before_conv(ir::Graph& graph, PassContext& context);

}  // namespace ramiel::passes
