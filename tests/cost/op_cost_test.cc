// Hand-checked FLOP and byte counts for every op family.
#include "core/cost/op_cost.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/cost/cost_test_graph.h"

namespace ramiel::cost {
namespace {

using ir::Attributes;
using ir::OpKind;
using testing::OneNode;

OpWork work_of(const ir::Node& node) {
  return op_cost_fn(node.op())(node);
}

Attributes attrs(std::initializer_list<std::pair<const char*, ir::AttributeValue>> list) {
  Attributes a;
  for (const auto& [name, value] : list) a.set(name, value);
  return a;
}

using Ints = std::vector<int64_t>;

// X [1, 8, 10, 10], W [16, 2, 3, 3], group 4, dilation 2: each output sees 2 channels x 9 taps,
// and the dilated 5x5 extent leaves 6x6 positions: 16 * 36 = 576 outputs.
struct GroupedDilatedConv {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1, 8, 10, 10});
  ir::Value* w = g.input(ir::Shape{16, 2, 3, 3}, /*constant=*/true);
  ir::Value* b = g.input(ir::Shape{16}, /*constant=*/true);
  Attributes a =
      attrs({{"group", int64_t{4}}, {"dilations", Ints{2, 2}}, {"kernel_shape", Ints{3, 3}}});
};

TEST(ConvCostTest, GroupsAndDilationWithKnownOutput) {
  GroupedDilatedConv c;
  OpWork w = work_of(c.g.node(OpKind::Conv, {c.x, c.w}, {ir::Shape{1, 16, 6, 6}}, c.a));
  EXPECT_DOUBLE_EQ(w.flops, 2.0 * 576 * (2 * 9));  // 20736
  // X, the constant weight and Y: (800 + 288 + 576) * 4 bytes.
  EXPECT_DOUBLE_EQ(w.bytes, (800 + 288 + 576) * 4.0);
}

TEST(ConvCostTest, BiasAddsOneOperationPerOutput) {
  GroupedDilatedConv c;
  OpWork w = work_of(c.g.node(OpKind::Conv, {c.x, c.w, c.b}, {ir::Shape{1, 16, 6, 6}}, c.a));
  EXPECT_DOUBLE_EQ(w.flops, 20736 + 576);
  EXPECT_DOUBLE_EQ(w.bytes, (800 + 288 + 16 + 576) * 4.0);
}

TEST(ConvCostTest, UnknownOutputIsDerivedFromAttributesIncludingDilation) {
  GroupedDilatedConv c;
  EXPECT_DOUBLE_EQ(work_of(c.g.node(OpKind::Conv, {c.x, c.w}, {std::nullopt}, c.a)).flops, 20736);
  // Without dilation the kernel covers 3x3 and 8x8 positions fit.
  Attributes plain = attrs({{"group", int64_t{4}}});
  EXPECT_DOUBLE_EQ(work_of(c.g.node(OpKind::Conv, {c.x, c.w}, {std::nullopt}, plain)).flops,
                   2.0 * 16 * 64 * 18);
  // Stride 2 and padding 1 on the 5x5 extent: floor((10 + 2 - 5) / 2) + 1 = 4.
  Attributes strided = c.a;
  strided.set("strides", Ints{2, 2});
  strided.set("pads", Ints{1, 1, 1, 1});
  EXPECT_DOUBLE_EQ(work_of(c.g.node(OpKind::Conv, {c.x, c.w}, {std::nullopt}, strided)).flops,
                   2.0 * 16 * 16 * 18);
  // SAME_UPPER keeps ceil(10 / 2) = 5.
  Attributes same = attrs(
      {{"group", int64_t{4}}, {"strides", Ints{2, 2}}, {"auto_pad", std::string("SAME_UPPER")}});
  EXPECT_DOUBLE_EQ(work_of(c.g.node(OpKind::Conv, {c.x, c.w}, {std::nullopt}, same)).flops,
                   2.0 * 16 * 25 * 18);
}

