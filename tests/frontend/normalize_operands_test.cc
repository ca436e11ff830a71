// The import gives every op the newest opset's operand layout: parameters that older opsets
// took as attributes arrive as constant inputs.
#include <gtest/gtest.h>

#include "core/frontend/onnx_import.h"
#include "tests/frontend/model_builder.h"

namespace ramiel::frontend {
namespace {

using testing::ModelBuilder;

// The one node of `m`, imported.
struct Imported {
  std::unique_ptr<ir::Graph> graph;
  const ir::Node* node = nullptr;
};

Imported import_one(ModelBuilder& m) {
  auto result = import_onnx(m.bytes(), {});
  EXPECT_TRUE(result.ok()) << result.status().to_string();
  if (!result.ok()) return {};
  Imported imported{std::move(result->graph), nullptr};
  EXPECT_EQ(imported.graph->num_nodes(), 1u);
  imported.node = imported.graph->nodes().front();
  return imported;
}

// Input `i` of `node` as the integers of a constant; empty when it is not one.
std::vector<int64_t> constant_input(const ir::Node& node, size_t i) {
  const ir::Value* value = node.input(i);
  if (!value || !value->is_constant() || !value->constant()->has_data()) return {};
  EXPECT_EQ(value->constant_origin(), ir::ConstantOrigin::kFolded);
  return value->constant()->to_int64();
}

void float_attr(onnx::NodeProto& node, const std::string& name, float v) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}

TEST(NormalizeOperandsTest, Slice9AttributesBecomeInputsOneToThree) {
  ModelBuilder m(9);
  m.input("x", {4, 6}).output("y", {2, 3});
  auto& slice = m.node("Slice", {"x"}, {"y"}, "slice");
  ModelBuilder::ints_attr(slice, "starts", {1, 2});
  ModelBuilder::ints_attr(slice, "ends", {3, 5});
  ModelBuilder::ints_attr(slice, "axes", {0, 1});
  Imported imported = import_one(m);
  ASSERT_TRUE(imported.node);
  const ir::Node& node = *imported.node;
  EXPECT_EQ(node.opset(), 9);  // messages still name the model's opset
  ASSERT_EQ(node.num_inputs(), 4u);
  EXPECT_EQ(constant_input(node, 1), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(constant_input(node, 2), (std::vector<int64_t>{3, 5}));
  EXPECT_EQ(constant_input(node, 3), (std::vector<int64_t>{0, 1}));
  EXPECT_FALSE(node.attributes().has("starts"));
  EXPECT_FALSE(node.attributes().has("axes"));
}

TEST(NormalizeOperandsTest, SqueezeAndReduceAxesBecomeInput1AndAbsentAxesStayAbsent) {
  ModelBuilder m(11);
  m.input("x", {1, 3, 1}).output("y", {3}).output("z", {1, 1, 1});
  ModelBuilder::ints_attr(m.node("Squeeze", {"x"}, {"y"}, "squeeze"), "axes", {0, -1});
  m.node("ReduceMean", {"x"}, {"z"}, "mean");  // no axes: every axis
  auto result = import_onnx(m.bytes(), {});
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  const ir::Node& squeeze = *result->graph->find_node("squeeze");
  EXPECT_EQ(constant_input(squeeze, 1), (std::vector<int64_t>{0, -1}));
  EXPECT_FALSE(squeeze.attributes().has("axes"));
  EXPECT_EQ(result->graph->find_node("mean")->num_inputs(), 1u);
}

TEST(NormalizeOperandsTest, ClipBoundsBecomeScalarsOfTheDataTypeAndAMissingMinStaysOmitted) {
  ModelBuilder m(7);
  m.input("x", {4}).output("y", {4});
  float_attr(m.node("Clip", {"x"}, {"y"}, "clip"), "max", 6.0f);
  Imported imported = import_one(m);
  ASSERT_TRUE(imported.node);
  const ir::Node& clip = *imported.node;
  ASSERT_EQ(clip.num_inputs(), 3u);
  EXPECT_EQ(clip.input(1), nullptr);
  const ir::Tensor& max = *clip.input(2)->constant();
  EXPECT_EQ(max.dtype(), ir::DType::kFloat32);
  EXPECT_TRUE(max.shape().empty());
  EXPECT_EQ(max.to_double(), (std::vector<double>{6.0}));
  EXPECT_FALSE(clip.attributes().has("max"));
}

TEST(NormalizeOperandsTest, PadKeepsAZeroFillImplicitAndMovesAnyOtherFill) {
  for (const float fill : {0.0f, 2.5f}) {
    ModelBuilder m(10);
    m.input("x", {2, 2}).output("y", {2, 4});
    auto& pad = m.node("Pad", {"x"}, {"y"}, "pad");
    ModelBuilder::ints_attr(pad, "pads", {0, 1, 0, 1});
    float_attr(pad, "value", fill);
    Imported imported = import_one(m);
    ASSERT_TRUE(imported.node);
    const ir::Node& node = *imported.node;
    EXPECT_EQ(constant_input(node, 1), (std::vector<int64_t>{0, 1, 0, 1}));
    EXPECT_EQ(node.num_inputs(), fill == 0.0f ? 2u : 3u);
    if (fill != 0.0f) {
      EXPECT_EQ(node.input(2)->constant()->to_double(), (std::vector<double>{2.5}));
    }
    EXPECT_FALSE(node.attributes().has("value"));
  }
}

TEST(NormalizeOperandsTest, TopK1KBecomesAOneElementInput) {
  ModelBuilder m(9);
  m.input("x", {5}).output("v", {2}).output("i", {2}, onnx::TensorProto::INT64);
  ModelBuilder::int_attr(m.node("TopK", {"x"}, {"v", "i"}, "topk"), "k", 2);
  Imported imported = import_one(m);
  ASSERT_TRUE(imported.node);
  EXPECT_EQ(constant_input(*imported.node, 1), (std::vector<int64_t>{2}));
}

TEST(NormalizeOperandsTest, Resize10IsUpsampleAndUpsample7ScalesBecomeInput1) {
  ModelBuilder resize(10);
  resize.input("x", {1, 1, 2, 2}).output("y", {1, 1, 4, 4});
  resize.node("Resize", {"x", "scales"}, {"y"}, "resize");
  auto* scales = resize.proto().mutable_graph()->add_initializer();
  scales->set_name("scales");
  scales->set_data_type(onnx::TensorProto::FLOAT);
  scales->add_dims(4);
  for (float s : {1.0f, 1.0f, 2.0f, 2.0f}) scales->add_float_data(s);
  Imported renamed = import_one(resize);
  ASSERT_TRUE(renamed.node);
  EXPECT_EQ(renamed.node->op(), ir::OpKind::Upsample);

  ModelBuilder upsample(7);
  upsample.input("x", {1, 1, 2, 2}).output("y", {1, 1, 4, 4});
  auto& node = upsample.node("Upsample", {"x"}, {"y"}, "up");
  auto* attribute = node.add_attribute();
  attribute->set_name("scales");
  attribute->set_type(onnx::AttributeProto::FLOATS);
  for (float s : {1.0f, 1.0f, 2.0f, 2.0f}) attribute->add_floats(s);
  Imported moved = import_one(upsample);
  ASSERT_TRUE(moved.node);
  ASSERT_EQ(moved.node->num_inputs(), 2u);
  EXPECT_EQ(moved.node->input(1)->constant()->to_double(), (std::vector<double>{1, 1, 2, 2}));
  EXPECT_FALSE(moved.node->attributes().has("scales"));
}

}  // namespace
}  // namespace ramiel::frontend
