#include "core/passes/fold/shape_rules.h"

#include <algorithm>

#include "core/passes/fold/index_math.h"
#include "core/passes/operands.h"
#include "core/support/checked_math.h"

namespace ramiel::passes::fold {

using ir::Shape;

// Shape's start and end (attributes from opset 15; absent, the whole shape).
std::pair<size_t, size_t> shape_op_range(const ir::Node& node, size_t rank) {
  const auto r = static_cast<int64_t>(rank);
  // Clamped, negative from the back.
  auto clamp = [r](int64_t i) {
    return static_cast<size_t>(std::clamp(i < 0 ? i + r : i, int64_t{0}, r));
  };
  const size_t begin = clamp(node.attributes().get_int("start", 0));
  const size_t end = clamp(node.attributes().get_int("end", r));
  return {begin, std::max(begin, end)};
}

std::optional<Shape> reshape_result(const ir::Node& node, const Shape& data) {
  auto spec = constant_ints(node, 1);
  if (!spec) return std::nullopt;
  const bool allow_zero = node.attributes().get_int("allowzero", 0) != 0;  // from opset 14
  return ir::reshaped(data, *spec, allow_zero);
}

std::optional<Shape> flatten_result(const ir::Node& node, const Shape& data) {
  const auto rank = static_cast<int64_t>(data.size());
  int64_t axis = node.attributes().get_int("axis", 1);
  if (axis < 0) axis += rank;  // negative axes since opset 11
  if (axis < 0 || axis > rank) return std::nullopt;
  const auto split = static_cast<size_t>(axis);
  return Shape{product(data, 0, split), product(data, split, data.size())};
}

std::optional<Shape> squeeze_result(const ir::Node& node, const Shape& data) {
  IntsOperand axes = ints_operand(node, 1);
  std::vector<bool> drop(data.size(), false);
  if (!axes.present) {
    for (size_t i = 0; i < data.size(); ++i) drop[i] = data[i] == 1;
  } else {
    if (!axes.values) return std::nullopt;
    auto normalized = normalize_axes(*axes.values, static_cast<int64_t>(data.size()));
    if (!normalized) return std::nullopt;
    for (int64_t a : *normalized) {
      if (data[static_cast<size_t>(a)] != 1) return std::nullopt;
      drop[static_cast<size_t>(a)] = true;
    }
  }
  Shape out;
  for (size_t i = 0; i < data.size(); ++i) {
    if (!drop[i]) out.push_back(data[i]);
  }
  return out;
}

std::optional<Shape> unsqueeze_result(const ir::Node& node, const Shape& data) {
  IntsOperand axes = ints_operand(node, 1);
  if (!axes.values) return std::nullopt;
  // Axes count in the result's rank.
  const auto rank = static_cast<int64_t>(data.size() + axes.values->size());
  auto normalized = normalize_axes(*axes.values, rank);
  if (!normalized) return std::nullopt;
  std::vector<bool> inserted(static_cast<size_t>(rank), false);
  for (int64_t a : *normalized) inserted[static_cast<size_t>(a)] = true;
  Shape out;
  size_t next = 0;
  for (int64_t i = 0; i < rank; ++i)
    out.push_back(inserted[static_cast<size_t>(i)] ? 1 : data[next++]);
  return out;
}

std::optional<Shape> expand_result(const ir::Node& node, const Shape& data) {
  auto shape = constant_ints(node, 1);
  if (!shape) return std::nullopt;
  for (int64_t dim : *shape) {
    if (dim < 0) return std::nullopt;
  }
  return broadcast_shapes({data, *shape});
}

std::optional<Shape> tile_result(const ir::Node& node, const Shape& data) {
  auto repeats = constant_ints(node, 1);
  if (!repeats || repeats->size() != data.size()) return std::nullopt;
  Shape out;
  for (size_t i = 0; i < data.size(); ++i) {
    if ((*repeats)[i] < 0) return std::nullopt;
    auto dim = checked_mul(data[i], (*repeats)[i]);
    if (!dim) return std::nullopt;
    out.push_back(*dim);
  }
  return out;
}

std::optional<std::vector<int64_t>> transpose_perm(const ir::Node& node, size_t rank) {
  std::vector<int64_t> perm;
  for (size_t i = rank; i > 0; --i) perm.push_back(static_cast<int64_t>(i - 1));
  perm = node.attributes().get_ints("perm", perm);
  auto normalized = normalize_axes(perm, static_cast<int64_t>(rank));
  if (!normalized || normalized->size() != rank) return std::nullopt;
  return normalized;
}

std::optional<AxisResult> concat_result(const ir::Node& node, const std::vector<Shape>& inputs) {
  if (inputs.empty()) return std::nullopt;
  auto axis_attribute = node.attributes().find_int("axis");  // required (from opset 4)
  if (!axis_attribute) return std::nullopt;
  const Shape& first = inputs[0];
  auto axis = normalize_axis(*axis_attribute, static_cast<int64_t>(first.size()));
  if (!axis) return std::nullopt;
  AxisResult result{static_cast<size_t>(*axis), first};
  result.shape[result.axis] = 0;
  for (const Shape& s : inputs) {
    if (s.size() != first.size()) return std::nullopt;
    for (size_t i = 0; i < s.size(); ++i) {
      if (i != result.axis && s[i] != first[i]) return std::nullopt;
    }
    auto sum = checked_add(result.shape[result.axis], s[result.axis]);
    if (!sum) return std::nullopt;
    result.shape[result.axis] = *sum;
  }
  return result;
}

std::optional<AxisResult> gather_result(const ir::Node& node, const Shape& data,
                                        const Shape& indices) {
  auto axis =
      normalize_axis(node.attributes().get_int("axis", 0), static_cast<int64_t>(data.size()));
  if (!axis) return std::nullopt;
  AxisResult result{static_cast<size_t>(*axis), Shape(data.begin(), data.begin() + *axis)};
  result.shape.insert(result.shape.end(), indices.begin(), indices.end());
  result.shape.insert(result.shape.end(), data.begin() + *axis + 1, data.end());
  return result;
}

std::optional<SplitParts> split_parts(const ir::Node& node, const Shape& data) {
  auto axis =
      normalize_axis(node.attributes().get_int("axis", 0), static_cast<int64_t>(data.size()));
  const auto parts = static_cast<int64_t>(node.num_outputs());
  if (!axis || parts == 0) return std::nullopt;
  SplitParts result{static_cast<size_t>(*axis), {}};
  const int64_t dim = data[result.axis];
  // Opset 18's uneven last part (num_outputs) is beyond the opsets Ramiel reads.
  IntsOperand split = ints_operand(node, 1);
  if (split.present) {
    if (!split.values || static_cast<int64_t>(split.values->size()) != parts) return std::nullopt;
    result.sizes = *split.values;
  } else {
    if (dim % parts != 0) return std::nullopt;
    result.sizes.assign(static_cast<size_t>(parts), dim / parts);
  }
  int64_t total = 0;
  for (int64_t s : result.sizes) {
    if (s < 0) return std::nullopt;
    auto sum = checked_add(total, s);
    if (!sum) return std::nullopt;
    total = *sum;
  }
  if (total != dim) return std::nullopt;
  return result;
}

std::optional<ReduceAxes> reduce_axes(const ir::Node& node, const Shape& data) {
  IntsOperand axes = ints_operand(node, 1);
  if (axes.present && !axes.values) return std::nullopt;
  ReduceAxes result;
  result.reduced.assign(data.size(), true);
  if (axes.present && !axes.values->empty()) {
    auto normalized = normalize_axes(*axes.values, static_cast<int64_t>(data.size()));
    if (!normalized) return std::nullopt;
    result.reduced.assign(data.size(), false);
    for (int64_t a : *normalized) result.reduced[static_cast<size_t>(a)] = true;
  } else if (node.attributes().get_int("noop_with_empty_axes", 0) != 0) {
    result.reduced.assign(data.size(), false);
    result.identity = true;
    result.shape = data;
    return result;
  }
  const bool keep_dims = node.attributes().get_int("keepdims", 1) != 0;
  for (size_t i = 0; i < data.size(); ++i) {
    if (!result.reduced[i]) {
      result.shape.push_back(data[i]);
    } else if (keep_dims) {
      result.shape.push_back(1);
    }
  }
  return result;
}

std::optional<Shape> matmul_result(const Shape& a, const Shape& b) {
  if (a.empty() || b.empty()) return std::nullopt;
  // 1-D operands become matrices ([k] -> [1, k] on the left, [k, 1] on the right) and lose
  // that dim again in the result.
  Shape left = a.size() == 1 ? Shape{1, a[0]} : a;
  Shape right = b.size() == 1 ? Shape{b[0], 1} : b;
  if (left.back() != right[right.size() - 2]) return std::nullopt;
  auto batch = broadcast_shapes(
      {Shape(left.begin(), left.end() - 2), Shape(right.begin(), right.end() - 2)});
  if (!batch) return std::nullopt;
  Shape out = *batch;
  if (a.size() > 1) out.push_back(left[left.size() - 2]);
  if (b.size() > 1) out.push_back(right.back());
  return out;
}

std::optional<Shape> gemm_result(const ir::Node& node, const Shape& a, const Shape& b) {
  if (a.size() != 2 || b.size() != 2) return std::nullopt;
  const bool trans_a = node.attributes().get_int("transA", 0) != 0;
  const bool trans_b = node.attributes().get_int("transB", 0) != 0;
  const int64_t m = trans_a ? a[1] : a[0];
  const int64_t k = trans_a ? a[0] : a[1];
  const int64_t kb = trans_b ? b[1] : b[0];
  const int64_t n = trans_b ? b[0] : b[1];
  if (k != kb) return std::nullopt;
  return Shape{m, n};
}

}  // namespace ramiel::passes::fold