TEST(ConvCostTest, DepthwiseAndUnknownWeightShape) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1, 32, 7, 7});
  ir::Value* w = g.input(ir::Shape{32, 1, 3, 3});
  Attributes dw = attrs({{"group", int64_t{32}}, {"pads", Ints{1, 1, 1, 1}}});
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::Conv, {x, w}, {ir::Shape{1, 32, 7, 7}}, dw)).flops,
                   2.0 * 32 * 49 * 9);
  // Weight of unknown rank: kernel_shape and the output's channels stand in.
  ir::Value* w_unknown = g.input(std::nullopt);
  dw.set("kernel_shape", Ints{3, 3});
  EXPECT_DOUBLE_EQ(
      work_of(g.node(OpKind::Conv, {x, w_unknown}, {ir::Shape{1, 32, 7, 7}}, dw)).flops,
      2.0 * 32 * 49 * 9);
}

TEST(ConvCostTest, ConvTransposeScattersEveryInput) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1, 4, 5, 5});
  ir::Value* w = g.input(ir::Shape{4, 3, 2, 2});  // [C_in, M / group, kH, kW]
  OpWork work = work_of(g.node(OpKind::ConvTranspose, {x, w}, {ir::Shape{1, 3, 10, 10}},
                               attrs({{"strides", Ints{2, 2}}})));
  EXPECT_DOUBLE_EQ(work.flops, 2.0 * 100 * 3 * 4);
}

TEST(MatMulCostTest, GemmWithTransposes) {
  OneNode g;
  ir::Value* a = g.input(ir::Shape{3, 4});  // transA: K x M, so M = 4, K = 3
  ir::Value* b = g.input(ir::Shape{5, 3});  // transB: N x K, so N = 5
  ir::Value* c = g.input(ir::Shape{5});
  Attributes t = attrs({{"transA", int64_t{1}}, {"transB", int64_t{1}}});
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::Gemm, {a, b}, {ir::Shape{4, 5}}, t)).flops, 120);
  OpWork with_c = work_of(g.node(OpKind::Gemm, {a, b, c}, {ir::Shape{4, 5}}, t));
  EXPECT_DOUBLE_EQ(with_c.flops, 120 + 20);
  EXPECT_DOUBLE_EQ(with_c.bytes, (12 + 15 + 5 + 20) * 4.0);
  // The same product without transposes.
  ir::Value* a2 = g.input(ir::Shape{4, 3});
  ir::Value* b2 = g.input(ir::Shape{3, 5});
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::Gemm, {a2, b2}, {std::nullopt})).flops, 120);
  // transB alone on the untransposed A reads N from B's first dim.
  ir::Value* b3 = g.input(ir::Shape{7, 3});
  EXPECT_DOUBLE_EQ(
      work_of(g.node(OpKind::Gemm, {a2, b3}, {ir::Shape{4, 7}}, attrs({{"transB", int64_t{1}}})))
          .flops,
      2.0 * 4 * 7 * 3);
}

TEST(MatMulCostTest, BatchedBroadcastAndVectors) {
  OneNode g;
  ir::Value* a = g.input(ir::Shape{2, 1, 4, 3});
  ir::Value* b = g.input(ir::Shape{5, 3, 6});
  // Output [2, 5, 4, 6]: 240 elements, each a 3-term dot product.
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::MatMul, {a, b}, {ir::Shape{2, 5, 4, 6}})).flops, 1440);
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::MatMul, {a, b}, {std::nullopt})).flops, 1440);
  ir::Value* v = g.input(ir::Shape{3});
  ir::Value* m = g.input(ir::Shape{3, 6});
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::MatMul, {v, m}, {ir::Shape{6}})).flops, 36);
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::MatMul, {v, m}, {std::nullopt})).flops, 36);
}

