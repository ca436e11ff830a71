// Models older than opset 7 are upgraded with ONNX's version converter before import.
#include <gtest/gtest.h>

#include "core/frontend/onnx_import.h"
#include "core/ir/printer.h"
#include "tests/frontend/model_builder.h"

namespace ramiel::frontend {
namespace {

using testing::ModelBuilder;

TEST(OpsetUpgradeTest, Opset6ModelImportsAsOpset7WithItsAttributes) {
  ModelBuilder m(6);
  m.input("x", {2, 3}).output("y", {2, 3});
  auto& node = m.node("Elu", {"x"}, {"y"}, "elu");
  auto* alpha = node.add_attribute();
  alpha->set_name("alpha");
  alpha->set_type(onnx::AttributeProto::FLOAT);
  alpha->set_f(0.5f);
  m.proto().set_ir_version(3);
  auto result = import_onnx(m.bytes(), {});
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  EXPECT_EQ(result->graph->opset, kMinOpset);
  ASSERT_EQ(result->graph->num_nodes(), 1u);
  const ir::Node& elu = *result->graph->nodes().front();
  EXPECT_EQ(elu.opset(), kMinOpset);
  EXPECT_EQ(elu.attributes().find_float("alpha"), 0.5f);
  EXPECT_EQ(result->graph->find_value("y")->type().shape, (ir::Shape{2, 3}));
}

TEST(OpsetUpgradeTest, Opset1AttributesRemovedSinceAreDropped) {
  // Opset 1's consumed_inputs attribute (gone since opset 6) must not survive the upgrade.
  ModelBuilder m(1);
  m.input("x", {4}).output("y", {4});
  ModelBuilder::ints_attr(m.node("Relu", {"x"}, {"y"}, "relu"), "consumed_inputs", {0});
  m.proto().set_ir_version(3);
  auto result = import_onnx(m.bytes(), {});
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  EXPECT_EQ(result->graph->opset, kMinOpset);
  ASSERT_EQ(result->graph->num_nodes(), 1u);
  EXPECT_FALSE(result->graph->nodes().front()->attributes().has("consumed_inputs"));
  EXPECT_NE(print_graph(*result->graph).find("Relu(%x)"), std::string::npos);
}

TEST(OpsetUpgradeTest, AnOpTheConverterCannotUpgradeNamesBothOpsets) {
  ModelBuilder m(5);
  m.input("x", {4}).output("y", {4});
  m.node("NoSuchOperator", {"x"}, {"y"}, "mystery");
  m.proto().set_ir_version(3);
  auto result = import_onnx(m.bytes(), {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnimplemented) << result.status().to_string();
  EXPECT_NE(result.status().message().find("opset 5"), std::string::npos)
      << result.status().message();
}

// Before opset 7 a 1-D slope is per channel (axis 1); the import makes that explicit as [C, 1, 1]
// so that numpy broadcasting, which opset 7 on uses, reads it the same way.
TEST(OpsetUpgradeTest, PReluSlopeBeforeOpset7IsPerChannel) {
  ModelBuilder m(6);
  m.input("x", {1, 3, 4, 3}).output("y", {1, 3, 4, 3});
  m.initializer("slope", {3}, {0.1f, 0.2f, 0.3f});
  m.node("PRelu", {"x", "slope"}, {"y"}, "prelu");
  auto result = import_onnx(m.bytes(), {});
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  const ir::Node* prelu = result->graph->find_value("y")->producer();
  ASSERT_NE(prelu, nullptr);
  EXPECT_EQ(prelu->input(1)->type().shape, (ir::Shape{3, 1, 1}));
}

// broadcast=1 with axis=1: B [3, 4] lines up with A's dims 1 and 2, so it becomes [3, 4, 1]
// (onnx's adapter made it [3, 4, 1, 1] and asserted).
TEST(OpsetUpgradeTest, BroadcastWithAnAxisLinesTheOperandUpThere) {
  ModelBuilder m(6);
  m.input("a", {2, 3, 4, 5}).output("y", {2, 3, 4, 5});
  m.initializer("b", {3, 4}, std::vector<float>(12, 1.0f));
  auto& add = m.node("Add", {"a", "b"}, {"y"}, "add");
  ModelBuilder::int_attr(add, "broadcast", 1);
  ModelBuilder::int_attr(add, "axis", 1);
  auto result = import_onnx(m.bytes(), {});
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  const ir::Node* sum = result->graph->find_value("y")->producer();
  ASSERT_NE(sum, nullptr);
  EXPECT_EQ(sum->input(1)->type().shape, (ir::Shape{3, 4, 1}));
  EXPECT_FALSE(sum->attributes().has("axis"));
}

}  // namespace
}  // namespace ramiel::frontend
