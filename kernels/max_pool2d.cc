#include "kernels/max_pool2d.h"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <vector>

#include "kernels/avx512_lanes.h"

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

// One output row. Where windows overlap, in two passes: the window's input rows folded into
// one row (an elementwise max over contiguous memory), then each output pixel's window read
// along that row. Reading every window whole from the input jumped between rows and loaded each
// input pixel up to kernel_h * kernel_w / (stride_h * stride_w) times (2.25 for 3x3 windows at
// stride 2, 9 at stride 1); folded, each input row streams through once per output row. In the
// programs (both loops alternating run by run in one process): SqueezeNet's first pooling 426
// -> 230 us, GoogLeNet's largest 228 -> 170 us. Windows that do not overlap (2x2 at stride 2)
// read each pixel once either way and the fold only adds a pass (GoogLeNet's: 15 us direct, 19
// folded), so they are read directly.
struct Row {
  const float* first;  // the first input row of the windows, channels-last
  int64_t rows;        // how many input rows the windows cover
  int64_t row_floats;  // width * channels: one input row
  float* folded;       // row_floats of scratch, or null to read the windows directly
  float* output;       // the row's first pixel
  int64_t width, channels, out_width, stride, padding, kernel;

  int64_t first_column(int64_t x) const { return std::max<int64_t>(x * stride - padding, 0); }
  int64_t end_column(int64_t x) const { return std::min(x * stride - padding + kernel, width); }
};

// NaN wins as in PyTorch: MAXPS returns its second operand when either is NaN, so a NaN input
// is blended in explicitly. (maskz: GCC 12 warns about _mm512_max_ps's undefined pass-through.)
__attribute__((target("avx512f"))) inline __m512 max_keeping_nan(__m512 best, __m512 v) {
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q),
                              _mm512_maskz_max_ps(0xffff, v, best), v);
}

// 16 floats at a time, in a register over the window: each output pixel's window over `rows`
// rows from `first` (the input's, or the one folded row).
__attribute__((target("avx512f"))) void windows_avx512(const Row& row, const float* first,
                                                       int64_t rows) {
  const __m512 lowest = _mm512_set1_ps(kLowest);
  for (int64_t x = 0; x < row.out_width; ++x) {
    const int64_t x0 = row.first_column(x), x1 = row.end_column(x);
    for (int64_t c = 0; c < row.channels; c += 16) {
      const __mmask16 lanes = lanes_left(row.channels - c);
      __m512 best = lowest;
      for (int64_t y = 0; y < rows; ++y)
        for (int64_t ix = x0; ix < x1; ++ix)
          best = max_keeping_nan(best, _mm512_maskz_loadu_ps(lanes, first + y * row.row_floats +
                                                                        ix * row.channels + c));
      _mm512_mask_storeu_ps(row.output + x * row.channels + c, lanes, best);
    }
  }
}

__attribute__((target("avx512f"))) void pool_row_avx512(const Row& row) {
  if (row.folded == nullptr) return windows_avx512(row, row.first, row.rows);
  for (int64_t i = 0; i < row.row_floats; i += 16) {
    const __mmask16 lanes = lanes_left(row.row_floats - i);
    __m512 best = _mm512_maskz_loadu_ps(lanes, row.first + i);
    for (int64_t y = 1; y < row.rows; ++y)
      best =
          max_keeping_nan(best, _mm512_maskz_loadu_ps(lanes, row.first + y * row.row_floats + i));
    _mm512_mask_storeu_ps(row.folded + i, lanes, best);
  }
  windows_avx512(row, row.folded, 1);
}

// Elsewhere: the same passes as loops the compiler vectorizes for the CPU it finds.
inline bool wins(float v, float best) {
  return v > best || v != v;
}

__attribute__((target_clones("avx2", "default"))) void windows_portable(const Row& row,
                                                                        const float* first,
                                                                        int64_t rows) {
  for (int64_t x = 0; x < row.out_width; ++x) {
    float* out = row.output + x * row.channels;
    std::fill(out, out + row.channels, kLowest);
    for (int64_t y = 0; y < rows; ++y)
      for (int64_t ix = row.first_column(x); ix < row.end_column(x); ++ix) {
        const float* v = first + y * row.row_floats + ix * row.channels;
        for (int64_t c = 0; c < row.channels; ++c) out[c] = wins(v[c], out[c]) ? v[c] : out[c];
      }
  }
}

__attribute__((target_clones("avx2", "default"))) void pool_row_portable(const Row& row) {
  if (row.folded == nullptr) return windows_portable(row, row.first, row.rows);
  std::copy(row.first, row.first + row.row_floats, row.folded);
  for (int64_t y = 1; y < row.rows; ++y) {
    const float* input = row.first + y * row.row_floats;
    for (int64_t i = 0; i < row.row_floats; ++i)
      row.folded[i] = wins(input[i], row.folded[i]) ? input[i] : row.folded[i];
  }
  windows_portable(row, row.folded, 1);
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
  // Windows that overlap along either axis are folded: each chunk of rows has a scratch row.
  const bool overlapping = kernel[0] > stride[0] || kernel[1] > stride[1];
  at::parallel_for(0, batch * out_height, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> folded(overlapping ? width * channels : 0);
    for (int64_t index = begin; index < end; ++index) {
      const int64_t image = index / out_height, y = index % out_height;
      const int64_t top = std::max<int64_t>(y * stride[0] - padding[0], 0);
      const int64_t bottom = std::min(y * stride[0] - padding[0] + kernel[0], height);
      const Row row{source + (image * height + top) * width * channels,
                    bottom - top,
                    width * channels,
                    overlapping ? folded.data() : nullptr,
                    destination + index * out_width * channels,
                    width,
                    channels,
                    out_width,
                    stride[1],
                    padding[1],
                    kernel[1]};
      avx512 ? pool_row_avx512(row) : pool_row_portable(row);
    }
  });
  return output;
}

}  // namespace ramiel::kernels
