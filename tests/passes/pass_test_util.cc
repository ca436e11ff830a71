#include "tests/passes/pass_test_util.h"

#include <gtest/gtest.h>

#include "core/frontend/normalize_operands.h"
#include "core/ir/verifier.h"
#include "core/passes/fold_constants.h"

namespace ramiel::passes::testing {

std::optional<std::vector<ir::Tensor>> FoldOne::run() const {
  ir::Graph graph;
  graph.opset = opset;
  std::vector<ir::Value*> values;
  for (size_t i = 0; i < inputs.size(); ++i) {
    values.push_back(inputs[i] ? graph.add_constant("in" + std::to_string(i), *inputs[i],
                                                    ir::ConstantOrigin::kModel)
                               : nullptr);
  }
  std::vector<ir::OutputSpec> specs;
  for (int k = 0; k < outputs; ++k) specs.push_back({"out" + std::to_string(k), unknown_type()});
  ir::Node* node = graph.add_node(op, "node", values, specs, attributes);
  graph.set_outputs(node->outputs());
  frontend::normalize_operands(graph);  // older opsets' attributes as inputs, as imported
  PassContext context;
  context.max_folded_elements = max_elements;
  StatusOr<bool> changed = fold_constants(graph, context);
  EXPECT_TRUE(changed.ok()) << changed.status().to_string();
  EXPECT_TRUE(ir::verify_graph(graph).ok());
  if (!changed.ok() || !*changed) return std::nullopt;
  std::vector<ir::Tensor> results;
  for (int k = 0; k < outputs; ++k) {
    const ir::Value* out = graph.find_value("out" + std::to_string(k));
    EXPECT_TRUE(out && out->is_constant());
    if (!out || !out->is_constant()) return std::nullopt;
    EXPECT_EQ(out->constant_origin(), ir::ConstantOrigin::kFolded);
    results.push_back(*out->constant());
  }
  return results;
}

std::optional<ir::Tensor> FoldOne::result() const {
  EXPECT_EQ(outputs, 1);
  auto results = run();
  if (!results) return std::nullopt;
  return (*results)[0];
}

}  // namespace ramiel::passes::testing
