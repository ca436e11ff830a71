// The folding pass as a whole: chains, naming, bounds, data-less constants, type agreement.
#include "core/passes/fold_constants.h"

#include <gtest/gtest.h>

#include "core/ir/verifier.h"
#include "core/passes/eliminate_dead_code.h"
#include "tests/passes/pass_test_util.h"

namespace ramiel::passes {
namespace {

using ir::DType;
using ir::OpKind;
using testing::f32;
using testing::i64;
using testing::scalar_i64;
using testing::type;

ir::Value* constant(ir::Graph& g, const std::string& name, ir::Tensor t) {
  return g.add_constant(name, std::move(t), ir::ConstantOrigin::kModel);
}

// The shape chain torch.onnx.export writes for x.view(x.size(0), -1):
// Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])).
TEST(FoldConstantsTest, ExportedShapeChainFoldsToOneReshape) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", type(DType::kFloat32, {2, 3, 4}));
  ir::Node* shape = g.add_node(OpKind::Shape, "shape", {x}, {{"s", type(DType::kInt64, {3})}});
  ir::Node* gather =
      g.add_node(OpKind::Gather, "gather", {shape->output(0), constant(g, "zero", scalar_i64(0))},
                 {{"g", type(DType::kInt64, {})}});
  ir::Node* unsqueeze =
      g.add_node(OpKind::Unsqueeze, "unsqueeze", {gather->output(0), constant(g, "axes", i64({0}))},
                 {{"u", type(DType::kInt64, {1})}});
  ir::Node* concat = g.add_node(OpKind::Concat, "concat",
                                {unsqueeze->output(0), constant(g, "minus_one", i64({-1}))},
                                {{"target", type(DType::kInt64, {2})}}, ir::Attributes());
  concat->attributes().set("axis", int64_t{0});
  ir::Node* reshape = g.add_node(OpKind::Reshape, "reshape", {x, concat->output(0)},
                                 {{"y", type(DType::kFloat32, {2, 12})}});
  g.set_outputs({reshape->output(0)});

  PassContext context;
  ASSERT_TRUE(*fold_constants(g, context));
  ASSERT_TRUE(*eliminate_dead_code(g, context));
  ASSERT_TRUE(ir::verify_graph(g).ok());

