// The sliding-window attributes Conv and the pools share: kernel, strides, dilations, pads.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/codegen/torch/emitter.h"

namespace ramiel::codegen::emitters {

struct Window {
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pads_begin;
  std::vector<int64_t> pads_end;

  size_t spatial() const { return kernel.size(); }
  bool symmetric() const { return pads_begin == pads_end; }
  // Pads in F.pad's order: last dimension first, (begin, end) for each.
  std::vector<int64_t> torch_pads() const;
};

// Reads the window of `ctx`'s node from its attributes. `kernel` is the kernel's spatial shape
// (Conv: from the weight; pools: kernel_shape). auto_pad SAME_UPPER / SAME_LOWER needs the
// input's spatial dims, taken from input 0's static shape.
StatusOr<Window> read_window(const EmitContext& ctx, std::vector<int64_t> kernel);

// The spatial size torch gives for `input` (dims), with `padding` on both sides.
int64_t torch_pooled_size(int64_t input, int64_t kernel, int64_t stride, int64_t dilation,
                          int64_t padding, bool ceil_mode);

}  // namespace ramiel::codegen::emitters
