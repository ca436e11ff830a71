#include "core/cost/cost_model.h"

#include <gtest/gtest.h>

#include "core/cost/op_cost.h"
#include "core/ir/split_parts.h"
#include "tests/cost/cost_test_graph.h"
#include "tests/ir/control_flow_graphs.h"

namespace ramiel::cost {
namespace {

using ir::OpKind;
using testing::OneNode;

// Round numbers: 1e3 FLOPs, 1e3 bytes and 1e3 window elements per microsecond.
DeviceProfile unit_profile() {
  DeviceProfile p;
  p.peak_gflops = 1;
  p.memory_gbps = 1;
  p.pool_gops = 1;
  p.op_overhead_us = 5;
  p.traced_op_overhead_us = 5;  // one dispatch cost, but where a test sets its own
  p.transfer_latency_us = 20;
  p.transfer_gbps = 2;
  return p;
}

TEST(CostModelTest, RooflinePlusOverhead) {
  CostModel model(unit_profile());
  OneNode g;
  // Compute-bound: a 64x64x64 matmul is 524288 FLOPs against 49152 bytes.
  ir::Value* a = g.input(ir::Shape{64, 64});
  ir::Value* b = g.input(ir::Shape{64, 64}, /*constant=*/true);
  NodeCost mm = model.node_cost(g.node(OpKind::MatMul, {a, b}, {ir::Shape{64, 64}}));
  EXPECT_DOUBLE_EQ(mm.flops, 524288);
  EXPECT_DOUBLE_EQ(mm.bytes, 3 * 4096 * 4.0);  // the constant weight is read too
  // (Its weight reads cost next to nothing at the built-in weight_gbps.)
  EXPECT_NEAR(mm.us, 524.288 + 5, 1e-3);
  EXPECT_FALSE(mm.measured);
  // Memory-bound: Relu on 1000 floats moves 8000 bytes for 1000 FLOPs.
  ir::Value* x = g.input(ir::Shape{1000});
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::Relu, {x}, {ir::Shape{1000}})).us, 8 + 5);
  // A view costs only its dispatch.
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::Identity, {x}, {ir::Shape{1000}})).us, 5);
}

// String tensors are numpy arrays of str: their ops loop over the strings in Python, on one
// thread, whatever the op.
TEST(CostModelTest, StringOpsPayAPythonLoopPerElement) {
  CostModel model(unit_profile());
  OneNode g;
  ir::Graph& graph = g.graph();
  ir::Value* words = graph.add_input("words", {ir::DType::kString, ir::Shape{1000}});
  ir::Attributes to;
  to.set("to", int64_t{1});
  const ir::Node& parse = *graph.add_node(
      OpKind::Cast, "parse", {words}, {{"numbers", {ir::DType::kFloat32, ir::Shape{1000}}}}, to);
  const NodeCost cost = model.node_cost(parse);
  // 4000 bytes each way (a string counts 4), a 1000-element loop, one dispatch.
  EXPECT_DOUBLE_EQ(cost.us, 8 + 1000 * kPythonElementUs + 5);
  EXPECT_DOUBLE_EQ(cost.wide_us, model.wide_time_us(8) + 1000 * kPythonElementUs);
  const ir::Node& normalize = *graph.add_node(OpKind::StringNormalizer, "normalize", {words},
                                              {{"kept", {ir::DType::kString, ir::Shape{1000}}}});
  EXPECT_DOUBLE_EQ(model.node_cost(normalize).us, 8 + 2000 * kPythonElementUs + 5);
}

// A 3x3/2 MaxPool with padding 1 of 1x4x8x8 into 1x4x4x4: 576 window elements.
const ir::Node& max_pool_3x3_2(OneNode& g) {
  ir::Value* x = g.input(ir::Shape{1, 4, 8, 8});
  ir::Attributes a;
  a.set("kernel_shape", std::vector<int64_t>{3, 3});
  a.set("strides", std::vector<int64_t>{2, 2});
  a.set("pads", std::vector<int64_t>{1, 1, 1, 1});
  return g.node(OpKind::MaxPool, {x}, {ir::Shape{1, 4, 4, 4}}, a);
}

