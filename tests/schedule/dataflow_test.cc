#include "core/schedule/dataflow.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/schedule/random_dag.h"

namespace ramiel::schedule {
namespace {

using ir::DType;
using ir::OpKind;

TEST(DataflowTest, AddEdgeMergesParallelEdges) {
  DataflowGraph g;
  g.add_node(1);
  g.add_node(2);
  g.add_node(3);
  g.add_edge(0, 2, 5);
  g.add_edge(1, 2, 1);
  g.add_edge(0, 2, 7);
  ASSERT_EQ(g.succ[0].size(), 1u);
  EXPECT_EQ(g.succ[0][0].node, 2);
  EXPECT_DOUBLE_EQ(g.succ[0][0].cost_us, 12);
  ASSERT_EQ(g.pred[2].size(), 2u);
  EXPECT_DOUBLE_EQ(g.pred[2][0].cost_us, 12);
  EXPECT_EQ(g.num_edges(), 2u);
  EXPECT_TRUE(validate_dataflow(g).ok());
}

TEST(DataflowTest, ValidateRejectsBrokenGraphs) {
  DataflowGraph g;
  g.add_node(1);
  g.add_node(1);
  g.add_edge(0, 1, 1);
  DataflowGraph negative = g;
  negative.node_cost_us[1] = -1;
  EXPECT_EQ(validate_dataflow(negative).code(), StatusCode::kInvalidArgument);
  DataflowGraph backward = g;
  backward.succ[1].push_back({0, 1});
  backward.pred[0].push_back({1, 1});
  EXPECT_NE(validate_dataflow(backward).message().find("forward"), std::string::npos);
  DataflowGraph one_sided = g;
  one_sided.pred[1].clear();
  EXPECT_NE(validate_dataflow(one_sided).message().find("mirror"), std::string::npos);
  DataflowGraph duplicate = g;
  duplicate.succ[0].push_back({1, 1});
  duplicate.pred[1].push_back({0, 1});
  EXPECT_NE(validate_dataflow(duplicate).message().find("duplicate"), std::string::npos);
  // A succ edge listed twice while pred lists a different edge instead: counts match, sets do not.
  DataflowGraph three;
  three.add_node(1);
  three.add_node(1);
  three.add_node(1);
  three.add_edge(0, 2, 1);
  three.add_edge(1, 2, 1);
  three.succ[0].push_back({2, 1});
  three.succ[1].clear();
  EXPECT_NE(validate_dataflow(three).message().find("mirror"), std::string::npos);
  DataflowGraph nan_edge = g;
  nan_edge.succ[0][0].cost_us = std::nan("");
  EXPECT_FALSE(validate_dataflow(nan_edge).ok());
  DataflowGraph ragged = g;
  ragged.pred.pop_back();
  EXPECT_FALSE(validate_dataflow(ragged).ok());
}

// x -> split -> (a, b) -> concat(a, b) and mul(a, a) -> out; w is a constant.
TEST(DataflowTest, IndexGraphFollowsTheIr) {
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
      g.add_node(OpKind::Concat, "concat", {split->output(0), split->output(1), mul->output(0), w},
                 {{"y", f32({1, 1000})}});
  g.set_outputs({concat->output(0)});

  cost::DeviceProfile p;
  p.transfer_latency_us = 10;
  p.transfer_gbps = 1;  // 1000 bytes per microsecond: a [1, 250] float tensor costs 1 us more
  const cost::CostModel costs(p);
  const IndexedGraph indexed = index_graph(g, costs);
  ASSERT_EQ(indexed.dataflow.size(), 3);
  EXPECT_EQ(indexed.nodes, (std::vector<const ir::Node*>{split, mul, concat}));
  EXPECT_DOUBLE_EQ(indexed.dataflow.node_cost_us[1], costs.node_cost(*mul).us);
  EXPECT_TRUE(validate_dataflow(indexed.dataflow).ok());
  // split -> mul: the value a, read twice, crosses once.
  ASSERT_EQ(indexed.dataflow.succ[0].size(), 2u);
  EXPECT_EQ(indexed.dataflow.succ[0][0].node, 1);
  EXPECT_DOUBLE_EQ(indexed.dataflow.succ[0][0].cost_us, 11);
  // split -> concat: a and b, two transfers merged into one edge.
  EXPECT_EQ(indexed.dataflow.succ[0][1].node, 2);
  EXPECT_DOUBLE_EQ(indexed.dataflow.succ[0][1].cost_us, 22);
  // mul -> concat; the constant w and the graph input x make no edges.
  EXPECT_EQ(indexed.dataflow.pred[2].size(), 2u);
  EXPECT_TRUE(indexed.dataflow.pred[0].empty());
}

TEST(RandomDagTest, DeterministicTopologicalAndShaped) {
  RandomDagOptions o;
  o.nodes = 500;
  o.seed = 42;
  const DataflowGraph a = random_dag(o);
  const DataflowGraph b = random_dag(o);
  EXPECT_EQ(a.node_cost_us, b.node_cost_us);
  EXPECT_EQ(a.num_edges(), b.num_edges());
  EXPECT_TRUE(validate_dataflow(a).ok());
  EXPECT_EQ(a.size(), 500);
  for (int32_t v = 0; v < a.size(); ++v) {
    EXPECT_GE(a.node_cost_us[static_cast<size_t>(v)], o.min_node_us);
    EXPECT_LE(a.node_cost_us[static_cast<size_t>(v)], o.max_node_us);
    EXPECT_LE(a.pred[static_cast<size_t>(v)].size(), static_cast<size_t>(o.max_fan_in));
  }
  o.seed = 43;
  EXPECT_NE(random_dag(o).node_cost_us, a.node_cost_us);
  // One layer: no edges at all; as many layers as nodes: every node after the first has a
  // predecessor in the layer just before, so the nodes form a chain.
  o.layers = 1;
  EXPECT_EQ(random_dag(o).num_edges(), 0u);
  o.layers = o.nodes;
  o.skip_probability = 0;
  const DataflowGraph chain = random_dag(o);
  for (int32_t v = 1; v < chain.size(); ++v) {
    ASSERT_EQ(chain.pred[static_cast<size_t>(v)].size(), 1u);
    EXPECT_EQ(chain.pred[static_cast<size_t>(v)][0].node, v - 1);
  }
}

}  // namespace
}  // namespace ramiel::schedule
