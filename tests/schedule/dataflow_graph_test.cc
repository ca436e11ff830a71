// The scheduling snapshot: from an edge list (validated) and from the IR (mapped both ways).
#include "core/schedule/dataflow_graph.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/schedule/random_dag.h"
#include "tests/ir/control_flow_graphs.h"

namespace ramiel::schedule {
namespace {

using ir::DType;
using ir::OpKind;

std::vector<Edge> row(std::span<const Edge> edges) {
  return {edges.begin(), edges.end()};
}

TEST(DataflowGraphTest, AddEdgeMergesParallelEdges) {
  DataflowGraphBuilder b;
  b.add_node(1);
  b.add_node(2);
  b.add_node(3);
  b.add_edge(0, 2, 5);
  b.add_edge(1, 2, 1);
  b.add_edge(0, 2, 7);
  ASSERT_EQ(b.succ[0].size(), 1u);
  EXPECT_EQ(b.succ[0][0].node, 2);
  EXPECT_DOUBLE_EQ(b.succ[0][0].cost_us, 12);
  ASSERT_EQ(b.pred[2].size(), 2u);
  EXPECT_DOUBLE_EQ(b.pred[2][0].cost_us, 12);
  StatusOr<DataflowGraph> g = DataflowGraph::from_builder(b);
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(g->num_edges(), 2u);
  EXPECT_EQ(g->costs(), (std::vector<double>{1, 2, 3}));
  EXPECT_FALSE(g->has_wide_costs());
  EXPECT_EQ(row(g->pred(2)), (std::vector<Edge>{{0, 12}, {1, 1}}));
  EXPECT_TRUE(g->ir_nodes().empty());
}

TEST(DataflowGraphTest, FromBuilderRejectsBrokenGraphs) {
  auto check = [](const DataflowGraphBuilder& b) {
    return DataflowGraph::from_builder(b).status();
  };
  DataflowGraphBuilder g;
  g.add_node(1);
  g.add_node(1);
  g.add_edge(0, 1, 1);
  DataflowGraphBuilder negative = g;
  negative.node_cost_us[1] = -1;
  EXPECT_EQ(check(negative).code(), StatusCode::kInvalidArgument);
  DataflowGraphBuilder backward = g;
  backward.succ[1].push_back({0, 1});
  backward.pred[0].push_back({1, 1});
  EXPECT_NE(check(backward).message().find("forward"), std::string::npos);
  DataflowGraphBuilder one_sided = g;
  one_sided.pred[1].clear();
  EXPECT_NE(check(one_sided).message().find("mirror"), std::string::npos);
  DataflowGraphBuilder duplicate = g;
  duplicate.succ[0].push_back({1, 1});
  duplicate.pred[1].push_back({0, 1});
  EXPECT_NE(check(duplicate).message().find("duplicate"), std::string::npos);
  // A succ edge listed twice while pred lists a different edge instead: counts match, sets do not.
  DataflowGraphBuilder three;
  three.add_node(1);
  three.add_node(1);
  three.add_node(1);
  three.add_edge(0, 2, 1);
  three.add_edge(1, 2, 1);
  three.succ[0].push_back({2, 1});
  three.succ[1].clear();
  EXPECT_NE(check(three).message().find("mirror"), std::string::npos);
  DataflowGraphBuilder nan_edge = g;
  nan_edge.succ[0][0].cost_us = std::nan("");
  EXPECT_FALSE(check(nan_edge).ok());
  DataflowGraphBuilder ragged = g;
  ragged.pred.pop_back();
  EXPECT_FALSE(check(ragged).ok());
}

// x -> split -> (a, b) -> concat(m, a, b) and mul(a, a) -> out; w is a constant.
TEST(DataflowGraphTest, FromIrFollowsTheIr) {
  ir::Graph g;
  g.opset = 13;
  auto f32 = [](ir::Shape s) { return ir::TensorType{DType::kFloat32, std::move(s)}; };
  ir::Value* x = g.add_input("x", f32({1, 500}));
  ir::Value* w = g.add_constant("w", ir::Tensor::without_data(DType::kFloat32, {1, 250}),
                                ir::ConstantOrigin::kModel);
  ir::Node* split =
      g.add_node(OpKind::Split, "split", {x}, {{"a", f32({1, 250})}, {"b", f32({1, 250})}});
  ir::Node* mul =
      g.add_node(OpKind::Mul, "mul", {split->output(0), split->output(0)}, {{"m", f32({1, 250})}});
  ir::Node* concat =
      g.add_node(OpKind::Concat, "concat", {mul->output(0), split->output(0), split->output(1), w},
                 {{"y", f32({1, 1000})}});
  g.set_outputs({concat->output(0)});

  cost::DeviceProfile p;
  p.transfer_latency_us = 10;
  p.transfer_gbps = 1;  // 1000 bytes per microsecond: a [1, 250] float tensor costs 1 us more
  const cost::CostModel costs(p);
  StatusOr<DataflowGraph> snapshot = DataflowGraph::from_ir(g, costs);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().to_string();
  const DataflowGraph& d = *snapshot;
  ASSERT_EQ(d.size(), 3);
  EXPECT_EQ(d.ir_nodes(), (std::vector<const ir::Node*>{split, mul, concat}));
  EXPECT_EQ(&d.ir_node(1), mul);
  EXPECT_EQ(d.index_of(*concat), 2);
  EXPECT_DOUBLE_EQ(d.cost(1), costs.node_cost(*mul).us);
  EXPECT_DOUBLE_EQ(d.wide_cost(1), costs.node_cost(*mul).wide_us);
  // split -> mul: the value a, read twice, crosses once. split -> concat: a and b, two
  // transfers merged into one edge. Rows list their ends by increasing index, whatever the
  // order of the IR node's inputs.
  EXPECT_EQ(row(d.succ(0)), (std::vector<Edge>{{1, 11}, {2, 22}}));
  EXPECT_EQ(row(d.pred(2)), (std::vector<Edge>{{0, 22}, {1, 11}}));
  // The constant w and the graph input x make no edges.
  EXPECT_TRUE(d.pred(0).empty());
  EXPECT_EQ(d.num_edges(), 3u);

  // A node added after the snapshot is not in it.
  ir::Node* late = g.add_node(OpKind::Relu, "late", {x}, {{"r", f32({1, 500})}});
  EXPECT_EQ(d.index_of(*late), -1);
}

TEST(DataflowGraphTest, FromIrRejectsBadCosts) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", ir::TensorType{DType::kFloat32, ir::Shape{4}});
  ir::Node* relu = g.add_node(OpKind::Relu, "relu", {x}, {{"y", {DType::kFloat32, ir::Shape{4}}}});
  g.set_outputs({relu->output(0)});
  const auto transfer = [](const ir::Value&) { return 0.0; };
  const auto negative = [](const ir::Node&) { return cost::NodeCost{.us = -1, .wide_us = 1}; };
  EXPECT_EQ(DataflowGraph::from_ir(g, negative, transfer).status().code(),
            StatusCode::kInvalidArgument);
  const auto fine = [](const ir::Node&) { return cost::NodeCost{.us = 2, .wide_us = 5}; };
  StatusOr<DataflowGraph> d = DataflowGraph::from_ir(g, fine, transfer);
  ASSERT_TRUE(d.ok());
  EXPECT_DOUBLE_EQ(d->wide_cost(0), 2);  // never slower with more threads
}

TEST(RandomDagTest, DeterministicTopologicalAndShaped) {
  RandomDagOptions o;
  o.nodes = 500;
  o.seed = 42;
  const DataflowGraph a = random_dag(o);
  const DataflowGraph b = random_dag(o);
  EXPECT_EQ(a.costs(), b.costs());
  EXPECT_EQ(a.num_edges(), b.num_edges());
  EXPECT_EQ(a.size(), 500);
  for (int32_t v = 0; v < a.size(); ++v) {
    EXPECT_GE(a.cost(v), o.min_node_us);
    EXPECT_LE(a.cost(v), o.max_node_us);
    EXPECT_LE(a.pred(v).size(), static_cast<size_t>(o.max_fan_in));
  }
  o.seed = 43;
  EXPECT_NE(random_dag(o).costs(), a.costs());
  // One layer: no edges at all; as many layers as nodes: every node after the first has a
  // predecessor in the layer just before, so the nodes form a chain.
  o.layers = 1;
  EXPECT_EQ(random_dag(o).num_edges(), 0u);
  o.layers = o.nodes;
  o.skip_probability = 0;
  const DataflowGraph chain = random_dag(o);
  for (int32_t v = 1; v < chain.size(); ++v) {
    ASSERT_EQ(chain.pred(v).size(), 1u);
    EXPECT_EQ(chain.pred(v)[0].node, v - 1);
  }
}

}  // namespace
}  // namespace ramiel::schedule