TEST(CostModelTest, SlowPoolingKernelsUseThePoolRate) {
  DeviceProfile p = unit_profile();
  p.pool_gops = 0.01;  // 10 window elements per microsecond
  CostModel model(p);
  OneNode g;
  EXPECT_DOUBLE_EQ(model.node_cost(max_pool_3x3_2(g)).us, 576 / 10.0 + 5);
}

TEST(CostModelTest, APoolingRunAsRowAndColumnPassesUsesTheSeparableRate) {
  DeviceProfile p = unit_profile();
  p.pool_gops = 0.01;            // 10 window elements per microsecond
  p.separable_pool_gops = 0.04;  // 40
  CostModel model(p);
  OneNode g;
  const ir::Node& node = max_pool_3x3_2(g);
  EXPECT_DOUBLE_EQ(model.node_cost(node, {.traced = true, .separable_pool = true}).us,
                   576 / 40.0 + 5);
  EXPECT_DOUBLE_EQ(model.node_cost(node, {.traced = true}).us, 576 / 10.0 + 5);
}

TEST(CostModelTest, MatrixVectorProductsUseTheMatvecRate) {
  DeviceProfile profile = unit_profile();
  profile.matvec_gbps = 0.25;  // 250 bytes per microsecond, a quarter of memory bandwidth
  CostModel model(profile);
  OneNode g;
  // [1, 100] x [100, 50]: 10000 FLOPs; 400 + 20000 + 200 bytes, read at the matvec rate.
  ir::Value* x = g.input(ir::Shape{1, 100});
  ir::Value* w = g.input(ir::Shape{100, 50}, /*constant=*/true);
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::MatMul, {x, w}, {ir::Shape{1, 50}})).us,
                   20600 / 250.0 + 5);
  // Two rows: a matrix product, at memory rate (800 + 20000 + 400 bytes; 20000 FLOPs).
  ir::Value* x2 = g.input(ir::Shape{2, 100});
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::MatMul, {x2, w}, {ir::Shape{2, 50}})).us,
                   21200 / 1000.0 + 5);
}

TEST(CostModelTest, OpsThatOverwriteTheirInputUseTheInPlaceRate) {
  DeviceProfile profile = unit_profile();
  profile.inplace_gbps = 4;  // 4000 bytes per microsecond, four times memory bandwidth
  CostModel model(profile);
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1, 1000});
  // A computed tensor that only the ReLU reads: relu_ (4000 + 4000 bytes in place).
  ir::Value* sum = g.node(OpKind::Add, {x, x}, {ir::Shape{1, 1000}}).output(0);
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::Relu, {sum}, {ir::Shape{1, 1000}})).us,
                   8000 / 4000.0 + 5);
  // A graph input is never overwritten, nor a tensor another node also reads.
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::Relu, {x}, {ir::Shape{1, 1000}})).us,
                   8000 / 1000.0 + 5);
  // Nor a view of another tensor: the program's ReLU of a Reshape allocates (ir::lowering_rules).
  ir::Value* view = g.node(OpKind::Reshape, {sum}, {ir::Shape{1000}}).output(0);
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::Relu, {view}, {ir::Shape{1000}})).us,
                   8000 / 1000.0 + 5);
  ir::Value* shared = g.node(OpKind::Sigmoid, {x}, {ir::Shape{1, 1000}}).output(0);
  g.node(OpKind::Neg, {shared}, {ir::Shape{1, 1000}});
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::Relu, {shared}, {ir::Shape{1, 1000}})).us,
                   8000 / 1000.0 + 5);
  // A residual add_ into its computed operand (the second: Add commutes); not a Sub (x - y is
  // computed in place only into x) nor an operand that broadcasts into the result.
  ir::Value* branch = g.node(OpKind::Tanh, {x}, {ir::Shape{1, 1000}}).output(0);
  const ir::Node& residual = g.node(OpKind::Add, {x, branch}, {ir::Shape{1, 1000}});
  EXPECT_DOUBLE_EQ(model.node_cost(residual).us, 12000 / 4000.0 + 5);
  ir::Value* other = g.node(OpKind::Tanh, {x}, {ir::Shape{1, 1000}}).output(0);
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::Sub, {x, other}, {ir::Shape{1, 1000}})).us,
                   12000 / 1000.0 + 5);
  ir::Value* row = g.node(OpKind::Tanh, {g.input(ir::Shape{1, 1})}, {ir::Shape{1, 1}}).output(0);
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::Mul, {x, row}, {ir::Shape{1, 1000}})).us,
                   8004 / 1000.0 + 5);
}

