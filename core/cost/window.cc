#include "core/cost/window.h"

#include <algorithm>
#include <string>

namespace ramiel::cost {
namespace {

int64_t at_or(const std::vector<int64_t>& v, size_t i, int64_t fallback) {
  return i < v.size() && v[i] > 0 ? v[i] : fallback;
}

int64_t ceil_div(int64_t a, int64_t b) {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}
int64_t floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -ceil_div(-a, b);
}

}  // namespace

std::vector<int64_t> window_output_dims(const std::vector<int64_t>& input,
                                        const std::vector<int64_t>& kernel,
                                        const ir::Attributes& attributes) {
  const std::vector<int64_t> strides = attributes.get_ints("strides", {});
  const std::vector<int64_t> dilations = attributes.get_ints("dilations", {});
  const std::vector<int64_t> pads = attributes.get_ints("pads", {});
  const std::string auto_pad = attributes.get_string("auto_pad", "NOTSET");
  const bool ceil_mode = attributes.get_int("ceil_mode", 0) != 0;
  const size_t rank = input.size();

  std::vector<int64_t> out(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t in = input[i];
    const int64_t stride = at_or(strides, i, 1);
    const int64_t extent = (at_or(kernel, i, 1) - 1) * at_or(dilations, i, 1) + 1;
    int64_t dim;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      dim = ceil_div(in, stride);
    } else {
      int64_t padded = in - extent;
      if (auto_pad != "VALID") {
        padded += (i < pads.size() ? std::max<int64_t>(pads[i], 0) : 0) +
                  (i + rank < pads.size() ? std::max<int64_t>(pads[i + rank], 0) : 0);
      }
      dim = (ceil_mode ? ceil_div(padded, stride) : floor_div(padded, stride)) + 1;
    }
    out[i] = std::max<int64_t>(dim, 1);
  }
  return out;
}

}  // namespace ramiel::cost
