#include "core/frontend/normalize_operands.h"

#include <string>
#include <vector>

namespace ramiel::frontend {
namespace {

using ir::OpKind;

// `tensor` as a new constant read by input `i` of `node`.
void set_constant_input(ir::Graph& graph, ir::Node& node, size_t i, const std::string& parameter,
                        ir::Tensor tensor) {
  ir::Value* value = graph.add_constant(graph.unique_value_name(node.name() + "_" + parameter),
                                        std::move(tensor), ir::ConstantOrigin::kFolded);
  node.set_or_add_input(i, value);
}

// Integer-list attribute `attribute` → 1-D int64 input `i`; absent attributes stay absent.
void move_ints(ir::Graph& graph, ir::Node& node, const std::string& attribute, size_t i) {
  auto values = node.attributes().find_ints(attribute);
  if (!values) return;
  const auto count = static_cast<int64_t>(values->size());
  set_constant_input(graph, node, i, attribute,
                     ir::Tensor::from_int64(ir::DType::kInt64, {count}, *values));
  node.attributes().erase(attribute);
}

// Float attribute `attribute` → a scalar input `i` of the data's dtype (Clip's bounds, Pad's
// value), as the newer opsets take them.
void move_scalar(ir::Graph& graph, ir::Node& node, const std::string& attribute, size_t i) {
  auto value = node.attributes().find_float(attribute);
  if (!value) return;
  node.attributes().erase(attribute);
  set_constant_input(graph, node, i, attribute,
                     ir::Tensor::from_double(node.input(0)->type().dtype, {}, {*value}));
}

bool is_reduce(OpKind op) {
  switch (op) {
    case OpKind::ReduceL1:
    case OpKind::ReduceL2:
    case OpKind::ReduceLogSum:
    case OpKind::ReduceLogSumExp:
    case OpKind::ReduceMax:
    case OpKind::ReduceMean:
    case OpKind::ReduceMin:
    case OpKind::ReduceProd:
    case OpKind::ReduceSum:
    case OpKind::ReduceSumSquare:
      return true;
    default:
      return false;
  }
}

void normalize(ir::Graph& graph, ir::Node& node) {
  const int opset = node.opset();
  switch (node.op()) {
    case OpKind::Slice:
      if (opset < 10) {
        move_ints(graph, node, "starts", 1);
        move_ints(graph, node, "ends", 2);
        move_ints(graph, node, "axes", 3);
      }
      return;
    case OpKind::TopK:
      if (opset < 10) {
        if (auto k = node.attributes().find_int("k")) {
          node.attributes().erase("k");
          set_constant_input(graph, node, 1, "k",
                             ir::Tensor::from_int64(ir::DType::kInt64, {1}, {*k}));
        }
      }
      return;
    case OpKind::Pad:
      if (opset < 11) {
        move_ints(graph, node, "pads", 1);
        // A zero fill is the default either way: no input, as exporters write it.
        if (node.attributes().get_float("value", 0.0f) == 0.0f) node.attributes().erase("value");
        move_scalar(graph, node, "value", 2);
      }
      return;
    case OpKind::Clip:
      if (opset < 11) {
        move_scalar(graph, node, "min", 1);
        move_scalar(graph, node, "max", 2);
      }
      return;
    case OpKind::Squeeze:
    case OpKind::Unsqueeze:
      if (opset < 13) move_ints(graph, node, "axes", 1);
      return;
    case OpKind::Split:
      if (opset < 13) move_ints(graph, node, "split", 1);
      return;
    case OpKind::Upsample:
      if (opset < 9) {
        if (auto scales = node.attributes().find_floats("scales")) {
          node.attributes().erase("scales");
          const auto count = static_cast<int64_t>(scales->size());
          set_constant_input(graph, node, 1, "scales",
                             ir::Tensor::from_double(ir::DType::kFloat32, {count},
                                                     {scales->begin(), scales->end()}));
        }
      }
      return;
    case OpKind::Resize:
      if (opset < 11) node.rename_op(OpKind::Upsample);  // same inputs and attributes
      return;
    case OpKind::RoiAlign:
      // Opset 16 added half-pixel coordinates and made them the default.
      if (opset < 16 && !node.attributes().has("coordinate_transformation_mode"))
        node.attributes().set("coordinate_transformation_mode", std::string("output_half_pixel"));
      return;
    default:
      // ReduceSum took its axes as an input from opset 13, the other Reduce ops from 18.
      if (is_reduce(node.op()) && opset < (node.op() == OpKind::ReduceSum ? 13 : 18))
        move_ints(graph, node, "axes", 1);
      return;
  }
}

}  // namespace

void normalize_operands(ir::Graph& graph) {
  const std::vector<ir::Node*> nodes(graph.nodes().begin(), graph.nodes().end());
  for (ir::Node* node : nodes) {
    normalize(graph, *node);
    for (const auto& [attribute, body] : node->subgraphs()) normalize_operands(*body);
  }
}

}  // namespace ramiel::frontend