TEST(CostModelTest, WeightReadsComeOnTopOfFlops) {
  DeviceProfile profile = unit_profile();
  profile.weight_gbps = 0.5;  // 500 weight bytes per microsecond
  CostModel model(profile);
  OneNode g;
  // [64, 64] x [64, 64]: 524288 FLOPs at 1e3 per us, plus 16384 weight bytes at 500 per us.
  ir::Value* a = g.input(ir::Shape{64, 64});
  ir::Value* w = g.input(ir::Shape{64, 64}, /*constant=*/true);
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::MatMul, {a, w}, {ir::Shape{64, 64}})).us,
                   524.288 + 16384 / 500.0 + 5);
  // Two computed operands: no weights to read.
  ir::Value* b = g.input(ir::Shape{64, 64});
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::MatMul, {a, b}, {ir::Shape{64, 64}})).us,
                   524.288 + 5);
  // Weights prepacked at load (a frozen cluster's): the FLOPs alone.
  EXPECT_DOUBLE_EQ(model
                       .node_cost(g.node(OpKind::MatMul, {a, w}, {ir::Shape{64, 64}}),
                                  {.traced = true, .prepacked_weights = true})
                       .us,
                   524.288 + 5);
}

TEST(CostModelTest, TranscendentalsRunAtTheVectorRate) {
  DeviceProfile profile = unit_profile();
  profile.vector_gops = 0.1;  // 100 operations per microsecond, a tenth of peak
  CostModel model(profile);
  OneNode g;
  // Gelu on 1000 floats: 8000 operations at 100 per us; its 8000 bytes take 8 us.
  ir::Value* x = g.input(ir::Shape{1000});
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::Gelu, {x}, {ir::Shape{1000}})).us, 80 + 5);
  // Relu streams at memory rate whatever the vector rate.
  EXPECT_DOUBLE_EQ(model.node_cost(g.node(OpKind::Relu, {x}, {ir::Shape{1000}})).us, 8 + 5);
}

TEST(CostModelTest, MeasuredCostsOverrideByName) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1000});
  const ir::Node& relu = g.node(OpKind::Relu, {x}, {ir::Shape{1000}});
  const ir::Node& other = g.node(OpKind::Relu, {x}, {ir::Shape{1000}});
  CostModel model(unit_profile(), {{relu.name(), {123.0, 70.0}}, {other.name(), {-1.0, -1.0}}});
  NodeCost c = model.node_cost(relu);
  EXPECT_DOUBLE_EQ(c.us, 123.0);
  EXPECT_DOUBLE_EQ(c.wide_us, 70.0);
  EXPECT_TRUE(c.measured);
  EXPECT_DOUBLE_EQ(c.flops, 1000);  // the work is still reported
  // A nonsensical measurement is ignored.
  EXPECT_DOUBLE_EQ(model.node_cost(other).us, 13);
  EXPECT_FALSE(model.node_cost(other).measured);
}

