#include "core/passes/fold/index_math.h"

#include <algorithm>
#include <cstring>

#include "core/support/check.h"
#include "core/support/checked_math.h"

namespace ramiel::passes::fold {
namespace {

// Shapes reach index arithmetic only once ir::element_count() could count them, which bounds
// every partial product; an overflow here is a bug, and stops rather than indexing out of
// bounds.
int64_t multiply(int64_t a, int64_t b) {
  auto product = checked_mul(a, b);
  RAMIEL_CHECK(product.has_value());
  return *product;
}

}  // namespace

std::vector<int64_t> strides_of(const ir::Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i > 1; --i) {
    strides[i - 2] = multiply(strides[i - 1], shape[i - 1]);
  }
  return strides;
}

int64_t product(const ir::Shape& shape, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end; ++i) p = multiply(p, shape[i]);
  return p;
}

std::optional<int64_t> normalize_axis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

std::optional<std::vector<int64_t>> normalize_axes(const std::vector<int64_t>& axes, int64_t rank) {
  std::vector<int64_t> out;
  // Linear in the axes: a model may list a million of them.
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(rank, 0)), false);
  for (int64_t axis : axes) {
    auto normalized = normalize_axis(axis, rank);
    if (!normalized || seen[static_cast<size_t>(*normalized)]) return std::nullopt;
    seen[static_cast<size_t>(*normalized)] = true;
    out.push_back(*normalized);
  }
  return out;
}

std::optional<ir::Shape> broadcast_shapes(const std::vector<ir::Shape>& shapes) {
  size_t rank = 0;
  for (const ir::Shape& s : shapes) rank = std::max(rank, s.size());
  ir::Shape out(rank, 1);
  for (const ir::Shape& s : shapes) {
    const size_t offset = rank - s.size();
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t& dim = out[offset + i];
      if (s[i] == dim || s[i] == 1) continue;
      if (dim != 1) return std::nullopt;
      dim = s[i];
    }
  }
  return out;
}

std::vector<int64_t> broadcast_sources(const ir::Shape& in, const ir::Shape& out) {
  RAMIEL_CHECK(in.size() <= out.size());
  // Strides of `in` aligned to `out`, zero where `in` is broadcast.
  const std::vector<int64_t> in_strides = strides_of(in);
  std::vector<int64_t> strides(out.size(), 0);
  const size_t offset = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) strides[offset + i] = in[i] == 1 ? 0 : in_strides[i];
  std::vector<int64_t> sources;
  sources.reserve(static_cast<size_t>(ir::element_count(out).value_or(0)));
  for_each_index(out, [&](const std::vector<int64_t>& index) {
    int64_t flat = 0;
    for (size_t i = 0; i < index.size(); ++i) flat += index[i] * strides[i];
    sources.push_back(flat);
  });
  return sources;
}

ir::Tensor gather_elements(const ir::Tensor& in, ir::Shape shape,
                           const std::vector<int64_t>& source) {
  const size_t width = ir::dtype_size(in.dtype());
  RAMIEL_CHECK(width > 0);
  std::vector<uint8_t> raw(source.size() * width);
  const auto count = static_cast<int64_t>(in.raw().size() / width);
  for (size_t i = 0; i < source.size(); ++i) {
    RAMIEL_CHECK(source[i] >= 0 && source[i] < count);  // never read outside the input
    std::memcpy(raw.data() + i * width, in.raw().data() + static_cast<size_t>(source[i]) * width,
                width);
  }
  return ir::Tensor(in.dtype(), std::move(shape), std::move(raw));
}

ir::Tensor with_shape(const ir::Tensor& in, ir::Shape shape) {
  return ir::Tensor(in.dtype(), std::move(shape), in.raw());
}

}  // namespace ramiel::passes::fold
