// Shape refinement: unknown output shapes filled from static inputs and constant parameters.
#include "core/passes/shape_refinement.h"

#include <gtest/gtest.h>

#include "core/ir/verifier.h"
#include "core/passes/eliminate_dead_code.h"
#include "core/frontend/normalize_operands.h"
#include "core/passes/fold_constants.h"
#include "tests/passes/pass_test_util.h"

namespace ramiel::passes {
namespace {

using ir::DType;
using ir::OpKind;
using ir::Shape;
using testing::attrs;
using testing::i64;
using testing::type;
using V = std::vector<int64_t>;

const ir::TensorType kUnknownF32{DType::kFloat32, std::nullopt};

struct Refine {
  ir::Graph g;
  Refine() { g.opset = 13; }
  ir::Value* input(Shape shape) {
    return g.add_input(g.unique_value_name("x"), type(DType::kFloat32, std::move(shape)));
  }
  ir::Value* constant(ir::Tensor t) {
    return g.add_constant(g.unique_value_name("k"), std::move(t), ir::ConstantOrigin::kModel);
  }
  // The refined output shapes of one `op` node, nullopt where unknown.
  std::vector<std::optional<Shape>> run(OpKind op, std::vector<ir::Value*> inputs,
                                        ir::Attributes a = {}, int outputs = 1,
                                        ir::TensorType declared = kUnknownF32) {
    std::vector<ir::OutputSpec> specs;
    for (int i = 0; i < outputs; ++i) specs.push_back({g.unique_value_name("y"), declared});
    ir::Node* node = g.add_node(op, g.unique_node_name("n"), inputs, specs, std::move(a));
    frontend::normalize_operands(g);  // older opsets' attributes as inputs, as imported
    refine_output_shapes(*node);
    std::vector<std::optional<Shape>> shapes;
    for (const ir::Value* out : node->outputs()) shapes.push_back(out->type().shape);
    return shapes;
  }
  std::optional<Shape> one(OpKind op, std::vector<ir::Value*> inputs, ir::Attributes a = {}) {
    return run(op, std::move(inputs), std::move(a))[0];
  }
};

TEST(ShapeRefinementTest, ReshapeWithAConstantTarget) {
  Refine r;
  EXPECT_EQ(r.one(OpKind::Reshape, {r.input({1, 16, 256}), r.constant(i64({1, 16, 4, -1}))}),
            (Shape{1, 16, 4, 64}));
  // A target that is not constant teaches nothing.
  ir::Value* target = r.g.add_input("t", type(DType::kInt64, {4}));
  EXPECT_EQ(r.one(OpKind::Reshape, {r.input({1, 16, 256}), target}), std::nullopt);
}

TEST(ShapeRefinementTest, ElementwiseAndBroadcast) {
  Refine r;
  EXPECT_EQ(r.one(OpKind::Erf, {r.input({2, 3})}), (Shape{2, 3}));
  EXPECT_EQ(r.one(OpKind::Add, {r.input({4, 1}), r.input({3})}), (Shape{4, 3}));
  EXPECT_EQ(r.one(OpKind::Add, {r.input({4, 2}), r.input({3})}), std::nullopt);
  // An input of unknown shape: nothing is guessed.
  ir::Value* unknown = r.g.add_input("u", kUnknownF32);
  EXPECT_EQ(r.one(OpKind::Add, {r.input({4, 1}), unknown}), std::nullopt);
  auto dropout = r.run(OpKind::Dropout, {r.input({5})}, {}, 2);
  EXPECT_EQ(dropout[0], (Shape{5}));
  EXPECT_EQ(dropout[1], (Shape{5}));
}

TEST(ShapeRefinementTest, MatMulAndGemm) {
  Refine r;
  EXPECT_EQ(r.one(OpKind::MatMul, {r.input({1, 4, 16, 64}), r.input({1, 4, 64, 16})}),
            (Shape{1, 4, 16, 16}));
  EXPECT_EQ(r.one(OpKind::MatMul, {r.input({64}), r.input({3, 64, 8})}), (Shape{3, 8}));
  EXPECT_EQ(r.one(OpKind::MatMul, {r.input({2, 5, 64}), r.input({64})}), (Shape{2, 5}));
  EXPECT_EQ(r.one(OpKind::MatMul, {r.input({2, 5}), r.input({4, 3})}), std::nullopt);
  EXPECT_EQ(
      r.one(OpKind::Gemm, {r.input({3, 5}), r.input({7, 5})}, attrs({{"transB", int64_t{1}}})),
      (Shape{3, 7}));
}

TEST(ShapeRefinementTest, MovementOps) {
  Refine r;
  EXPECT_EQ(r.one(OpKind::Transpose, {r.input({1, 16, 4, 64})}, attrs({{"perm", V{0, 2, 1, 3}}})),
            (Shape{1, 4, 16, 64}));
  auto split = r.run(OpKind::Split, {r.input({1, 16, 768}), r.constant(i64({256, 512}))},
                     attrs({{"axis", int64_t{-1}}}), 2);
  EXPECT_EQ(split[0], (Shape{1, 16, 256}));
  EXPECT_EQ(split[1], (Shape{1, 16, 512}));
  EXPECT_EQ(
      r.one(OpKind::Concat, {r.input({2, 3}), r.input({2, 5})}, attrs({{"axis", int64_t{1}}})),
      (Shape{2, 8}));
  EXPECT_EQ(r.one(OpKind::Gather,
                  {r.input({1000, 256}), r.g.add_input("ids", type(DType::kInt64, {1, 16}))}),
            (Shape{1, 16, 256}));
  EXPECT_EQ(r.one(OpKind::Slice, {r.input({10, 4}), r.constant(i64({1})), r.constant(i64({-1}))}),
            (Shape{8, 4}));
  EXPECT_EQ(r.one(OpKind::ReduceMean, {r.input({1, 16, 256})}, attrs({{"axes", V{-1}}})),
            (Shape{1, 16, 1}));
  EXPECT_EQ(r.one(OpKind::ReduceSum, {r.input({1, 16, 256}), r.constant(i64({1}))},
                  attrs({{"keepdims", int64_t{0}}})),
            (Shape{1, 256}));
}

TEST(ShapeRefinementTest, ShapeNeedsOnlyTheRank) {
  Refine r;
  ir::Value* partly = r.g.add_input("p", type(DType::kFloat32, {ir::kUnknownDim, 3, 4}));
  EXPECT_EQ(r.run(OpKind::Shape, {partly}, {}, 1, {DType::kInt64, std::nullopt})[0], (Shape{3}));
}

TEST(ShapeRefinementTest, KnownDimsAreNeverChanged) {
  Refine r;
  // Declared [?, 5] but the rule says [4, 3]: a contradiction, left alone.
  auto shapes = r.run(OpKind::Add, {r.input({4, 1}), r.input({3})}, {}, 1,
                      type(DType::kFloat32, {ir::kUnknownDim, 5}));
  EXPECT_EQ(shapes[0], (Shape{ir::kUnknownDim, 5}));
  // Declared [?, 3]: compatible, completed.
  shapes = r.run(OpKind::Add, {r.input({4, 1}), r.input({3})}, {}, 1,
                 type(DType::kFloat32, {ir::kUnknownDim, 3}));
  EXPECT_EQ(shapes[0], (Shape{4, 3}));
}

// What torch.onnx.export writes with dynamic axes, twice in a row: each Reshape's target comes
// from Shape -> Gather -> Div -> Unsqueeze -> Concat, which ONNX's data propagation cannot
// follow through Div, so at import every shape after the first Reshape is unknown.
TEST(ShapeRefinementTest, FoldingRefinesAndFoldsLayerAfterLayerInOneRun) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", type(DType::kFloat32, {1, 16, 256}));
  auto layer = [&](ir::Value* in, const std::string& p) {
    auto c = [&](const std::string& name, ir::Tensor t) {
      return g.add_constant(p + name, std::move(t), ir::ConstantOrigin::kModel);
    };
    const ir::TensorType i64_scalar{DType::kInt64, Shape{}};
    const ir::TensorType i64_1{DType::kInt64, Shape{1}};
    ir::Node* shape =
        g.add_node(OpKind::Shape, p + "shape", {in}, {{p + "s", {DType::kInt64, std::nullopt}}});
    ir::Node* dim =
        g.add_node(OpKind::Gather, p + "gather",
                   {shape->output(0), c("two", testing::scalar_i64(2))}, {{p + "d", i64_scalar}});
    ir::Node* head =
        g.add_node(OpKind::Div, p + "div", {dim->output(0), c("four", testing::scalar_i64(4))},
                   {{p + "h", i64_scalar}});
    ir::Node* unsq = g.add_node(OpKind::Unsqueeze, p + "unsqueeze",
                                {head->output(0), c("axes", i64({0}))}, {{p + "u", i64_1}});
    ir::Node* target =
        g.add_node(OpKind::Concat, p + "concat", {c("lead", i64({1, 16, 4})), unsq->output(0)},
                   {{p + "target", {DType::kInt64, Shape{4}}}}, attrs({{"axis", int64_t{0}}}));
    ir::Node* reshape = g.add_node(OpKind::Reshape, p + "reshape", {in, target->output(0)},
                                   {{p + "r", kUnknownF32}});
    ir::Node* back =
        g.add_node(OpKind::Reshape, p + "back", {reshape->output(0), c("flat", i64({1, 16, -1}))},
                   {{p + "out", kUnknownF32}});
    return back->output(0);
  };
  ir::Value* y = layer(layer(x, "l0/"), "l1/");
  g.set_outputs({y});

  PassContext context;
  ASSERT_TRUE(*fold_constants(g, context));
  ASSERT_TRUE(*eliminate_dead_code(g, context));
  ASSERT_TRUE(ir::verify_graph(g).ok());
  EXPECT_EQ(context.counter(kFoldedCounter), 10);  // Shape, Gather, Div, Unsqueeze, Concat x 2
  EXPECT_EQ(g.num_nodes(), 4u);                    // the four Reshapes
  EXPECT_EQ(g.find_value("l1/target")->constant()->to_int64(), (V{1, 16, 4, 64}));
  EXPECT_EQ(y->type().shape, (Shape{1, 16, 256}));
  EXPECT_GE(context.counter("shapes-refined"), 4);
}

}  // namespace
}  // namespace ramiel::passes
