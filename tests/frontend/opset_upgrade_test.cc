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

}  // namespace
}  // namespace ramiel::frontend
