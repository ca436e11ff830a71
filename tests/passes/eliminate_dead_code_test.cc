// Dead-code elimination: what no output needs goes, graph inputs and live values stay.
#include "core/passes/eliminate_dead_code.h"

#include <gtest/gtest.h>

#include "core/ir/verifier.h"
#include "tests/passes/pass_test_util.h"

namespace ramiel::passes {
namespace {

using ir::DType;
using ir::OpKind;
using testing::f32;
using testing::type;

TEST(EliminateDeadCodeTest, RemovesADeadBranchAndItsConstants) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", type(DType::kFloat32, {2}));
  ir::Value* unused_input = g.add_input("unused", type(DType::kFloat32, {2}));
  ir::Value* w = g.add_constant("w", f32({1, 2}), ir::ConstantOrigin::kModel);
  ir::Value* stray = g.add_constant("stray", f32({3}), ir::ConstantOrigin::kModel);
  ir::Node* relu = g.add_node(OpKind::Relu, "relu", {x}, {{"a", type(DType::kFloat32, {2})}});
  ir::Node* dead1 = g.add_node(OpKind::Mul, "dead1", {x, w}, {{"d1", type(DType::kFloat32, {2})}});
  g.add_node(OpKind::Neg, "dead2", {dead1->output(0)}, {{"d2", type(DType::kFloat32, {2})}});
  g.set_outputs({relu->output(0)});

  PassContext context;
  StatusOr<bool> changed = eliminate_dead_code(g, context);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  EXPECT_TRUE(ir::verify_graph(g).ok());
  EXPECT_EQ(context.counter(kRemovedCounter), 2);
  EXPECT_EQ(context.counter("removed-constants"), 2);
  ASSERT_EQ(g.num_nodes(), 1u);
  EXPECT_EQ(g.nodes().front(), relu);
  EXPECT_TRUE(g.constants().empty());
  EXPECT_EQ(g.inputs(), (std::vector<ir::Value*>{x, unused_input}));
  EXPECT_EQ(g.find_value("w"), nullptr);
  (void)stray;

  // A second run finds nothing.
  EXPECT_FALSE(*eliminate_dead_code(g, context));
  EXPECT_EQ(context.counter(kRemovedCounter), 2);
}

TEST(EliminateDeadCodeTest, KeepsANodeWithOneLiveOutputAndConstantOutputs) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", type(DType::kFloat32, {4}));
  ir::Node* split =
      g.add_node(OpKind::Split, "split", {x},
                 {{"lo", type(DType::kFloat32, {2})}, {"hi", type(DType::kFloat32, {2})}});
  ir::Value* c = g.add_constant("c", f32({1}), ir::ConstantOrigin::kModel);
  g.set_outputs({split->output(1), c});
  PassContext context;
  EXPECT_FALSE(*eliminate_dead_code(g, context));
  EXPECT_EQ(g.num_nodes(), 1u);
  EXPECT_EQ(g.constants().size(), 1u);
  EXPECT_TRUE(ir::verify_graph(g).ok());
}

TEST(EliminateDeadCodeTest, AGraphWithoutOutputsLosesEveryNode) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", type(DType::kFloat32, {4}));
  ir::Node* a = g.add_node(OpKind::Relu, "a", {x}, {{"ra", type(DType::kFloat32, {4})}});
  g.add_node(OpKind::Relu, "b", {a->output(0)}, {{"rb", type(DType::kFloat32, {4})}});
  PassContext context;
  EXPECT_TRUE(*eliminate_dead_code(g, context));
  EXPECT_EQ(g.num_nodes(), 0u);
  EXPECT_EQ(g.inputs().size(), 1u);
  EXPECT_TRUE(ir::verify_graph(g).ok());
}

}  // namespace
}  // namespace ramiel::passes