namespace ramiel::schedule {
namespace {

// A control-flow node is one task of the snapshot: its body's nodes are not tasks, and a value
// its body captures is an edge from its producer like any input.
TEST(DataflowGraphTest, AControlFlowNodeIsOneTask) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", ir::testing::float_type({8}));
  ir::Value* cond = g.add_input("cond", {ir::DType::kBool, ir::Shape{}});
  ir::Node* producer = g.add_node(ir::OpKind::Exp, "producer", {x}, {{"e", x->type()}});
  ir::Node* branch = ir::testing::add_if(g, cond, producer->output(0),
                                         {ir::OpKind::Neg, ir::OpKind::Tanh}, {ir::OpKind::Abs});
  ir::Node* beside = g.add_node(ir::OpKind::Relu, "beside", {x}, {{"r", x->type()}});
  g.set_outputs({branch->output(0), beside->output(0)});
  const cost::CostModel costs{cost::DeviceProfile{}};
  StatusOr<DataflowGraph> snapshot = DataflowGraph::from_ir(g, costs);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().to_string();
  ASSERT_EQ(snapshot->size(), 3);
  EXPECT_EQ(snapshot->index_of(*branch), 1);
  EXPECT_DOUBLE_EQ(snapshot->cost(1), costs.node_cost(*branch).us);
  ASSERT_EQ(snapshot->pred(1).size(), 1u);  // the captured e
  EXPECT_EQ(snapshot->pred(1)[0].node, 0);
  EXPECT_TRUE(snapshot->pred(2).empty());
}

}  // namespace
}  // namespace ramiel::schedule
