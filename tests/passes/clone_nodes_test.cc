// Node cloning: cheap shared producers get one copy per consumer, within bounds.
#include "core/passes/clone_nodes.h"

#include <gtest/gtest.h>

#include <map>

#include "core/ir/verifier.h"
#include "tests/passes/pass_test_util.h"

namespace ramiel::passes {
namespace {

using ir::DType;
using ir::OpKind;
using testing::f32;
using testing::type;

const ir::TensorType kF4 = type(DType::kFloat32, {4});

// Costs by op: cheap elementwise ops, expensive MatMul-like consumers; every transfer costs 10.
PassContext costed(std::map<OpKind, double> costs = {}) {
  PassContext context;
  context.workers = 2;
  context.node_cost_us = [costs](const ir::Node& node) {
    auto it = costs.find(node.op());
    return it != costs.end() ? it->second : 1.0;
  };
  context.transfer_cost_us = [](const ir::Value&) { return 10.0; };
  return context;
}

// x -> <producer> -> p, read by `consumers` Mul nodes (each with its own weight).
struct Fanout {
  ir::Graph g;
  ir::Value* x;
  ir::Node* producer;
  std::vector<ir::Node*> consumers;
  Fanout(int n, OpKind op = OpKind::Relu) {
    g.opset = 13;
    x = g.add_input("x", kF4);
    producer = g.add_node(op, "p", {x}, {{"pv", kF4}});
    std::vector<ir::Value*> outs;
    for (int i = 0; i < n; ++i) {
      ir::Value* w =
          g.add_constant("w" + std::to_string(i), f32({1, 2, 3, 4}), ir::ConstantOrigin::kModel);
      consumers.push_back(g.add_node(OpKind::Mul, "c" + std::to_string(i), {producer->output(0), w},
                                     {{"y" + std::to_string(i), kF4}}));
      outs.push_back(consumers.back()->output(0));
    }
    g.set_outputs(outs);
  }
};

TEST(CloneNodesTest, CheapProducerGetsACopyPerExtraConsumer) {
  Fanout f(3);
  PassContext context = costed({{OpKind::Mul, 100}});
  ASSERT_TRUE(*clone_nodes(f.g, context));
  EXPECT_TRUE(ir::verify_graph(f.g).ok());
  EXPECT_EQ(context.counter(kClonedCounter), 2);
  EXPECT_EQ(f.g.num_nodes(), 6u);
  EXPECT_EQ(f.consumers[0]->input(0), f.producer->output(0));
  for (int i = 1; i < 3; ++i) {
    const ir::Value* in = f.consumers[i]->input(0);
    ASSERT_NE(in, f.producer->output(0));
    EXPECT_EQ(in->producer()->op(), OpKind::Relu);
    EXPECT_EQ(in->producer()->input(0), f.x);
    EXPECT_EQ(in->uses().size(), 1u);
  }
  // Copies sit right after the original, before any consumer.
  auto it = f.g.nodes().begin();
  EXPECT_EQ(*it, f.producer);
  EXPECT_EQ((*++it)->op(), OpKind::Relu);
  EXPECT_EQ((*++it)->op(), OpKind::Relu);
}

TEST(CloneNodesTest, ExpensiveProducersAndSingleConsumersStay) {
  Fanout costly(3);
  PassContext context = costed({{OpKind::Relu, 50}});
  EXPECT_FALSE(*clone_nodes(costly.g, context));
  Fanout single(1);
  EXPECT_FALSE(*clone_nodes(single.g, context));
  EXPECT_EQ(context.counter(kClonedCounter), 0);
}

TEST(CloneNodesTest, WithoutCostCallbacksNothingHappens) {
  Fanout f(3);
  PassContext context;
  context.workers = 2;
  EXPECT_FALSE(*clone_nodes(f.g, context));
  EXPECT_EQ(f.g.num_nodes(), 4u);
}

TEST(CloneNodesTest, OneWorkerNeverCopies) {
  Fanout f(3);  // cloned for two workers, as the first test shows
  PassContext context = costed({{OpKind::Mul, 100}});
  context.workers = 1;
  EXPECT_FALSE(*clone_nodes(f.g, context));
  EXPECT_EQ(f.g.num_nodes(), 4u);
}

TEST(CloneNodesTest, RandomOpsAreNeverDuplicated) {
  Fanout f(3, OpKind::RandomUniformLike);
  PassContext context = costed();
  EXPECT_FALSE(*clone_nodes(f.g, context));
}

TEST(CloneNodesTest, CopiesPerNodeAreBounded) {
  Fanout f(kMaxClonesPerNode + 4);
  PassContext context = costed({{OpKind::Mul, 100}});
  ASSERT_TRUE(*clone_nodes(f.g, context));
  EXPECT_EQ(context.counter(kClonedCounter), kMaxClonesPerNode);
  EXPECT_TRUE(ir::verify_graph(f.g).ok());
}

TEST(CloneNodesTest, CheapChainsAreClonedWhole) {
  // x -> Neg -> a -> Abs -> b -> three consumers: both Neg and Abs get two copies.
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", kF4);
  ir::Node* neg = g.add_node(OpKind::Neg, "neg", {x}, {{"a", kF4}});
  ir::Node* abs = g.add_node(OpKind::Abs, "abs", {neg->output(0)}, {{"b", kF4}});
  std::vector<ir::Value*> outs;
  for (int i = 0; i < 3; ++i) {
    outs.push_back(g.add_node(OpKind::MatMul, "m" + std::to_string(i), {abs->output(0), x},
                              {{"y" + std::to_string(i), kF4}})
                       ->output(0));
  }
  g.set_outputs(outs);
  PassContext context = costed({{OpKind::MatMul, 100}});
  ASSERT_TRUE(*clone_nodes(g, context));
  EXPECT_EQ(context.counter(kClonedCounter), 4);
  EXPECT_TRUE(ir::verify_graph(g).ok());
  for (const ir::Value* y : g.outputs()) {
    const ir::Node* b = y->producer()->input(0)->producer();
    EXPECT_EQ(b->op(), OpKind::Abs);
    EXPECT_EQ(b->output(0)->uses().size(), 1u);
    EXPECT_EQ(b->input(0)->uses().size(), 1u);  // its own Neg
  }
}

TEST(CloneNodesTest, ProducersFedByExpensiveNodesStay) {
  // h = MatMul(x, x) is costly to replicate, so Relu(h) copies would still wait for h.
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", kF4);
  ir::Node* heavy = g.add_node(OpKind::MatMul, "heavy", {x, x}, {{"h", kF4}});
  ir::Node* relu = g.add_node(OpKind::Relu, "relu", {heavy->output(0)}, {{"r", kF4}});
  std::vector<ir::Value*> outs;
  for (int i = 0; i < 3; ++i) {
    outs.push_back(g.add_node(OpKind::Neg, "n" + std::to_string(i), {relu->output(0)},
                              {{"y" + std::to_string(i), kF4}})
                       ->output(0));
  }
  g.set_outputs(outs);
  PassContext context = costed({{OpKind::MatMul, 100}});
  EXPECT_FALSE(*clone_nodes(g, context));
}

}  // namespace
}  // namespace ramiel::passes
