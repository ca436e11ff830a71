// Passes inside control-flow bodies: folding a body's constant subexpressions, removing dead body
// nodes and the captures nothing reads any more, and turning an If with a known condition into
// its branch.
#include <gtest/gtest.h>

#include "core/ir/verifier.h"
#include "core/passes/eliminate_dead_code.h"
#include "core/passes/fold_constants.h"
#include "core/passes/remove_noops.h"
#include "tests/ir/control_flow_graphs.h"
#include "tests/passes/pass_test_util.h"

namespace ramiel::passes {
namespace {

using ir::DType;
using ir::OpKind;
using ir::testing::add_if;
using ir::testing::float_type;

TEST(ControlFlowPassesTest, FoldsConstantSubexpressionsInsideABody) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* cond = g.add_input("cond", {DType::kBool, ir::Shape{}});
  ir::Value* x = g.add_input("x", float_type({2}));
  ir::Node* node = add_if(g, cond, x, {OpKind::Neg}, {OpKind::Abs});
  g.set_outputs({node->output(0)});
  // then: y = Neg(x) * (k + k), k a constant of the body.
  ir::Graph& then_branch = *node->subgraph("then_branch");
  ir::Value* k =
      then_branch.add_constant("k", testing::f32({1.5}, ir::Shape{}), ir::ConstantOrigin::kFolded);
  ir::Node* sum = then_branch.add_node(OpKind::Add, "sum", {k, k}, {{"s", float_type({})}});
  ir::Node* scale =
      then_branch.add_node(OpKind::Mul, "scale", {then_branch.outputs()[0], sum->output(0)},
                           {{"scaled", float_type({2})}});
  then_branch.set_outputs({scale->output(0)});
  ASSERT_TRUE(ir::verify_graph(g).ok());

  PassContext context;
  ASSERT_TRUE(*fold_constants(g, context));
  EXPECT_TRUE(ir::verify_graph(g).ok()) << ir::verify_graph(g).to_string();
  EXPECT_EQ(then_branch.find_node("sum"), nullptr);  // folded to the constant 3
  ASSERT_EQ(then_branch.num_nodes(), 2u);
  const ir::Value* three = then_branch.find_node("scale")->input(1);
  ASSERT_TRUE(three->is_constant());
  EXPECT_EQ(three->constant()->to_double(), std::vector<double>{3.0});
  EXPECT_EQ(g.num_nodes(), 1u);  // the condition is unknown: the If stays
}

TEST(ControlFlowPassesTest, RemovesDeadBodyNodesAndCapturesNothingReads) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* cond = g.add_input("cond", {DType::kBool, ir::Shape{}});
  ir::Value* x = g.add_input("x", float_type({2}));
  ir::Node* outer = g.add_node(OpKind::Exp, "outer", {x}, {{"e", float_type({2})}});
  ir::Node* node = add_if(g, cond, x, {OpKind::Neg}, {OpKind::Abs});
  g.set_outputs({node->output(0)});
  // A second capture, read only by a dead node of the then branch.
  node->add_capture(outer->output(0));
  for (const char* name : {"then_branch", "else_branch"}) {
    node->subgraph(name)->add_input("e", float_type({2}));
  }
  ir::Graph& then_branch = *node->subgraph("then_branch");
  then_branch.add_node(OpKind::Relu, "dead", {then_branch.inputs()[1]}, {{"d", float_type({2})}});
  ASSERT_TRUE(ir::verify_graph(g).ok());

  PassContext context;
  ASSERT_TRUE(*eliminate_dead_code(g, context));
  EXPECT_TRUE(ir::verify_graph(g).ok()) << ir::verify_graph(g).to_string();
  EXPECT_EQ(then_branch.find_node("dead"), nullptr);
  EXPECT_EQ(node->num_captures(), 1u);
  EXPECT_EQ(node->num_inputs(), 2u);
  EXPECT_EQ(then_branch.inputs().size(), 1u);
  EXPECT_EQ(node->subgraph("else_branch")->inputs().size(), 1u);
  EXPECT_EQ(g.find_node("outer"), nullptr);  // its one reader was the dropped capture
}

TEST(ControlFlowPassesTest, RemovesNoOpsInsideABody) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* cond = g.add_input("cond", {DType::kBool, ir::Shape{}});
  ir::Value* x = g.add_input("x", float_type({2}));
  ir::Node* node = add_if(g, cond, x, {OpKind::Identity, OpKind::Neg}, {OpKind::Abs});
  g.set_outputs({node->output(0)});
  PassContext context;
  ASSERT_TRUE(*remove_noops(g, context));
  EXPECT_TRUE(ir::verify_graph(g).ok()) << ir::verify_graph(g).to_string();
  const ir::Graph& then_branch = *node->subgraph("then_branch");
  ASSERT_EQ(then_branch.num_nodes(), 1u);
  EXPECT_EQ(then_branch.nodes().front()->input(0), then_branch.inputs()[0]);
}

TEST(ControlFlowPassesTest, AnIfWithAConstantConditionBecomesItsBranch) {
  for (bool taken : {true, false}) {
    ir::Graph g;
    g.opset = 13;
    ir::Value* cond = g.add_constant("cond", testing::bools({taken ? 1 : 0}, ir::Shape{}),
                                     ir::ConstantOrigin::kModel);
    ir::Value* x = g.add_input("x", float_type({2}));
    ir::Node* node = add_if(g, cond, x, {OpKind::Neg, OpKind::Exp}, {OpKind::Abs});
    ir::Node* after =
        g.add_node(OpKind::Relu, "after", {node->output(0)}, {{"r", float_type({2})}});
    g.set_outputs({after->output(0), node->output(0)});

    PassContext context;
    ASSERT_TRUE(*fold_constants(g, context));
    ASSERT_TRUE(ir::verify_graph(g).ok()) << ir::verify_graph(g).to_string();
    EXPECT_EQ(context.counter("inlined-branches"), 1);
    EXPECT_EQ(g.find_node("if"), nullptr);
    std::vector<OpKind> ops;
    for (const ir::Node* n : g.nodes()) ops.push_back(n->op());
    if (taken) {
      EXPECT_EQ(ops, (std::vector<OpKind>{OpKind::Neg, OpKind::Exp, OpKind::Relu}));
    } else {
      EXPECT_EQ(ops, (std::vector<OpKind>{OpKind::Abs, OpKind::Relu}));
    }
    // The branch's result took the If's output name, which users read in the program.
    const ir::Value* y = g.find_value("y");
    ASSERT_NE(y, nullptr);
    EXPECT_EQ(g.outputs()[1], y);
    EXPECT_EQ(after->input(0), y);
    EXPECT_EQ(y->producer()->op(), taken ? OpKind::Exp : OpKind::Abs);
    EXPECT_EQ(g.nodes().front()->input(0), x);
  }
}

}  // namespace
}  // namespace ramiel::passes