// A profile times nodes eagerly; where a node runs in a traced cluster it costs its eager time
// scaled by its cluster's traced / eager ratio, measured with it, whether or not it reads
// prepacked weights.
TEST(CostModelTest, MeasuredCostsInATracedClusterScaleByTheirFrozenRatio) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1000});
  const ir::Node& relu = g.node(OpKind::Relu, {x}, {ir::Shape{1000}});
  CostModel model(unit_profile(), {{relu.name(), {200.0, 120.0, 0.75}}});
  EXPECT_DOUBLE_EQ(model.node_cost(relu).us, 200.0);
  EXPECT_DOUBLE_EQ(model.node_cost(relu, {.traced = true}).us, 150.0);
  EXPECT_DOUBLE_EQ(model.node_cost(relu, {.traced = true}).wide_us, 90.0);
  EXPECT_DOUBLE_EQ(model.node_cost(relu, {.prepacked_weights = true}).us, 200.0);
  // A profile without the ratio (older files, plain tables) keeps the eager times.
  CostModel plain(unit_profile(), {{relu.name(), {200.0, 120.0}}});
  EXPECT_DOUBLE_EQ(plain.node_cost(relu, {.traced = true}).wide_us, 120.0);
}

// A ReLU its convolution's kernel applies costs nothing of its own; measured, it keeps its
// scaled time, since the cluster's traced / eager ratio already holds what fusion saved.
TEST(CostModelTest, AnEstimatedNodeFusedIntoItsProducerCostsNothing) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1000});
  const ir::Node& relu = g.node(OpKind::Relu, {x}, {ir::Shape{1000}});
  NodeCost fused = CostModel(unit_profile()).node_cost(relu, {.traced = true, .fused = true});
  EXPECT_DOUBLE_EQ(fused.us, 0);
  EXPECT_DOUBLE_EQ(fused.wide_us, 0);
  EXPECT_DOUBLE_EQ(fused.flops, 1000);  // the work is still reported
  CostModel measured(unit_profile(), {{relu.name(), {200.0, 120.0, 0.75}}});
  EXPECT_DOUBLE_EQ(measured.node_cost(relu, {.traced = true, .fused = true}).us, 150.0);
}

// A Concat that copies a quarter of its output (the rest is already in the tensor it shares)
// pays a quarter of its roofline time and all of its dispatch; measured, it keeps its time.
TEST(CostModelTest, AnEstimatedNodeThatCopiesAShareOfItsOutputPaysThatShare) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1000});
  const ir::Node& relu = g.node(OpKind::Relu, {x}, {ir::Shape{1000}});
  const CostModel model(unit_profile());
  const NodeCost whole = model.node_cost(relu, {.traced = true});
  const NodeCost quarter = model.node_cost(relu, {.traced = true, .copied_share = 0.25});
  EXPECT_DOUBLE_EQ(quarter.us - 5, (whole.us - 5) * 0.25);
  EXPECT_DOUBLE_EQ(quarter.bytes, whole.bytes);  // the work is reported as the op's
  CostModel measured(unit_profile(), {{relu.name(), {200.0, 120.0}}});
  EXPECT_DOUBLE_EQ(measured.node_cost(relu, {.copied_share = 0.25}).us, 200.0);
}

TEST(CostModelTest, OneThreadMeasurementScalesTheWideEstimate) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1000});
  const ir::Node& relu = g.node(OpKind::Relu, {x}, {ir::Shape{1000}});
  CostModel estimate(unit_profile());
  const NodeCost e = estimate.node_cost(relu);
  CostModel model(unit_profile(), {{relu.name(), {2 * e.us, -1.0}}});
  const NodeCost c = model.node_cost(relu);
  EXPECT_DOUBLE_EQ(c.us, 2 * e.us);
  EXPECT_DOUBLE_EQ(c.wide_us, 2 * e.wide_us);
}