TEST(MatMulCostTest, OneRowProductsAreMatrixVector) {
  // A classifier at batch 1 reads its whole weight for one row of outputs: its bytes are
  // matrix-vector bytes, which run at their own rate (DeviceProfile::matvec_gbps).
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1, 1024});
  ir::Value* w = g.input(ir::Shape{1000, 1024}, /*constant=*/true);
  ir::Value* c = g.input(ir::Shape{1000}, /*constant=*/true);
  OpWork fc = work_of(
      g.node(OpKind::Gemm, {x, w, c}, {ir::Shape{1, 1000}}, attrs({{"transB", int64_t{1}}})));
  EXPECT_DOUBLE_EQ(fc.bytes, (1024 + 1024000 + 1000 + 1000) * 4.0);
  EXPECT_DOUBLE_EQ(fc.matvec_bytes, fc.bytes);
  ir::Value* row = g.input(ir::Shape{1, 1, 256});
  ir::Value* m = g.input(ir::Shape{256, 64}, /*constant=*/true);
  OpWork mv = work_of(g.node(OpKind::MatMul, {row, m}, {ir::Shape{1, 1, 64}}));
  EXPECT_DOUBLE_EQ(mv.matvec_bytes, mv.bytes);
  // Two rows, or a batch of matrices on the right, are matrix products.
  ir::Value* rows = g.input(ir::Shape{2, 1024});
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::Gemm, {rows, w}, {ir::Shape{2, 1000}},
                                  attrs({{"transB", int64_t{1}}})))
                       .matvec_bytes,
                   0);
  ir::Value* tokens = g.input(ir::Shape{1, 128, 256});
  EXPECT_DOUBLE_EQ(
      work_of(g.node(OpKind::MatMul, {tokens, m}, {ir::Shape{1, 128, 64}})).matvec_bytes, 0);
  ir::Value* batch = g.input(ir::Shape{4, 256, 64});
  EXPECT_DOUBLE_EQ(
      work_of(g.node(OpKind::MatMul, {row, batch}, {ir::Shape{4, 1, 64}})).matvec_bytes, 0);
}

TEST(PoolCostTest, WindowsAndCeilMode) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1, 4, 8, 8});
  Attributes a =
      attrs({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  // floor((8 + 2 - 3) / 2) + 1 = 4: 4 * 16 outputs of 9 window elements.
  OpWork max = work_of(g.node(OpKind::MaxPool, {x}, {ir::Shape{1, 4, 4, 4}}, a));
  EXPECT_DOUBLE_EQ(max.flops, 576);
  EXPECT_DOUBLE_EQ(max.pool_window_ops, 576);
  EXPECT_DOUBLE_EQ(max.bytes, (256 + 64) * 4.0);
  OpWork avg = work_of(g.node(OpKind::AveragePool, {x}, {std::nullopt}, a));
  EXPECT_DOUBLE_EQ(avg.flops, 576);
  EXPECT_DOUBLE_EQ(avg.pool_window_ops, 192);  // average pooling runs 3x faster
  // 6x6 with a 3x3/2 window: 2 positions, 3 with ceil_mode.
  ir::Value* y = g.input(ir::Shape{1, 1, 6, 6});
  Attributes c = attrs({{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}});
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::MaxPool, {y}, {std::nullopt}, c)).flops, 4 * 9);
  c.set("ceil_mode", int64_t{1});
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::MaxPool, {y}, {std::nullopt}, c)).flops, 9 * 9);
}

TEST(PoolCostTest, GlobalPoolsReadEveryElementOnce) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1, 4, 8, 8});
  OpWork w = work_of(g.node(OpKind::GlobalAveragePool, {x}, {ir::Shape{1, 4, 1, 1}}));
  EXPECT_DOUBLE_EQ(w.flops, 256);
  EXPECT_DOUBLE_EQ(w.pool_window_ops, 0);
  EXPECT_DOUBLE_EQ(w.bytes, (256 + 4) * 4.0);
}

TEST(ConvCostTest, ConstantWeightsAreWeightBytes) {
  // The weight and bias are model constants: read on every call (DeviceProfile::weight_gbps).
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1, 8, 10, 10});
  ir::Value* w = g.input(ir::Shape{16, 8, 3, 3}, /*constant=*/true);
  ir::Value* b = g.input(ir::Shape{16}, /*constant=*/true);
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::Conv, {x, w, b}, {ir::Shape{1, 16, 8, 8}})).weight_bytes,
                   (16 * 8 * 9 + 16) * 4.0);
  // A weight computed by the graph is an activation, not a weight.
  ir::Value* computed = g.input(ir::Shape{16, 8, 3, 3});
  EXPECT_DOUBLE_EQ(
      work_of(g.node(OpKind::Conv, {x, computed}, {ir::Shape{1, 16, 8, 8}})).weight_bytes, 0);
}

