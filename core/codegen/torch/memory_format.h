// Which tensors of a convolutional network the program keeps channels-last (NHWC in memory).
//
// PyTorch's CPU kernels for 2-d convolution and pooling are much faster on channels-last tensors
// (max_pool2d about 10x), and every torch op computes the same values whatever the strides, so
// the program converts once at the entry: the 4-d graph inputs that convolutions or pools read,
// and the convolutions' 4-d weights when they are loaded. Torch then keeps the activations
// channels-last by itself (convolutions, pools, elementwise ops and concatenations of
// channels-last tensors produce channels-last tensors). The plan also predicts which node
// outputs come out channels-last, so that process mode allocates the shared buffer of a tensor
// that crosses workers in the format it arrives in (a wrong guess costs a copy, never a value).
#pragma once

#include <vector>

#include "core/ir/graph.h"

namespace ramiel::codegen {

struct MemoryFormatPlan {
  // By value id: graph inputs converted at the entry, constants loaded channels-last, node
  // outputs predicted to be channels-last.
  std::vector<bool> channels_last;

  bool is_channels_last(const ir::Value& value) const {
    const auto id = static_cast<size_t>(value.id());
    return id < channels_last.size() && channels_last[id];
  }
};

// Channels-last for models with a 2-d convolution (a 4-d input and a constant 4-d weight);
// nothing for any other model.
MemoryFormatPlan plan_memory_formats(const ir::Graph& graph);

}  // namespace ramiel::codegen