  EXPECT_EQ(context.counter(kFoldedCounter), 4);
  EXPECT_EQ(context.counter(kRemovedCounter), 0);
  EXPECT_EQ(context.counter("removed-constants"), 6);  // zero, axes, minus_one, s, g, u
  ASSERT_EQ(g.num_nodes(), 1u);
  EXPECT_EQ(g.nodes().front(), reshape);
  const ir::Value* target = reshape->input(1);
  ASSERT_TRUE(target->is_constant());
  EXPECT_EQ(target->name(), "target");  // the ONNX name survives folding
  EXPECT_EQ(target->constant_origin(), ir::ConstantOrigin::kFolded);
  EXPECT_EQ(target->constant()->to_int64(), (std::vector<int64_t>{2, -1}));
  EXPECT_EQ(g.constants().size(), 1u);
}

TEST(FoldConstantsTest, ConstantSubexpressionBecomesOneConstantKeepingTheOutputName) {
  ir::Graph g;
  g.opset = 13;
  ir::Node* mul = g.add_node(OpKind::Mul, "mul",
                             {constant(g, "c1", f32({1, 2})), constant(g, "c2", f32({3, 4}))},
                             {{"m", type(DType::kFloat32, {2})}});
  ir::Node* add = g.add_node(OpKind::Add, "add", {mul->output(0), constant(g, "c3", f32({10, 10}))},
                             {{"y", type(DType::kFloat32, {2})}});
  g.set_outputs({add->output(0)});
  PassContext context;
  ASSERT_TRUE(*fold_constants(g, context));
  ASSERT_TRUE(*eliminate_dead_code(g, context));
  EXPECT_EQ(context.counter(kFoldedCounter), 2);
  EXPECT_EQ(g.num_nodes(), 0u);
  ASSERT_EQ(g.outputs().size(), 1u);
  const ir::Value* y = g.outputs()[0];
  EXPECT_EQ(y->name(), "y");
  ASSERT_TRUE(y->is_constant());
  EXPECT_EQ(y->constant()->to_double(), (std::vector<double>{13, 18}));
  EXPECT_EQ(g.constants().size(), 1u);
  EXPECT_TRUE(ir::verify_graph(g).ok());
}

TEST(FoldConstantsTest, IdentityOfAWeightReadsTheWeightInsteadOfACopy) {
  // torch.onnx.export shares equal initializers through Identity nodes.
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", type(DType::kFloat32, {2}));
  ir::Value* bias = constant(g, "layer.bias", f32({0, 0}));
  ir::Node* id = g.add_node(OpKind::Identity, "Identity_0", {bias},
                            {{"onnx::Add_7", type(DType::kFloat32, {2})}});
  ir::Node* add =
      g.add_node(OpKind::Add, "add", {x, id->output(0)}, {{"y", type(DType::kFloat32, {2})}});
  ir::Node* out = g.add_node(OpKind::Identity, "out", {bias}, {{"z", type(DType::kFloat32, {2})}});
  g.set_outputs({add->output(0), out->output(0)});
  PassContext context;
  ASSERT_TRUE(*fold_constants(g, context));
  EXPECT_EQ(context.counter(kFoldedCounter), 2);
  EXPECT_EQ(add->input(1), bias);
  // A graph output keeps its name: it gets its own folded constant.
  const ir::Value* z = g.outputs()[1];
  EXPECT_EQ(z->name(), "z");
  EXPECT_TRUE(z->is_constant());
  EXPECT_EQ(z->constant_origin(), ir::ConstantOrigin::kFolded);
  EXPECT_EQ(g.constants().size(), 2u);  // layer.bias and z
  EXPECT_TRUE(ir::verify_graph(g).ok());
}

TEST(FoldConstantsTest, ResultsAboveTheBoundStayNodes) {
  ir::Graph g;
  g.opset = 13;
  ir::Node* fill =
      g.add_node(OpKind::ConstantOfShape, "fill", {constant(g, "shape", i64({100, 100}))},
                 {{"big", type(DType::kFloat32, {100, 100})}});
  ir::Node* small =
      g.add_node(OpKind::ConstantOfShape, "small", {constant(g, "shape2", i64({10, 10}))},
                 {{"tiny", type(DType::kFloat32, {10, 10})}});
  g.set_outputs({fill->output(0), small->output(0)});
  PassContext context;
  context.max_folded_elements = 4096;
  ASSERT_TRUE(*fold_constants(g, context));
  EXPECT_EQ(context.counter(kFoldedCounter), 1);
  ASSERT_EQ(g.num_nodes(), 1u);
  EXPECT_EQ(g.nodes().front(), fill);
  // With a larger bound it folds too.
  context.max_folded_elements = 10000;
  ASSERT_TRUE(*fold_constants(g, context));
  EXPECT_EQ(g.num_nodes(), 0u);
}

TEST(FoldConstantsTest, DataLessConstantsFoldOnlyThroughShapeAndSize) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* w = constant(g, "w", ir::Tensor::without_data(DType::kFloat32, {1000, 1000}));
  ir::Node* add = g.add_node(OpKind::Add, "add", {w, constant(g, "one", f32({1}))},
                             {{"w1", type(DType::kFloat32, {1000, 1000})}});
  ir::Node* transpose = g.add_node(OpKind::Transpose, "transpose", {w},
                                   {{"wt", type(DType::kFloat32, {1000, 1000})}});
  ir::Node* shape = g.add_node(OpKind::Shape, "shape", {w}, {{"ws", type(DType::kInt64, {2})}});
  ir::Node* size = g.add_node(OpKind::Size, "size", {w}, {{"wn", type(DType::kInt64, {})}});
  g.set_outputs({add->output(0), transpose->output(0), shape->output(0), size->output(0)});
  PassContext context;
  ASSERT_TRUE(*fold_constants(g, context));
  EXPECT_EQ(context.counter(kFoldedCounter), 2);
  EXPECT_EQ(g.num_nodes(), 2u);
  EXPECT_EQ(g.find_value("ws")->constant()->to_int64(), (std::vector<int64_t>{1000, 1000}));
  EXPECT_EQ(g.find_value("wn")->constant()->to_int64(), (std::vector<int64_t>{1000000}));
  EXPECT_FALSE(w->constant()->has_data());
  EXPECT_TRUE(ir::verify_graph(g).ok());
}