TEST(MatMulCostTest, MatrixProductsReadTheirConstantWeightsMatrixVectorOnesDoNot) {
  OneNode g;
  ir::Value* tokens = g.input(ir::Shape{1, 128, 256});
  ir::Value* w = g.input(ir::Shape{256, 64}, /*constant=*/true);
  EXPECT_DOUBLE_EQ(
      work_of(g.node(OpKind::MatMul, {tokens, w}, {ir::Shape{1, 128, 64}})).weight_bytes,
      256 * 64 * 4.0);
  ir::Value* keys = g.input(ir::Shape{1, 256, 128});
  EXPECT_DOUBLE_EQ(
      work_of(g.node(OpKind::MatMul, {tokens, keys}, {ir::Shape{1, 128, 128}})).weight_bytes, 0);
  ir::Value* rows = g.input(ir::Shape{2, 256});
  ir::Value* c = g.input(ir::Shape{64}, /*constant=*/true);
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::Gemm, {rows, w, c}, {ir::Shape{2, 64}})).weight_bytes,
                   (256 * 64 + 64) * 4.0);
  // One row: its weights are matrix-vector bytes already.
  ir::Value* row = g.input(ir::Shape{1, 256});
  OpWork mv = work_of(g.node(OpKind::Gemm, {row, w, c}, {ir::Shape{1, 64}}));
  EXPECT_GT(mv.matvec_bytes, 0);
  EXPECT_DOUBLE_EQ(mv.weight_bytes, 0);
}

TEST(ElementwiseCostTest, TranscendentalsNormalizationsAndSoftmaxAreVectorOps) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{4, 5});
  for (OpKind op : {OpKind::Gelu, OpKind::Erf, OpKind::Sigmoid, OpKind::Tanh, OpKind::Softmax}) {
    OpWork w = work_of(g.node(op, {x}, {ir::Shape{4, 5}}));
    EXPECT_GT(w.vector_ops, 0) << ir::op_name(op);
    EXPECT_DOUBLE_EQ(w.vector_ops, w.flops) << ir::op_name(op);
  }
  ir::Value* scale = g.input(ir::Shape{5}, true);
  ir::Value* bias = g.input(ir::Shape{5}, true);
  OpWork ln = work_of(g.node(OpKind::LayerNormalization, {x, scale, bias}, {ir::Shape{4, 5}}));
  EXPECT_DOUBLE_EQ(ln.vector_ops, ln.flops);
  // Cheap element-wise ops stream: bandwidth, not vector math, bounds them.
  for (OpKind op : {OpKind::Relu, OpKind::Add, OpKind::Clip, OpKind::Hardmax}) {
    EXPECT_DOUBLE_EQ(work_of(g.node(op, {x, x}, {ir::Shape{4, 5}})).vector_ops, 0)
        << ir::op_name(op);
  }
}

TEST(ElementwiseCostTest, BroadcastReadsEachInputAtItsOwnSize) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{1, 64, 56, 56});
  ir::Value* bias = g.input(ir::Shape{1, 64, 1, 1}, /*constant=*/true);
  OpWork w = work_of(g.node(OpKind::Add, {x, bias}, {ir::Shape{1, 64, 56, 56}}));
  EXPECT_DOUBLE_EQ(w.flops, 200704);
  EXPECT_DOUBLE_EQ(w.bytes, (200704 + 64 + 200704) * 4.0);
}

