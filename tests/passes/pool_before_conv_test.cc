// Average pooling moved before the 1x1 convolution that feeds it (DenseNet's transitions).
#include "core/passes/pool_before_conv.h"

#include <gtest/gtest.h>

#include "core/ir/verifier.h"
#include "tests/passes/pass_test_util.h"

namespace ramiel::passes {
namespace {

using ir::DType;
using ir::OpKind;
using testing::attrs;
using testing::type;

using V = std::vector<int64_t>;

// x (1x8x4x4) -> Conv (8 -> 4, kernel k, conv_attrs) -> AveragePool (pool_attrs) -> graph output.
struct Transition {
  ir::Graph g;
  ir::Node* conv = nullptr;
  ir::Node* pool = nullptr;
  Transition(int64_t k, ir::Attributes conv_attrs, ir::Attributes pool_attrs, ir::Shape conv_out,
             ir::Shape pool_out) {
    g.opset = 13;
    ir::Value* x = g.add_input("x", type(DType::kFloat32, {1, 8, 4, 4}));
    ir::Value* w =
        g.add_constant("w", ir::Tensor::without_data(DType::kFloat32, ir::Shape{4, 8, k, k}),
                       ir::ConstantOrigin::kModel);
    ir::Value* b = g.add_constant("b", ir::Tensor::without_data(DType::kFloat32, ir::Shape{4}),
                                  ir::ConstantOrigin::kModel);
    conv = g.add_node(OpKind::Conv, "conv", {x, w, b},
                      {{"conv_out", type(DType::kFloat32, conv_out)}}, std::move(conv_attrs));
    pool = g.add_node(OpKind::AveragePool, "pool", {conv->output(0)},
                      {{"pool_out", type(DType::kFloat32, pool_out)}}, std::move(pool_attrs));
    g.set_outputs({pool->output(0)});
  }
  bool run() {
    PassContext context;
    auto changed = pool_before_conv(g, context);
    EXPECT_TRUE(changed.ok());
    EXPECT_EQ(context.counter(kPooledFirstCounter), changed.ok() && *changed ? 1 : 0);
    return changed.ok() && *changed;
  }
};

ir::Attributes pool_2x2() {
  return attrs({{"kernel_shape", V{2, 2}}, {"strides", V{2, 2}}});
}

TEST(PoolBeforeConvTest, PointwiseConvThenStridedPoolSwap) {
  Transition t(1, {}, pool_2x2(), {1, 4, 4, 4}, {1, 4, 2, 2});
  ASSERT_TRUE(t.run());
  ASSERT_TRUE(ir::verify_graph(t.g).ok());
  ASSERT_EQ(t.g.num_nodes(), 2u);
  const ir::Node* pool = t.g.nodes().front();
  const ir::Node* conv = t.g.nodes().back();
  // The pool reads x and keeps its 8 channels; the convolution reads the pooled pixels.
  EXPECT_EQ(pool->op(), OpKind::AveragePool);
  EXPECT_EQ(pool->input(0)->name(), "x");
  EXPECT_EQ(*pool->output(0)->type().shape, (ir::Shape{1, 8, 2, 2}));
  EXPECT_EQ(pool->attributes().find_ints("kernel_shape"), (V{2, 2}));
  EXPECT_EQ(conv->op(), OpKind::Conv);
  EXPECT_EQ(conv->input(0), pool->output(0));
  EXPECT_EQ(conv->input(1)->name(), "w");
  EXPECT_EQ(conv->input(2)->name(), "b");
  // Each node is named after the node it was (profiles and traces show them so).
  EXPECT_EQ(pool->name(), "pool_before_conv");
  EXPECT_EQ(conv->name(), "conv_after_pool");
  // The graph's output keeps its name and shape.
  EXPECT_EQ(t.g.outputs().front(), conv->output(0));
  EXPECT_EQ(conv->output(0)->name(), "pool_out");
  EXPECT_EQ(*conv->output(0)->type().shape, (ir::Shape{1, 4, 2, 2}));
}

TEST(PoolBeforeConvTest, OnlyWhereTheResultIsTheSameAndCheaper) {
  // A 3x3 convolution mixes neighbouring pixels: pooling first would change the result.
  EXPECT_FALSE(
      Transition(3, attrs({{"pads", V{1, 1, 1, 1}}}), pool_2x2(), {1, 4, 4, 4}, {1, 4, 2, 2})
          .run());
  // A strided convolution sees other pixels than the pool does.
  EXPECT_FALSE(
      Transition(1, attrs({{"strides", V{2, 2}}}), pool_2x2(), {1, 4, 2, 2}, {1, 4, 1, 1}).run());
  // Padding: zeros added after the convolution are not the bias the convolution would add.
  EXPECT_FALSE(
      Transition(1, {},
                 attrs({{"kernel_shape", V{2, 2}}, {"strides", V{2, 2}}, {"pads", V{1, 1, 1, 1}}}),
                 {1, 4, 4, 4}, {1, 4, 3, 3})
          .run());
  // ceil_mode's partial windows are left alone too.
  EXPECT_FALSE(
      Transition(
          1, {},
          attrs({{"kernel_shape", V{3, 3}}, {"strides", V{2, 2}}, {"ceil_mode", int64_t{1}}}),
          {1, 4, 4, 4}, {1, 4, 2, 2})
          .run());
  // A stride-1 pool keeps 9 of 16 pixels: the 8-channel pooling would cost more than it saves.
  EXPECT_FALSE(
      Transition(1, {}, attrs({{"kernel_shape", V{2, 2}}}), {1, 4, 4, 4}, {1, 4, 3, 3}).run());
  // Max pooling is not linear.
  Transition max(1, {}, pool_2x2(), {1, 4, 4, 4}, {1, 4, 2, 2});
  max.g.set_outputs({max.conv->output(0)});
  max.g.remove_node(max.pool);
  ir::Node* max_pool =
      max.g.add_node(OpKind::MaxPool, "max", {max.conv->output(0)},
                     {{"max_out", type(DType::kFloat32, {1, 4, 2, 2})}}, pool_2x2());
  max.g.set_outputs({max_pool->output(0)});
  EXPECT_FALSE(max.run());
}

TEST(PoolBeforeConvTest, AConvolutionReadElsewhereStays) {
  Transition t(1, {}, pool_2x2(), {1, 4, 4, 4}, {1, 4, 2, 2});
  t.g.set_outputs({t.pool->output(0), t.conv->output(0)});
  EXPECT_FALSE(t.run());
  EXPECT_EQ(t.g.num_nodes(), 2u);
  EXPECT_EQ(t.g.nodes().front(), t.conv);
}

}  // namespace
}  // namespace ramiel::passes
