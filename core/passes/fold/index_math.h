// Index arithmetic for evaluators: strides, axes, numpy broadcasting and element gathering.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/ir/tensor.h"

namespace ramiel::passes::fold {

// Row-major strides in elements.
std::vector<int64_t> strides_of(const ir::Shape& shape);
// Product of dims [begin, end).
int64_t product(const ir::Shape& shape, size_t begin, size_t end);
// An axis in [-rank, rank) as a non-negative one, or nullopt when out of range.
std::optional<int64_t> normalize_axis(int64_t axis, int64_t rank);
// Axes normalized against `rank`, or nullopt when one is out of range or repeated.
std::optional<std::vector<int64_t>> normalize_axes(const std::vector<int64_t>& axes, int64_t rank);

// The numpy broadcast of `shapes` (right-aligned, dims equal or 1), or nullopt.
std::optional<ir::Shape> broadcast_shapes(const std::vector<ir::Shape>& shapes);
// For each element of a tensor of shape `out` (row-major), the flat index of the element of a
// tensor of shape `in` that broadcasting reads.
std::vector<int64_t> broadcast_sources(const ir::Shape& in, const ir::Shape& out);

// Calls visit(index) for each multi-index of `shape` in row-major order.
template <typename F>
void for_each_index(const ir::Shape& shape, F&& visit) {
  for (int64_t dim : shape) {
    if (dim <= 0) return;
  }
  std::vector<int64_t> index(shape.size(), 0);
  while (true) {
    visit(static_cast<const std::vector<int64_t>&>(index));
    size_t axis = shape.size();
    while (axis > 0) {
      --axis;
      if (++index[axis] < shape[axis]) break;
      index[axis] = 0;
      if (axis == 0) return;
    }
    if (shape.empty()) return;
  }
}

// A tensor of `shape` whose i-th element is element source[i] of `in` (bytes copied, any dtype
// but string).
ir::Tensor gather_elements(const ir::Tensor& in, ir::Shape shape,
                           const std::vector<int64_t>& source);
// The same contents under another shape with as many elements.
ir::Tensor with_shape(const ir::Tensor& in, ir::Shape shape);

}  // namespace ramiel::passes::fold
