// Golden schedule of a real model block: GoogLeNet's inception (3a), from IR through the cost
// model to clusters named by node.
#include <gtest/gtest.h>

#include <string>

#include "core/schedule/schedule.h"

namespace ramiel::schedule {
namespace {

using ir::DType;
using ir::OpKind;

// inception (3a) on its 1x192x28x28 input: 1x1 (64), 1x1 (96) -> 3x3 (128), 1x1 (16) ->
// 5x5 (32), 3x3/1 max pool -> 1x1 (32), each conv followed by a Relu, then a channel concat.
class Inception3a {
 public:
  Inception3a() {
    graph_.opset = 13;
    ir::Value* x = graph_.add_input("x", f32({1, 192, 28, 28}));
    ir::Value* b1 = conv_relu("b1", x, 64, 1);
    ir::Value* b2 = conv_relu("b2_3x3", conv_relu("b2_reduce", x, 96, 1), 128, 3);
    ir::Value* b3 = conv_relu("b3_5x5", conv_relu("b3_reduce", x, 16, 1), 32, 5);
    ir::Attributes pool;
    pool.set("kernel_shape", std::vector<int64_t>{3, 3});
    pool.set("pads", std::vector<int64_t>{1, 1, 1, 1});
    ir::Value* pooled = graph_
                            .add_node(OpKind::MaxPool, "b4_pool", {x},
                                      {{"b4_pool_out", f32({1, 192, 28, 28})}}, pool)
                            ->output(0);
    ir::Value* b4 = conv_relu("b4_proj", pooled, 32, 1);
    ir::Attributes axis;
    axis.set("axis", int64_t{1});
    ir::Node* concat = graph_.add_node(OpKind::Concat, "concat", {b1, b2, b3, b4},
                                       {{"y", f32({1, 256, 28, 28})}}, axis);
    graph_.set_outputs({concat->output(0)});
  }
  const ir::Graph& graph() const { return graph_; }

 private:
  static ir::TensorType f32(ir::Shape s) { return {DType::kFloat32, std::move(s)}; }

  ir::Value* conv_relu(const std::string& name, ir::Value* in, int64_t out_channels, int64_t k) {
    const int64_t in_channels = (*in->type().shape)[1];
    ir::Value* w = graph_.add_constant(
        name + "_w", ir::Tensor::without_data(DType::kFloat32, {out_channels, in_channels, k, k}),
        ir::ConstantOrigin::kModel);
    ir::Attributes a;
    a.set("kernel_shape", std::vector<int64_t>{k, k});
    a.set("pads", std::vector<int64_t>{k / 2, k / 2, k / 2, k / 2});
    const ir::Shape shape = {1, out_channels, 28, 28};
    ir::Value* conv =
        graph_.add_node(OpKind::Conv, name, {in, w}, {{name + "_out", f32(shape)}}, a)->output(0);
    return graph_.add_node(OpKind::Relu, name + "_relu", {conv}, {{name + "_act", f32(shape)}})
        ->output(0);
  }

  ir::Graph graph_;
};

// A fixed profile, so recalibrating the defaults does not move the golden.
cost::DeviceProfile golden_profile() {
  cost::DeviceProfile p;
  p.name = "golden";
  p.peak_gflops = 72;
  p.memory_gbps = 28;
  p.op_overhead_us = 2.3;
  p.pool_gops = 0.35;
  p.transfer_latency_us = 28;
  p.transfer_gbps = 28;
  return p;
}

// Cluster contents by node name.
std::vector<std::vector<std::string>> named(const DataflowGraph& dataflow, const Schedule& s) {
  std::vector<std::vector<std::string>> out;
  for (const auto& cluster : s.clusters) {
    auto& names = out.emplace_back();
    for (int32_t v : cluster) names.push_back(dataflow.ir_node(v).name());
  }
  return out;
}

// The NCHW max pool costs 3.9 ms on the profile (1.35M window elements at 0.35 Gop/s), more
// than the three conv branches together (3.5 ms), so the pool branch and the concat make the
// critical path on one worker and the conv branches share the other. The makespan is the
// compute-only length of that path (pool, projection, Relu, concat): nothing can beat it, so
// a third or fourth worker is merged away.
TEST(ModelGoldenTest, Inception3a) {
  Inception3a model;
  const cost::CostModel costs(golden_profile());
  StatusOr<DataflowGraph> dataflow = DataflowGraph::from_ir(model.graph(), costs);
  ASSERT_TRUE(dataflow.ok()) << dataflow.status().to_string();
  ASSERT_EQ(dataflow->size(), 14);
  const std::vector<std::vector<std::string>> expected = {
      {"b2_reduce", "b2_reduce_relu", "b2_3x3", "b3_reduce", "b3_reduce_relu", "b1", "b3_5x5",
       "b2_3x3_relu", "b1_relu", "b3_5x5_relu"},
      {"b4_pool", "b4_proj", "b4_proj_relu", "concat"}};
  for (int workers : {2, 4}) {
    StatusOr<Schedule> s = schedule_graph(*dataflow, {workers, 1.05});
    ASSERT_TRUE(s.ok()) << s.status().to_string();
    EXPECT_EQ(named(*dataflow, *s), expected) << workers << " workers";
    EXPECT_NEAR(s->serial_us, 7599.617, 1e-3);
    EXPECT_NEAR(s->critical_path_us, 4190.907, 1e-3);
    EXPECT_NEAR(s->makespan_us, 4078.235, 1e-3);
  }
}

}  // namespace
}  // namespace ramiel::schedule