TEST(FoldConstantsTest, ShapeOfAPartlyKnownValueFoldsTheKnownSlice) {
  ir::Graph g;
  g.opset = 15;
  ir::Value* x = g.add_input("x", type(DType::kFloat32, {ir::kUnknownDim, 3, 224}));
  ir::Node* all = g.add_node(OpKind::Shape, "all", {x}, {{"all_dims", type(DType::kInt64, {3})}});
  ir::Attributes from_one;
  from_one.set("start", int64_t{1});
  ir::Node* tail =
      g.add_node(OpKind::Shape, "tail", {x}, {{"tail_dims", type(DType::kInt64, {2})}}, from_one);
  ir::Attributes last;
  last.set("start", int64_t{-1});
  ir::Node* back =
      g.add_node(OpKind::Shape, "back", {x}, {{"last_dim", type(DType::kInt64, {1})}}, last);
  g.set_outputs({all->output(0), tail->output(0), back->output(0)});
  PassContext context;
  ASSERT_TRUE(*fold_constants(g, context));
  EXPECT_EQ(g.num_nodes(), 1u);  // the full shape has an unknown dim
  EXPECT_EQ(g.find_value("tail_dims")->constant()->to_int64(), (std::vector<int64_t>{3, 224}));
  EXPECT_EQ(g.find_value("last_dim")->constant()->to_int64(), (std::vector<int64_t>{224}));
  // Opset 13 has no start attribute: Shape means the whole shape, which is not known.
  ir::Graph old;
  old.opset = 13;
  ir::Value* y = old.add_input("y", type(DType::kFloat32, {ir::kUnknownDim, 3}));
  ir::Node* s = old.add_node(OpKind::Shape, "s", {y}, {{"ys", type(DType::kInt64, {2})}}, from_one);
  old.set_outputs({s->output(0)});
  EXPECT_FALSE(*fold_constants(old, context));
}

TEST(FoldConstantsTest, ResultsThatContradictInferredTypesAreLeftAlone) {
  ir::Graph g;
  g.opset = 13;
  // Inference claims int32 where Add of int64 constants gives int64.
  ir::Node* add =
      g.add_node(OpKind::Add, "add", {constant(g, "a", i64({1})), constant(g, "b", i64({2}))},
                 {{"y", type(DType::kInt32, {1})}});
  ir::Node* shaped =
      g.add_node(OpKind::Add, "shaped", {constant(g, "c", i64({1, 2})), constant(g, "d", i64({2}))},
                 {{"z", type(DType::kInt64, {3})}});
  g.set_outputs({add->output(0), shaped->output(0)});
  PassContext context;
  EXPECT_FALSE(*fold_constants(g, context));
  EXPECT_EQ(context.counter("fold-type-mismatch"), 2);
  EXPECT_EQ(g.num_nodes(), 2u);
}

TEST(FoldConstantsTest, OpsWithoutEvaluatorAndNonConstantInputsStay) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", type(DType::kFloat32, {2}));
  ir::Node* matmul = g.add_node(OpKind::MatMul, "matmul",
                                {constant(g, "a", f32({1, 2}, ir::Shape{1, 2})),
                                 constant(g, "b", f32({3, 4}, ir::Shape{2, 1}))},
                                {{"m", type(DType::kFloat32, {1, 1})}});
  ir::Node* add = g.add_node(OpKind::Add, "add", {x, constant(g, "c", f32({1, 1}))},
                             {{"y", type(DType::kFloat32, {2})}});
  g.set_outputs({matmul->output(0), add->output(0)});
  PassContext context;
  EXPECT_FALSE(*fold_constants(g, context));
  EXPECT_EQ(context.counter(kFoldedCounter), 0);
  EXPECT_EQ(g.num_nodes(), 2u);
}

TEST(FoldConstantsTest, MultiOutputNodesFoldAllOutputs) {
  ir::Graph g;
  g.opset = 13;
  ir::Node* split =
      g.add_node(OpKind::Split, "split", {constant(g, "v", i64({1, 2, 3, 4}))},
                 {{"lo", type(DType::kInt64, {2})}, {"hi", type(DType::kInt64, {2})}});
  g.set_outputs({split->output(1), split->output(0)});
  PassContext context;
  ASSERT_TRUE(*fold_constants(g, context));
  EXPECT_EQ(context.counter(kFoldedCounter), 1);
  EXPECT_EQ(g.outputs()[0]->name(), "hi");
  EXPECT_EQ(g.outputs()[0]->constant()->to_int64(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(g.outputs()[1]->constant()->to_int64(), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(ir::verify_graph(g).ok());
}

}  // namespace
}  // namespace ramiel::passes
