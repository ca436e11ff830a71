// Fusion of exported decompositions: LayerNorm's nine nodes and GELU's five become one node.
#include "core/passes/fuse_ops.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/frontend/normalize_operands.h"
#include "core/ir/verifier.h"
#include "tests/passes/pass_test_util.h"

namespace ramiel::passes {
namespace {

using ir::DType;
using ir::OpKind;
using testing::f32;
using testing::type;

const ir::TensorType kTokens = type(DType::kFloat32, {1, 3, 4});
const ir::TensorType kStat = type(DType::kFloat32, {1, 3, 1});

struct Builder {
  ir::Graph g;
  int next = 0;
  Builder() { g.opset = 13; }
  ir::Value* scalar(double v) {
    return g.add_constant("s" + std::to_string(next++), f32({v}, ir::Shape{}),
                          ir::ConstantOrigin::kModel);
  }
  ir::Value* op(OpKind kind, std::vector<ir::Value*> in, const ir::TensorType& t,
                ir::Attributes a = {}) {
    const std::string name = "n" + std::to_string(next++);
    return g.add_node(kind, name, in, {{name + "_out", t}}, std::move(a))->output(0);
  }
  ir::Value* mean(ir::Value* x) {
    ir::Attributes a;
    a.set("axes", std::vector<int64_t>{-1});
    return op(OpKind::ReduceMean, {x}, kStat, a);
  }
};

// torch.onnx.export's nn.LayerNorm(4) at opset 13; `extra_use` also outputs the centred input.
ir::Value* layer_norm(Builder& b, ir::Value* x, bool extra_use = false) {
  ir::Value* centred = b.op(OpKind::Sub, {x, b.mean(x)}, kTokens);
  ir::Value* variance = b.mean(b.op(OpKind::Pow, {centred, b.scalar(2.0)}, kTokens));
  ir::Value* std =
      b.op(OpKind::Sqrt, {b.op(OpKind::Add, {variance, b.scalar(1e-5)}, kStat)}, kStat);
  ir::Value* normal = b.op(OpKind::Div, {centred, std}, kTokens);
  ir::Value* gamma =
      b.g.add_constant("gamma", f32({1, 2, 3, 4}, ir::Shape{4}), ir::ConstantOrigin::kModel);
  ir::Value* beta =
      b.g.add_constant("beta", f32({0, 1, 0, 1}, ir::Shape{4}), ir::ConstantOrigin::kModel);
  ir::Value* y = b.op(OpKind::Add, {b.op(OpKind::Mul, {normal, gamma}, kTokens), beta}, kTokens);
  b.g.rename_value(y, "ln_out");
  if (extra_use) {
    b.g.set_outputs({y, centred});
  } else {
    b.g.set_outputs({y});
  }
  return y;
}

TEST(FuseOpsTest, LayerNormDecompositionBecomesOneNode) {
  Builder b;
  ir::Value* x = b.g.add_input("x", kTokens);
  layer_norm(b, x);
  frontend::normalize_operands(b.g);  // ReduceMean's axes as an input, as imported
  PassContext context;
  ASSERT_TRUE(*fuse_ops(b.g, context));
  ASSERT_TRUE(ir::verify_graph(b.g).ok());
  EXPECT_EQ(context.counter(kFusedCounter), 1);
  ASSERT_EQ(b.g.num_nodes(), 1u);
  const ir::Node* ln = b.g.outputs()[0]->producer();
  EXPECT_EQ(ln->op(), OpKind::LayerNormalization);
  EXPECT_EQ(ln->input(0), x);
  EXPECT_EQ(ln->input(1)->name(), "gamma");
  EXPECT_EQ(ln->input(2)->name(), "beta");
  EXPECT_EQ(ln->attributes().get_int("axis", 0), -1);
  EXPECT_FLOAT_EQ(ln->attributes().get_float("epsilon", 0), 1e-5f);
  EXPECT_EQ(b.g.outputs()[0]->name(), "ln_out");
}

TEST(FuseOpsTest, IntermediatesReadElsewhereKeepTheDecomposition) {
  Builder b;
  ir::Value* x = b.g.add_input("x", kTokens);
  layer_norm(b, x, /*extra_use=*/true);
  frontend::normalize_operands(b.g);
  PassContext context;
  EXPECT_FALSE(*fuse_ops(b.g, context));
  EXPECT_EQ(b.g.num_nodes(), 9u);
}

TEST(FuseOpsTest, GeluDecompositionsInBothAssociationsBecomeGelu) {
  for (bool half_last : {true, false}) {
    Builder b;
    ir::Value* x = b.g.add_input("x", kTokens);
    ir::Value* erf =
        b.op(OpKind::Erf, {b.op(OpKind::Div, {x, b.scalar(std::sqrt(2.0))}, kTokens)}, kTokens);
    ir::Value* one_plus = b.op(OpKind::Add, {erf, b.scalar(1.0)}, kTokens);
    ir::Value* y =
        half_last
            ? b.op(OpKind::Mul, {b.op(OpKind::Mul, {x, one_plus}, kTokens), b.scalar(0.5)}, kTokens)
            : b.op(OpKind::Mul, {b.op(OpKind::Mul, {x, b.scalar(0.5)}, kTokens), one_plus},
                   kTokens);
    ir::Value* z = b.op(OpKind::Relu, {y}, kTokens);  // a reader of the result stays wired
    b.g.set_outputs({z});
    PassContext context;
    ASSERT_TRUE(*fuse_ops(b.g, context)) << half_last;
    ASSERT_TRUE(ir::verify_graph(b.g).ok());
    ASSERT_EQ(b.g.num_nodes(), 2u);
    const ir::Node* gelu = z->producer()->input(0)->producer();
    EXPECT_EQ(gelu->op(), OpKind::Gelu);
    EXPECT_EQ(gelu->input(0), x);
  }
}

TEST(FuseOpsTest, OtherConstantsAreNotGelu) {
  Builder b;
  ir::Value* x = b.g.add_input("x", kTokens);
  ir::Value* erf = b.op(OpKind::Erf, {b.op(OpKind::Div, {x, b.scalar(2.0)}, kTokens)}, kTokens);
  ir::Value* one_plus = b.op(OpKind::Add, {erf, b.scalar(1.0)}, kTokens);
  b.g.set_outputs(
      {b.op(OpKind::Mul, {b.op(OpKind::Mul, {x, one_plus}, kTokens), b.scalar(0.5)}, kTokens)});
  PassContext context;
  EXPECT_FALSE(*fuse_ops(b.g, context));
}

const ir::TensorType kImage = type(DType::kFloat32, {1, 2, 5, 5});
const ir::TensorType kPadded = type(DType::kFloat32, {1, 2, 7, 7});

// torch.onnx.export's nn.AvgPool2d(3, stride=1, padding=1): a Pad of zeros, then an AveragePool
// that excludes padding (there is none left for it to pad). `pads` are Pad's, `pool` the
// AveragePool's attributes beyond its kernel.
ir::Value* padded_average(Builder& b, ir::Value* x, std::vector<int64_t> pads,
                          ir::Attributes pool = {}) {
  ir::Value* pads_value = b.g.add_constant(
      "pads" + std::to_string(b.next++), testing::i64(std::move(pads)), ir::ConstantOrigin::kModel);
  ir::Value* padded = b.op(OpKind::Pad, {x, pads_value}, kPadded);
  pool.set("kernel_shape", std::vector<int64_t>{3, 3});
  ir::Value* y = b.op(OpKind::AveragePool, {padded}, kImage, pool);
  b.g.set_outputs({y});
  return y;
}

TEST(FuseOpsTest, ZeroPadThenAveragePoolBecomesAPoolThatCountsItsPadding) {
  Builder b;
  ir::Value* x = b.g.add_input("x", kImage);
  padded_average(b, x, {0, 0, 1, 1, 0, 0, 1, 1});
  PassContext context;
  ASSERT_TRUE(*fuse_ops(b.g, context));
  ASSERT_TRUE(ir::verify_graph(b.g).ok());
  ASSERT_EQ(b.g.num_nodes(), 1u);
  const ir::Node* pool = b.g.outputs()[0]->producer();
  EXPECT_EQ(pool->op(), OpKind::AveragePool);
  EXPECT_EQ(pool->input(0), x);
  EXPECT_EQ(pool->attributes().get_ints("pads", {}), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(pool->attributes().get_int("count_include_pad", 0), 1);
  EXPECT_EQ(pool->attributes().get_ints("kernel_shape", {}), (std::vector<int64_t>{3, 3}));
}

TEST(FuseOpsTest, PadsThatAnAveragePoolCannotTakeStayApart) {
  ir::Attributes ceil;
  ceil.set("ceil_mode", int64_t{1});
  const std::vector<std::pair<std::vector<int64_t>, ir::Attributes>> cases = {
      {{0, 1, 1, 1, 0, 0, 1, 1}, {}},    // pads a channel
      {{0, 0, 1, -1, 0, 0, 1, 1}, {}},   // crops
      {{0, 0, 1, 1, 0, 0, 1, 1}, ceil},  // its last window could run past the padding
  };
  for (const auto& [pads, attributes] : cases) {
    Builder b;
    padded_average(b, b.g.add_input("x", kImage), pads, attributes);
    PassContext context;
    EXPECT_FALSE(*fuse_ops(b.g, context)) << ::testing::PrintToString(pads);
    EXPECT_EQ(b.g.num_nodes(), 2u);
  }
}

}  // namespace
}  // namespace ramiel::passes
