// How ops derive output shapes from input shapes and constant parameters, per ONNX opset.
// Shared by the evaluators (which also compute contents) and shape refinement (which needs only
// shapes). Each returns nullopt when a parameter is not a known constant or is invalid.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/ir/graph.h"

namespace ramiel::passes::fold {

// The dims [begin, end) Shape returns for an input of `rank` (start/end attributes from 15).
std::pair<size_t, size_t> shape_op_range(const ir::Node& node, size_t rank);

// Reshape: target from attribute "shape" (opset < 5) or input 1; 0 copies a dim unless
// allowzero (opset 14); one -1 is inferred.
std::optional<ir::Shape> reshape_result(const ir::Node& node, const ir::Shape& data);
std::optional<ir::Shape> flatten_result(const ir::Node& node, const ir::Shape& data);
// Squeeze and Unsqueeze: axes attribute before opset 13, input from 13.
std::optional<ir::Shape> squeeze_result(const ir::Node& node, const ir::Shape& data);
std::optional<ir::Shape> unsqueeze_result(const ir::Node& node, const ir::Shape& data);
std::optional<ir::Shape> expand_result(const ir::Node& node, const ir::Shape& data);
std::optional<ir::Shape> tile_result(const ir::Node& node, const ir::Shape& data);
// Transpose's permutation (default: the axes reversed), checked against `rank`.
std::optional<std::vector<int64_t>> transpose_perm(const ir::Node& node, size_t rank);

// A result shape and the (normalized) axis the op works along.
struct AxisResult {
  size_t axis = 0;
  ir::Shape shape;
};
std::optional<AxisResult> concat_result(const ir::Node& node, const std::vector<ir::Shape>& inputs);
std::optional<AxisResult> gather_result(const ir::Node& node, const ir::Shape& data,
                                        const ir::Shape& indices);

// Split: sizes along `axis` per output (attribute before opset 13, input from 13, else even).
struct SplitParts {
  size_t axis = 0;
  std::vector<int64_t> sizes;
};
std::optional<SplitParts> split_parts(const ir::Node& node, const ir::Shape& data);

// Reduce*: which axes are reduced (attribute, or input from opset 13 for ReduceSum and 18 for
// the others), and the result shape.
struct ReduceAxes {
  std::vector<bool> reduced;  // per input axis
  bool identity = false;      // noop_with_empty_axes with no axes: the input unchanged
  ir::Shape shape;            // the result
};
std::optional<ReduceAxes> reduce_axes(const ir::Node& node, const ir::Shape& data);

// MatMul with numpy semantics (1-D operands, broadcast batch dims) and Gemm (transA, transB).
std::optional<ir::Shape> matmul_result(const ir::Shape& a, const ir::Shape& b);
std::optional<ir::Shape> gemm_result(const ir::Node& node, const ir::Shape& a, const ir::Shape& b);

}  // namespace ramiel::passes::fold
