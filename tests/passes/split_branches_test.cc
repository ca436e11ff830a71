// Branch splitting: a Concat's dominant conv branch is split in two along its output channels.
#include "core/passes/split_branches.h"

#include "core/ir/split_parts.h"

#include <gtest/gtest.h>

#include "core/ir/verifier.h"
#include "tests/passes/pass_test_util.h"

namespace ramiel::passes {
namespace {

using ir::DType;
using ir::OpKind;
using testing::type;

ir::TensorType image(int64_t channels) { return type(DType::kFloat32, {1, channels, 8, 8}); }

// Costs: a Conv costs its output channels x 100 us, anything else 1 us.
PassContext costed(int workers = 2) {
  PassContext context;
  context.workers = workers;
  context.node_cost_us = [](const ir::Node& node) {
    if (node.op() != OpKind::Conv) return 1.0;
    return 100.0 * static_cast<double>((*node.output(0)->type().shape)[1]);
  };
  return context;
}

// x -> Conv(heavy channels) -> Relu ┐
// x -> Conv(light channels)       ├─ Concat(axis 1) -> y
struct Module {
  ir::Graph g;
  ir::Node* heavy;
  ir::Node* relu;
  ir::Node* light;
  ir::Node* concat;
  Module(int64_t heavy_channels, int64_t light_channels) {
    g.opset = 13;
    ir::Value* x = g.add_input("x", image(4));
    auto weight = [&](const std::string& name, int64_t channels) {
      return g.add_constant(name, ir::Tensor::without_data(DType::kFloat32, {channels, 4, 3, 3}),
                            ir::ConstantOrigin::kModel);
    };
    ir::Attributes pads;
    pads.set("pads", std::vector<int64_t>{1, 1, 1, 1});
    heavy = g.add_node(OpKind::Conv, "heavy", {x, weight("wh", heavy_channels)},
                       {{"h", image(heavy_channels)}}, pads);
    relu = g.add_node(OpKind::Relu, "relu", {heavy->output(0)}, {{"r", image(heavy_channels)}});
    light = g.add_node(OpKind::Conv, "light", {x, weight("wl", light_channels)},
                       {{"l", image(light_channels)}}, pads);
    ir::Attributes axis;
    axis.set("axis", int64_t{1});
    concat = g.add_node(OpKind::Concat, "cat", {relu->output(0), light->output(0)},
                        {{"y", image(heavy_channels + light_channels)}}, axis);
    g.set_outputs({concat->output(0)});
  }
};

TEST(SplitBranchesTest, DominantConvIsSplitAlongItsOutputChannels) {
  Module m(64, 16);
  PassContext context = costed();
  ASSERT_TRUE(*split_branches(m.g, context));
  ASSERT_TRUE(ir::verify_graph(m.g).ok());
  EXPECT_EQ(context.counter(kSplitCounter), 1);

  const ir::Node* cat = m.g.outputs()[0]->producer();
  EXPECT_EQ(m.g.outputs()[0]->name(), "y");  // users keep the ONNX name
  ASSERT_EQ(cat->num_inputs(), 3u);
  // Channel order is kept: first half, second half, then the light branch.
  const ir::Node* first = cat->input(0)->producer();
  const ir::Node* second = cat->input(1)->producer();
  EXPECT_EQ(cat->input(2), m.light->output(0));
  ASSERT_EQ(first->op(), OpKind::Relu);
  ASSERT_EQ(second->op(), OpKind::Relu);
  const ir::Node* conv0 = first->input(0)->producer();
  const ir::Node* conv1 = second->input(0)->producer();
  EXPECT_EQ(conv0->attributes().get_ints(kOutputChannelsAttribute, {}),
            (std::vector<int64_t>{0, 32}));
  EXPECT_EQ(conv1->attributes().get_ints(kOutputChannelsAttribute, {}),
            (std::vector<int64_t>{32, 64}));
  EXPECT_EQ(conv0->input(1), conv1->input(1));  // both read the same weight
  EXPECT_EQ((*conv1->output(0)->type().shape)[1], 32);
  EXPECT_EQ((*second->output(0)->type().shape)[1], 32);
  EXPECT_EQ(conv1->attributes().get_ints("pads", {}), (std::vector<int64_t>{1, 1, 1, 1}));
  // Each part says its share and the second is named after the first, for measured costs.
  for (const ir::Node* part : {conv0, conv1, first, second}) {
    EXPECT_FLOAT_EQ(part->attributes().get_float(ir::kSplitShareAttribute, 0), 0.5f);
  }
  EXPECT_EQ(conv1->name(), conv0->name() + std::string(ir::kSplitPartSuffix));
  EXPECT_EQ(second->name(), first->name() + std::string(ir::kSplitPartSuffix));
}

TEST(SplitBranchesTest, BalancedBranchesSerialCompilesAndUnknownCostsStay) {
  Module balanced(32, 32);
  PassContext context = costed();
  EXPECT_FALSE(*split_branches(balanced.g, context));

  Module serial(64, 16);
  PassContext one_worker = costed(1);
  EXPECT_FALSE(*split_branches(serial.g, one_worker));

  Module uncosted(64, 16);
  PassContext no_costs;
  no_costs.workers = 2;
  EXPECT_FALSE(*split_branches(uncosted.g, no_costs));
  EXPECT_EQ(uncosted.g.num_nodes(), 4u);
}

TEST(SplitBranchesTest, NestedConcatsAreFlattened) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* a = g.add_input("a", image(4));
  ir::Value* b = g.add_input("b", image(4));
  ir::Value* c = g.add_input("c", image(4));
  ir::Attributes axis;
  axis.set("axis", int64_t{1});
  ir::Node* inner = g.add_node(OpKind::Concat, "inner", {a, b}, {{"ab", image(8)}}, axis);
  ir::Node* outer =
      g.add_node(OpKind::Concat, "outer", {inner->output(0), c}, {{"abc", image(12)}}, axis);
  g.set_outputs({outer->output(0)});
  PassContext context = costed();
  ASSERT_TRUE(*split_branches(g, context));
  ASSERT_TRUE(ir::verify_graph(g).ok());
  ASSERT_EQ(g.num_nodes(), 1u);
  const ir::Node* cat = g.outputs()[0]->producer();
  EXPECT_EQ(cat->inputs(), (std::vector<ir::Value*>{a, b, c}));
  EXPECT_EQ(g.outputs()[0]->name(), "abc");
}

}  // namespace
}  // namespace ramiel::passes