TEST(ElementwiseCostTest, PerElementCountsByOp) {
  OneNode g;
  ir::Value* a = g.input(ir::Shape{10});
  ir::Value* b = g.input(ir::Shape{10});
  ir::Value* c = g.input(ir::Shape{10});
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::Relu, {a}, {ir::Shape{10}})).flops, 10);
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::Exp, {a}, {ir::Shape{10}})).flops, 80);
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::Sum, {a, b, c}, {ir::Shape{10}})).flops, 20);
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::Mean, {a, b, c}, {ir::Shape{10}})).flops, 30);
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::Clip, {a}, {ir::Shape{10}})).flops, 20);
  // Output of unknown rank: as large as the largest input.
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::Mul, {a, b}, {std::nullopt})).flops, 10);
}

TEST(ReductionCostTest, ReductionsSoftmaxAndArgMax) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{4, 5});
  Attributes axes = attrs({{"axes", Ints{1}}});
  OpWork sum = work_of(g.node(OpKind::ReduceSum, {x}, {ir::Shape{4, 1}}, axes));
  EXPECT_DOUBLE_EQ(sum.flops, 20);
  EXPECT_DOUBLE_EQ(sum.bytes, (20 + 4) * 4.0);
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::ReduceSumSquare, {x}, {ir::Shape{4, 1}}, axes)).flops,
                   40);
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::ArgMax, {x}, {ir::Shape{4, 1}})).flops, 20);
  // Softmax: max, subtract, exp (8), sum, divide = 12 per element.
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::Softmax, {x}, {ir::Shape{4, 5}})).flops, 240);
  EXPECT_DOUBLE_EQ(work_of(g.node(OpKind::LogSoftmax, {x}, {ir::Shape{4, 5}})).flops, 240);
  // TopK with k = 3: log2(4) = 2 comparisons per element.
  OneNode h;
  ir::Value* y = h.input(ir::Shape{4, 5});
  ir::Value* k = h.input(ir::Shape{1}, /*constant=*/true);
  EXPECT_DOUBLE_EQ(work_of(h.node(OpKind::TopK, {y, k}, {ir::Shape{4, 3}, ir::Shape{4, 3}})).flops,
                   40);
}

TEST(NormalizationCostTest, LayerAndBatchNorm) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{2, 3, 4});
  ir::Value* scale = g.input(ir::Shape{4}, true);
  ir::Value* bias = g.input(ir::Shape{4}, true);
  OpWork ln = work_of(g.node(OpKind::LayerNormalization, {x, scale, bias}, {ir::Shape{2, 3, 4}}));
  EXPECT_DOUBLE_EQ(ln.flops, 24 * 8);
  EXPECT_DOUBLE_EQ(ln.bytes, (24 + 4 + 4 + 24) * 4.0);

  ir::Value* y = g.input(ir::Shape{1, 3, 2, 2});
  std::vector<ir::Value*> params;
  for (int i = 0; i < 4; ++i) params.push_back(g.input(ir::Shape{3}, true));
  OpWork bn =
      work_of(g.node(OpKind::BatchNormalization, {y, params[0], params[1], params[2], params[3]},
                     {ir::Shape{1, 3, 2, 2}}));
  // Constant parameters are folded at load: a multiply-add per element, streamed.
  EXPECT_DOUBLE_EQ(bn.flops, 12 * 2);
  EXPECT_DOUBLE_EQ(bn.vector_ops, 0);
  EXPECT_DOUBLE_EQ(bn.bytes, (12 + 4 * 3 + 12) * 4.0);
  // Parameters known only at run time: folding 4 operations per channel on each run too.
  std::vector<ir::Value*> runtime_params;
  for (int i = 0; i < 4; ++i) runtime_params.push_back(g.input(ir::Shape{3}));
  OpWork folding = work_of(
      g.node(OpKind::BatchNormalization,
             {y, runtime_params[0], runtime_params[1], runtime_params[2], runtime_params[3]},
             {ir::Shape{1, 3, 2, 2}}));
  EXPECT_DOUBLE_EQ(folding.flops, 12 * 2 + 3 * 4);
  EXPECT_DOUBLE_EQ(folding.vector_ops, folding.flops);
  // Training mode normalizes by the batch's own statistics on every run, constants or not.
  OpWork training =
      work_of(g.node(OpKind::BatchNormalization, {y, params[0], params[1], params[2], params[3]},
                     {ir::Shape{1, 3, 2, 2}}, attrs({{"training_mode", int64_t{1}}})));
  EXPECT_DOUBLE_EQ(training.flops, 12 * 2 + 3 * 4);
  EXPECT_DOUBLE_EQ(training.vector_ops, training.flops);
}

