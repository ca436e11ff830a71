#include "kernels/max_pool2d.h"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace ramiel::kernels {
namespace {

constexpr float kLowest = -std::numeric_limits<float>::infinity();

// The output length along one axis, as PyTorch's pooling_output_shape has it (dilation 1): in
// ceil mode the last window must still start inside the input or its left padding.
int64_t pooled_length(int64_t length, int64_t kernel, int64_t stride, int64_t padding,
                      bool ceil_mode) {
  const int64_t span = length + 2 * padding - kernel;
  TORCH_CHECK(span >= 0, "ramiel::max_pool2d: a ", kernel, "-wide window does not fit ", length,
              " padded by ", padding);
  int64_t count = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (count - 1) * stride >= length + padding) --count;
  return count;
}

// What one output row needs: the input rows its windows cover and how they slide along it.
struct Row {
  const float* input;  // the image's first pixel
  float* output;       // the row's first pixel
  int64_t width, channels, out_width, first_row, end_row, stride, padding, kernel;

  int64_t first_column(int64_t x) const { return std::max<int64_t>(x * stride - padding, 0); }
  int64_t end_column(int64_t x) const { return std::min(x * stride - padding + kernel, width); }
  const float* pixel(int64_t y, int64_t x) const { return input + (y * width + x) * channels; }
};

// 16 channels at a time in a register over the whole window. NaN wins as in PyTorch: MAXPS
// returns its second operand when either is NaN, so a NaN input is blended in explicitly.
__attribute__((target("avx512f"))) void pool_row_avx512(const Row& row) {
  const __m512 lowest = _mm512_set1_ps(kLowest);
  for (int64_t x = 0; x < row.out_width; ++x) {
    const int64_t x0 = row.first_column(x), x1 = row.end_column(x);
    for (int64_t c = 0; c < row.channels; c += 16) {
      const int64_t left = row.channels - c;
      const __mmask16 lanes = left >= 16 ? 0xffff : static_cast<__mmask16>((1u << left) - 1);
      __m512 best = lowest;
      for (int64_t y = row.first_row; y < row.end_row; ++y)
        for (int64_t ix = x0; ix < x1; ++ix) {
          const __m512 v = _mm512_mask_loadu_ps(lowest, lanes, row.pixel(y, ix) + c);
          // (maskz: GCC 12 warns about _mm512_max_ps's undefined pass-through operand)
          best = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q),
                                      _mm512_maskz_max_ps(0xffff, v, best), v);
        }
      _mm512_mask_storeu_ps(row.output + x * row.channels + c, lanes, best);
    }
  }
}

// Elsewhere: each window pixel's channel run folded into the output, a loop the compiler
// vectorizes for the CPU it finds.
__attribute__((target_clones("avx2", "default"))) void pool_row_portable(const Row& row) {
  for (int64_t x = 0; x < row.out_width; ++x) {
    float* out = row.output + x * row.channels;
    std::fill(out, out + row.channels, kLowest);
    const int64_t x0 = row.first_column(x), x1 = row.end_column(x);
    for (int64_t y = row.first_row; y < row.end_row; ++y)
      for (int64_t ix = x0; ix < x1; ++ix) {
        const float* v = row.pixel(y, ix);
        for (int64_t c = 0; c < row.channels; ++c)
          out[c] = (v[c] > out[c] || v[c] != v[c]) ? v[c] : out[c];
      }
  }
}

}  // namespace

at::Tensor max_pool2d(const at::Tensor& input_in, at::IntArrayRef kernel, at::IntArrayRef stride,
                      at::IntArrayRef padding, bool ceil_mode) {
  TORCH_CHECK(input_in.dim() == 4 && input_in.scalar_type() == at::kFloat,
              "ramiel::max_pool2d: the input must be a 4-D float32 tensor");
  TORCH_CHECK(kernel.size() == 2 && stride.size() == 2 && padding.size() == 2,
              "ramiel::max_pool2d: two kernel sizes, strides and paddings");
  for (int d = 0; d < 2; ++d)
    TORCH_CHECK(kernel[d] > 0 && stride[d] > 0 && padding[d] >= 0 && 2 * padding[d] <= kernel[d],
                "ramiel::max_pool2d: kernel ", kernel, ", stride ", stride, ", padding ", padding,
                " (padding at most half the kernel, as PyTorch's)");
  const at::Tensor input = input_in.contiguous(at::MemoryFormat::ChannelsLast);
  const int64_t batch = input.size(0), channels = input.size(1);
  const int64_t height = input.size(2), width = input.size(3);
  const int64_t out_height = pooled_length(height, kernel[0], stride[0], padding[0], ceil_mode);
  const int64_t out_width = pooled_length(width, kernel[1], stride[1], padding[1], ceil_mode);
  at::Tensor output = at::empty({batch, channels, out_height, out_width},
                                input.options().memory_format(at::MemoryFormat::ChannelsLast));
  const float* source = input.data_ptr<float>();
  float* destination = output.data_ptr<float>();
  // RAMIEL_KERNELS_PORTABLE: the portable loop even on AVX-512 (how the tests reach it).
  static const bool avx512 =
      __builtin_cpu_supports("avx512f") && std::getenv("RAMIEL_KERNELS_PORTABLE") == nullptr;
  at::parallel_for(0, batch * out_height, 1, [&](int64_t begin, int64_t end) {
    for (int64_t index = begin; index < end; ++index) {
      const int64_t image = index / out_height, y = index % out_height;
      const int64_t top = y * stride[0] - padding[0];
      const Row row{source + image * height * width * channels,
                    destination + index * out_width * channels,
                    width,
                    channels,
                    out_width,
                    std::max<int64_t>(top, 0),
                    std::min(top + kernel[0], height),
                    stride[1],
                    padding[1],
                    kernel[1]};
      avx512 ? pool_row_avx512(row) : pool_row_portable(row);
    }
  });
  return output;
}

}  // namespace ramiel::kernels
