#include "core/passes/fold/slice_params.h"

#include <algorithm>
#include <limits>

#include "core/passes/fold/index_math.h"
#include "core/passes/operands.h"

namespace ramiel::passes::fold {
namespace {

// Clamps start/end as Slice-13 specifies: negative counts from the back, then into the range
// reachable with the step's direction.
SliceAxis clamp_axis(int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (dim == 0) return {0, step, 0};
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  int64_t count = 0;
  if (step > 0) {
    start = std::clamp(start, int64_t{0}, dim);
    end = std::clamp(end, int64_t{0}, dim);
    if (end > start) count = (end - start - 1) / step + 1;
  } else {
    start = std::clamp(start, int64_t{0}, dim - 1);
    end = std::clamp(end, int64_t{-1}, dim - 1);
    // -INT64_MIN overflows; any step that large reads one element anyway.
    const int64_t stride = step == std::numeric_limits<int64_t>::min() ? dim : -step;
    if (start > end) count = (start - end - 1) / stride + 1;
  }
  return {start, step, count};
}

}  // namespace

std::optional<std::vector<SliceAxis>> resolve_slice(const ir::Node& node,
                                                    const ir::Shape& data_shape) {
  const auto rank = static_cast<int64_t>(data_shape.size());
  IntsOperand starts = ints_operand(node, 1);
  IntsOperand ends = ints_operand(node, 2);
  IntsOperand axes = ints_operand(node, 3);
  IntsOperand steps = ints_operand(node, 4);
  if (!starts.values || !ends.values || starts.values->size() != ends.values->size()) {
    return std::nullopt;
  }
  const size_t n = starts.values->size();
  std::vector<int64_t> axis_list;
  if (axes.present) {
    if (!axes.values || axes.values->size() != n) return std::nullopt;
    auto normalized = normalize_axes(*axes.values, rank);
    if (!normalized) return std::nullopt;
    axis_list = *normalized;
  } else {
    if (static_cast<int64_t>(n) > rank) return std::nullopt;
    for (size_t i = 0; i < n; ++i) axis_list.push_back(static_cast<int64_t>(i));
  }
  std::vector<int64_t> step_list(n, 1);
  if (steps.present) {
    if (!steps.values || steps.values->size() != n) return std::nullopt;
    step_list = *steps.values;
  }

  std::vector<SliceAxis> out;
  for (int64_t dim : data_shape) {
    if (dim < 0) return std::nullopt;
    out.push_back({0, 1, dim});
  }
  for (size_t i = 0; i < n; ++i) {
    if (step_list[i] == 0) return std::nullopt;
    const auto axis = static_cast<size_t>(axis_list[i]);
    out[axis] = clamp_axis(data_shape[axis], (*starts.values)[i], (*ends.values)[i], step_list[i]);
  }
  return out;
}

}  // namespace ramiel::passes::fold