TEST(MovementCostTest, ConcatTransposeSliceAndViews) {
  OneNode g;
  ir::Value* a = g.input(ir::Shape{1, 2, 4});
  ir::Value* b = g.input(ir::Shape{1, 3, 4});
  OpWork concat =
      work_of(g.node(OpKind::Concat, {a, b}, {ir::Shape{1, 5, 4}}, attrs({{"axis", int64_t{1}}})));
  EXPECT_DOUBLE_EQ(concat.flops, 0);
  EXPECT_DOUBLE_EQ(concat.bytes, (8 + 12 + 20) * 4.0);
  OpWork transpose = work_of(g.node(OpKind::Transpose, {b}, {ir::Shape{4, 3, 1}}));
  EXPECT_DOUBLE_EQ(transpose.flops, 0);
  EXPECT_DOUBLE_EQ(transpose.bytes, 2 * 12 * 4.0);
  // Slice reads only what it keeps, plus its index inputs.
  ir::Value* starts = g.input(ir::Shape{1}, true);
  ir::Value* ends = g.input(ir::Shape{1}, true);
  OpWork slice = work_of(g.node(OpKind::Slice, {b, starts, ends}, {ir::Shape{1, 1, 4}}));
  EXPECT_DOUBLE_EQ(slice.bytes, (4 + 4) * 4.0 + 2 * 4.0);
  OpWork reshape = work_of(g.node(OpKind::Reshape, {b, starts}, {ir::Shape{12}}));
  EXPECT_DOUBLE_EQ(reshape.flops + reshape.bytes, 0);
}

TEST(RecurrentCostTest, LstmCountsGateProducts) {
  OneNode g;
  ir::Value* x = g.input(ir::Shape{7, 1, 10});         // seq 7, batch 1, input 10
  ir::Value* w = g.input(ir::Shape{1, 16, 10}, true);  // 4 gates x hidden 4
  ir::Value* r = g.input(ir::Shape{1, 16, 4}, true);
  OpWork lstm = work_of(g.node(OpKind::LSTM, {x, w, r}, {ir::Shape{7, 1, 1, 4}}));
  EXPECT_DOUBLE_EQ(lstm.flops, 7 * (2.0 * (160 + 64) + 16 * 8));
}

// Every op, with every shape unknown or partly unknown, gets a finite, non-negative estimate.
TEST(OpCostTest, EveryOpToleratesUnknownShapes) {
  for (size_t i = 0; i < ir::kNumOpKinds; ++i) {
    const auto op = static_cast<OpKind>(i);
    OneNode g;
    std::vector<ir::Value*> unknown = {g.input(std::nullopt), g.input(std::nullopt), nullptr,
                                       g.input(std::nullopt)};
    std::vector<ir::Value*> partial = {g.input(ir::Shape{-1, 3, -1, 4}), g.input(ir::Shape{}),
                                       g.input(ir::Shape{-1}), nullptr};
    for (const ir::Node* node : {&g.node(op, unknown, {std::nullopt, std::nullopt}),
                                 &g.node(op, partial, {ir::Shape{-1, 3, -1, 4}}),
                                 &g.node(op, {}, {}), &g.node(op, {nullptr}, {ir::Shape{0}})}) {
      OpWork w = work_of(*node);
      EXPECT_TRUE(std::isfinite(w.flops) && w.flops >= 0) << ir::op_name(op);
      EXPECT_TRUE(std::isfinite(w.bytes) && w.bytes >= 0) << ir::op_name(op);
      EXPECT_TRUE(std::isfinite(w.pool_window_ops) && w.pool_window_ops >= 0) << ir::op_name(op);
    }
  }
}

}  // namespace
}  // namespace ramiel::cost
