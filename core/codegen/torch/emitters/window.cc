#include "core/codegen/torch/emitters/window.h"

#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {

std::vector<int64_t> Window::torch_pads() const {
  std::vector<int64_t> out;
  for (size_t i = spatial(); i-- > 0;) {
    out.push_back(pads_begin[i]);
    out.push_back(pads_end[i]);
  }
  return out;
}

StatusOr<Window> read_window(const EmitContext& ctx, std::vector<int64_t> kernel) {
  Window w;
  const size_t n = kernel.size();
  w.kernel = std::move(kernel);
  auto list = [&](const char* name, int64_t fallback,
                  size_t size) -> StatusOr<std::vector<int64_t>> {
    RAMIEL_ASSIGN_OR_RETURN(auto values, ctx.ints_attr(name));
    if (!values) return std::vector<int64_t>(size, fallback);
    if (values->size() != size) {
      return ctx.invalid("attribute " + std::string(name) + "=" + ints_text(*values) + " needs " +
                         std::to_string(size) + " values");
    }
    return *values;
  };
  RAMIEL_ASSIGN_OR_RETURN(w.strides, list("strides", 1, n));
  RAMIEL_ASSIGN_OR_RETURN(w.dilations, list("dilations", 1, n));
  RAMIEL_ASSIGN_OR_RETURN(std::vector<int64_t> pads, list("pads", 0, 2 * n));
  w.pads_begin.assign(pads.begin(), pads.begin() + static_cast<ptrdiff_t>(n));
  w.pads_end.assign(pads.begin() + static_cast<ptrdiff_t>(n), pads.end());

  RAMIEL_ASSIGN_OR_RETURN(std::string auto_pad, ctx.string_attr("auto_pad", "NOTSET"));
  if (auto_pad == "VALID") {
    w.pads_begin.assign(n, 0);
    w.pads_end.assign(n, 0);
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    auto shape = ctx.input_shape(0);
    if (!shape || shape->size() != n + 2) {
      return ctx.unsupported_attribute("auto_pad", auto_pad, "the input's shape is unknown");
    }
    for (size_t i = 0; i < n; ++i) {
      const int64_t in = (*shape)[i + 2];
      if (!known(in)) {
        return ctx.unsupported_attribute("auto_pad", auto_pad, "the input's shape is unknown");
      }
      const int64_t out = (in + w.strides[i] - 1) / w.strides[i];
      const int64_t extent = (w.kernel[i] - 1) * w.dilations[i] + 1;
      const int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[i] + extent - in);
      const int64_t small = total / 2;
      w.pads_begin[i] = auto_pad == "SAME_UPPER" ? small : total - small;
      w.pads_end[i] = total - w.pads_begin[i];
    }
  } else if (auto_pad != "NOTSET") {
    return ctx.unsupported_attribute("auto_pad", auto_pad);
  }
  for (int64_t s : w.strides) {
    if (s < 1) return ctx.invalid("strides must be positive, not " + ints_text(w.strides));
  }
  return w;
}

int64_t torch_pooled_size(int64_t input, int64_t kernel, int64_t stride, int64_t dilation,
                          int64_t padding, bool ceil_mode) {
  const int64_t span = input + 2 * padding - dilation * (kernel - 1) - 1;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  // torch drops a last window that would start in the right padding.
  if (ceil_mode && (out - 1) * stride >= input + padding) --out;
  return out;
}

}  // namespace ramiel::codegen::emitters