// A profile names the nodes of the program it measured, whose split (split-branches) may
// differ from this graph's: parts and wholes are matched by name and share.
TEST(CostModelTest, MeasuredCostsFollowSplitNodes) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1000});
  const ir::Node& whole = g.node(OpKind::Relu, {x}, {ir::Shape{1000}});
  const std::string suffix(ir::kSplitPartSuffix);
  // Measured as two parts, whole here: their sum (unknown when a part's time is).
  CostModel split_profile(unit_profile(),
                          {{whole.name(), {30.0, 20.0}}, {whole.name() + suffix, {10.0, -1.0}}});
  EXPECT_DOUBLE_EQ(split_profile.node_cost(whole).us, 40.0);
  EXPECT_TRUE(split_profile.node_cost(whole).measured);
  // The wide time is unknown in one part, so the estimate's wide/narrow ratio scales the sum.
  const NodeCost estimate = CostModel(unit_profile()).node_cost(whole);
  EXPECT_DOUBLE_EQ(split_profile.node_cost(whole).wide_us, 40.0 * estimate.wide_us / estimate.us);

  // Parts here: the same split measured gives each its own time; a whole measured, its share.
  ir::Attributes first_share, second_share;
  first_share.set(ir::kSplitShareAttribute, 0.75f);
  second_share.set(ir::kSplitShareAttribute, 0.25f);
  const ir::Node& first = g.named("conv", OpKind::Relu, {x}, {ir::Shape{750}}, first_share);
  const ir::Node& second =
      g.named("conv" + suffix, OpKind::Relu, {x}, {ir::Shape{250}}, second_share);
  CostModel same_split(unit_profile(),
                       {{first.name(), {30.0, 20.0}}, {second.name(), {10.0, 8.0}}});
  EXPECT_DOUBLE_EQ(same_split.node_cost(first).us, 30.0);
  EXPECT_DOUBLE_EQ(same_split.node_cost(second).wide_us, 8.0);
  CostModel whole_profile(unit_profile(), {{first.name(), {40.0, 20.0}}});
  EXPECT_DOUBLE_EQ(whole_profile.node_cost(first).us, 30.0);
  EXPECT_DOUBLE_EQ(whole_profile.node_cost(second).us, 10.0);
  EXPECT_DOUBLE_EQ(whole_profile.node_cost(second).wide_us, 5.0);
  EXPECT_TRUE(whole_profile.node_cost(second).measured);
}

TEST(CostModelTest, WideTimeScalesBigKernelsAndNotTinyOnes) {
  DeviceProfile p = unit_profile();
  p.cores = 2;
  p.intra_op_efficiency = 0.8;
  p.intra_op_half_us = 100;
  p.intra_op_sync_us = 1;
  CostModel model(p);
  // A 1 s kernel: speedup 1 + 0.8 * 1e6 / (1e6 + 100), overhead 5 and sync 1 added.
  EXPECT_NEAR(model.wide_time_us(1e6), 1e6 / (1 + 0.8 * 1e6 / (1e6 + 100)) + 5 + 1, 1e-6);
  // A tiny op gains less than the fork costs: it stays at its one-thread time.
  EXPECT_DOUBLE_EQ(model.wide_time_us(1.0), 1.0 + 5);
  // One core: no intra-op parallelism at all.
  p.cores = 1;
  EXPECT_DOUBLE_EQ(CostModel(p).wide_time_us(1e6), 1e6 + 5);
}

// TorchScript dispatches a traced cluster's ops without Python: a tiny op there costs the
// traced overhead, one thread or all cores, and a large one the same roofline plus it.
TEST(CostModelTest, OpsInATracedClusterPayTheTracedDispatchCost) {
  DeviceProfile p = unit_profile();
  p.traced_op_overhead_us = 2;
  p.cores = 2;
  p.intra_op_efficiency = 1;
  p.intra_op_half_us = 1;
  p.intra_op_sync_us = 1;
  CostModel model(p);
  OneNode g;
  const ir::Node& node = max_pool_3x3_2(g);
  const NodeCost eager = model.node_cost(node);
  const NodeCost traced = model.node_cost(node, {.traced = true});
  const double roofline = eager.us - 5;
  EXPECT_DOUBLE_EQ(traced.us, roofline + 2);
  EXPECT_DOUBLE_EQ(traced.wide_us, model.wide_time_us(roofline, false, true));
  EXPECT_LT(traced.wide_us, eager.wide_us);
  EXPECT_DOUBLE_EQ(model.wide_time_us(1e6, false, true), model.wide_time_us(1e6) - 3);
}

