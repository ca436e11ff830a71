// A tiny builder of one-node graphs for the cost tests.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/ir/graph.h"

namespace ramiel::cost::testing {

// Shapes written as {} mean "scalar"; std::nullopt means "rank unknown".
using MaybeShape = std::optional<ir::Shape>;

class OneNode {
 public:
  // A float32 graph input (or, with `constant`, a data-less float32 constant).
  ir::Value* input(const MaybeShape& shape, bool constant = false) {
    std::string name = graph_.unique_value_name("in");
    if (constant) {
      return graph_.add_constant(name, ir::Tensor::without_data(ir::DType::kFloat32, *shape),
                                 ir::ConstantOrigin::kModel);
    }
    return graph_.add_input(name, {ir::DType::kFloat32, shape});
  }
  // The node under test, with float32 outputs of the given shapes.
  const ir::Node& node(ir::OpKind op, const std::vector<ir::Value*>& inputs,
                       const std::vector<MaybeShape>& outputs, ir::Attributes attributes = {}) {
    return named(graph_.unique_node_name("node"), op, inputs, outputs, std::move(attributes));
  }
  // The same, named `name` (unique in the graph).
  const ir::Node& named(const std::string& name, ir::OpKind op, const std::vector<ir::Value*>& inputs,
                        const std::vector<MaybeShape>& outputs, ir::Attributes attributes = {}) {
    std::vector<ir::OutputSpec> specs;
    for (const MaybeShape& shape : outputs) {
      specs.push_back({graph_.unique_value_name("out"), {ir::DType::kFloat32, shape}});
    }
    return *graph_.add_node(op, name, inputs, specs, std::move(attributes), 13);
  }
  // For nodes of other types than float32.
  ir::Graph& graph() { return graph_; }

 private:
  ir::Graph graph_;
};

}  // namespace ramiel::cost::testing
