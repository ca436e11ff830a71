#include "kernels/global_avg_pool2d.h"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include <algorithm>
#include <cstdlib>

#include "kernels/avx512_lanes.h"

namespace ramiel::kernels {
namespace {

// Channels are summed in blocks of this many (four AVX-512 registers), so that each pixel's
// block is one 256-byte run and a block's sums stay in registers over all pixels.
constexpr int64_t kBlock = 64;

// A parallel chunk should sum at least this many floats: SqueezeNet's 1000 channels at 13x13
// (169,000) are split between two threads, DenseNet's 1024 at 7x7 (50,176) too; below it,
// waking a thread costs more than it saves.
constexpr int64_t kMinChunkFloats = 16384;

struct Block {
  const float* first;  // the image's first pixel, at the block's first channel
  float* output;       // the block's first mean
  int64_t channels;    // how many channels this block has (kBlock, or fewer at the end)
  int64_t stride;      // floats from one pixel to the next: all the channels
  int64_t pixels;
};

__attribute__((target("avx512f"))) void mean_avx512(const Block& block) {
  __mmask16 lanes[4];
  __m512 sums[4];
  for (int r = 0; r < 4; ++r) {
    lanes[r] = lanes_left(block.channels - 16 * r);
    sums[r] = _mm512_setzero_ps();
  }
  for (int64_t p = 0; p < block.pixels; ++p) {
    const float* pixel = block.first + p * block.stride;
    for (int r = 0; r < 4; ++r)
      sums[r] = _mm512_add_ps(sums[r], _mm512_maskz_loadu_ps(lanes[r], pixel + 16 * r));
  }
  // A division, as PyTorch's mean (sum, then div_ by the count), not a multiplication by 1/n.
  const __m512 count = _mm512_set1_ps(static_cast<float>(block.pixels));
  for (int r = 0; r < 4; ++r)
    _mm512_mask_storeu_ps(block.output + 16 * r, lanes[r], _mm512_div_ps(sums[r], count));
}

__attribute__((target_clones("avx2", "default"))) void mean_portable(const Block& block) {
  float sums[kBlock] = {};
  for (int64_t p = 0; p < block.pixels; ++p) {
    const float* pixel = block.first + p * block.stride;
    for (int64_t c = 0; c < block.channels; ++c) sums[c] += pixel[c];
  }
  const auto count = static_cast<float>(block.pixels);
  for (int64_t c = 0; c < block.channels; ++c) block.output[c] = sums[c] / count;
}

}  // namespace

at::Tensor global_avg_pool2d(const at::Tensor& input_in) {
  TORCH_CHECK(input_in.dim() == 4 && input_in.scalar_type() == at::kFloat,
              "ramiel::global_avg_pool2d: the input must be a 4-D float32 tensor");
  TORCH_CHECK(input_in.size(2) > 0 && input_in.size(3) > 0,
              "ramiel::global_avg_pool2d: the input has no pixels");
  const at::Tensor input = input_in.contiguous(at::MemoryFormat::ChannelsLast);
  const int64_t batch = input.size(0), channels = input.size(1);
  const int64_t pixels = input.size(2) * input.size(3);
  at::Tensor output = at::empty({batch, channels, 1, 1},
                                input.options().memory_format(at::MemoryFormat::ChannelsLast));
  const float* source = input.data_ptr<float>();
  float* destination = output.data_ptr<float>();
  // RAMIEL_KERNELS_PORTABLE: the portable loop even on AVX-512 (how the tests reach it).
  static const bool avx512 =
      __builtin_cpu_supports("avx512f") && std::getenv("RAMIEL_KERNELS_PORTABLE") == nullptr;
  const int64_t blocks = (channels + kBlock - 1) / kBlock;
  const int64_t grain = std::max<int64_t>(1, kMinChunkFloats / (pixels * kBlock));
  at::parallel_for(0, batch * blocks, grain, [&](int64_t begin, int64_t end) {
    for (int64_t index = begin; index < end; ++index) {
      const int64_t image = index / blocks, c = index % blocks * kBlock;
      const Block block{source + image * pixels * channels + c, destination + image * channels + c,
                        std::min(kBlock, channels - c), channels, pixels};
      avx512 ? mean_avx512(block) : mean_portable(block);
    }
  });
  return output;
}

}  // namespace ramiel::kernels