TEST(CostModelTest, ComputeBoundOpsScaleByTheirOwnHalfPoint) {
  DeviceProfile p = unit_profile();
  p.cores = 2;
  p.intra_op_efficiency = 1;
  p.intra_op_sync_us = 0;
  p.intra_op_half_us = 1e6;        // memory-bound ops of a few ms barely scale
  p.compute_intra_op_half_us = 1;  // compute-bound ones nearly double
  CostModel model(p);
  OneNode g;
  // A 64x64x64 matmul: 524288 FLOPs (524.288 us at 1 GFLOP/s) against 49152 bytes.
  ir::Value* a = g.input(ir::Shape{64, 64});
  ir::Value* b = g.input(ir::Shape{64, 64});
  NodeCost mm = model.node_cost(g.node(OpKind::MatMul, {a, b}, {ir::Shape{64, 64}}));
  EXPECT_NEAR(mm.wide_us, 524.288 / (1 + 524.288 / 525.288) + 5, 1e-6);
  // An Add of the same tensors: 49152 bytes (49.152 us at 1 GB/s), memory-bound.
  NodeCost add = model.node_cost(g.node(OpKind::Add, {a, b}, {ir::Shape{64, 64}}));
  EXPECT_NEAR(add.wide_us, 49.152 / (1 + 49.152 / (49.152 + 1e6)) + 5, 1e-6);
}

TEST(CostModelTest, TransferIsLatencyPlusBytes) {
  CostModel model(unit_profile());
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1000});  // 4000 bytes at 2e3 bytes per microsecond
  EXPECT_DOUBLE_EQ(model.transfer_cost_us(*x), 20 + 2);
  ir::Value* unknown = g.input(std::nullopt);
  EXPECT_DOUBLE_EQ(model.transfer_cost_us(*unknown), 20);
}

}  // namespace
}  // namespace ramiel::cost

namespace ramiel::cost {
namespace {

// A control-flow node costs its body times the runs: M when constant, a documented guess when
// not; an If its dearer branch.
TEST(CostModelTest, ControlFlowCostsItsBodyTimesTheTrips) {
  const CostModel model(unit_profile());
  ir::Graph g;
  g.opset = 13;
  ir::Value* h0 = g.add_input("h0", ir::testing::float_type({1000}));
  ir::Value* four = g.add_constant("four", ir::Tensor::from_int64(ir::DType::kInt64, {}, {4}),
                                   ir::ConstantOrigin::kModel);
  ir::Value* unknown = g.add_input("m", {ir::DType::kInt64, ir::Shape{}});
  ir::Node* known_loop = ir::testing::add_loop(g, four, h0, {OpKind::Tanh, OpKind::Neg});
  double body_us = 0;
  for (const ir::Node* n : known_loop->subgraph("body")->nodes()) body_us += model.node_cost(*n).us;
  EXPECT_DOUBLE_EQ(model.node_cost(*known_loop).us, 4 * body_us);

  ir::Graph g2;
  g2.opset = 13;
  ir::Value* h1 = g2.add_input("h0", ir::testing::float_type({1000}));
  ir::Value* m = g2.add_input("m", {ir::DType::kInt64, ir::Shape{}});
  ir::Node* guessed = ir::testing::add_loop(g2, m, h1, {OpKind::Tanh, OpKind::Neg});
  EXPECT_DOUBLE_EQ(model.node_cost(*guessed).us, CostModel::kGuessedLoopTrips * body_us);
  (void)unknown;

  ir::Value* cond = g2.add_input("cond", {ir::DType::kBool, ir::Shape{}});
  ir::Node* branch =
      ir::testing::add_if(g2, cond, h1, {OpKind::Abs}, {OpKind::Tanh, OpKind::Neg, OpKind::Exp});
  double dearer = 0;
  for (const ir::Node* n : branch->subgraph("else_branch")->nodes()) {
    dearer += model.node_cost(*n).us;
  }
  EXPECT_DOUBLE_EQ(model.node_cost(*branch).us, dearer);
  EXPECT_LE(model.node_cost(*branch).wide_us, model.node_cost(*branch).us);
}

}  // namespace
}  // namespace ramiel::cost
