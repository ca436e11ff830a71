// ENGINES: the profile's per-node winners vote per cluster; without them, the op-mix rule.
#include "core/codegen/engines.h"

#include <gtest/gtest.h>

#include "tests/codegen/emit_test_util.h"
#include "tests/codegen/scheduled_graph.h"

namespace ramiel::codegen::testing {
namespace {

using ir::OpKind;

// Two 3x3 convolutions and a residual Add (conv_b(relu(conv_a(x))) + x'), then relu; and a
// Concat branch (conv_c beside a MaxPool of x) on its own.
std::unique_ptr<ir::Graph> convs() {
  auto g = std::make_unique<ir::Graph>();
  g->name = "convs";
  g->opset = 13;
  ir::Value* x = g->add_input("x", f32({1, 4, 8, 8}));
  ir::Value* w = g->add_input("w", f32({4, 4, 3, 3}));
  auto conv = [&](const char* name, ir::Value* in) {
    return g->add_node(OpKind::Conv, name, {in, w}, {{std::string(name) + "_y", f32({1, 4, 8, 8})}})
        ->output(0);
  };
  ir::Value* a = conv("conv_a", x);
  ir::Value* ar = g->add_node(OpKind::Relu, "relu_a", {a}, {{"ar", f32({1, 4, 8, 8})}})->output(0);
  ir::Value* b = conv("conv_b", ar);
  ir::Value* sum = g->add_node(OpKind::Add, "add", {b, a}, {{"sum", f32({1, 4, 8, 8})}})->output(0);
  ir::Value* c = conv("conv_c", x);
  ir::Value* cat =
      g->add_node(OpKind::Concat, "concat", {c, sum}, {{"cat", f32({1, 8, 8, 8})}})->output(0);
  g->set_outputs({cat});
  return g;
}

// Every node costs the same (10 us), so a cluster's op mix is its node count.
std::vector<std::string> engines_of(const std::string& clusters, const MeasuredEngines& measured) {
  auto s = schedule_by_name(convs(), parse_clusters(clusters));
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return s.ok() ? choose_engines(s->dataflow, s->schedule, measured) : std::vector<std::string>{};
}

TEST(EnginesTest, ConvolutionsRunPrepackedWhereTheyCarryTheCost) {
  // Two thirds convolutions, with a residual Add or without; a third stays eager.
  EXPECT_EQ(engines_of("conv_a,conv_b,add;relu_a,conv_c,concat", {}),
            (std::vector<std::string>{"prepacked", "eager"}));
  EXPECT_EQ(engines_of("conv_a,add,concat;relu_a,conv_b,conv_c", {}),
            (std::vector<std::string>{"eager", "prepacked"}));
}

TEST(EnginesTest, ATracedEngineReadsPrepackedWeightsWhereOneDnnPacksThem) {
  EXPECT_FALSE(is_traced("eager"));
  EXPECT_TRUE(is_traced("frozen") && is_traced("prepacked"));
  for (OpKind op : {OpKind::Conv, OpKind::MatMul, OpKind::Gemm}) {
    EXPECT_TRUE(reads_prepacked_weights("frozen", op));
    EXPECT_TRUE(reads_prepacked_weights("prepacked", op));
    EXPECT_FALSE(reads_prepacked_weights("eager", op));
  }
  EXPECT_FALSE(reads_prepacked_weights("frozen", OpKind::Relu));
  EXPECT_FALSE(reads_prepacked_weights("prepacked", OpKind::Add));
}

TEST(EnginesTest, AReluThatOnlyItsConvolutionReadsRunsInsideItWhenTraced) {
  // relu_a reads conv_a, which the residual Add reads too: it stays a kernel of its own.
  auto g = convs();
  for (const ir::Node* n : g->nodes()) {
    if (n->op() == OpKind::Relu) {
      EXPECT_FALSE(fused_into_producer("prepacked", *n, true));
    }
  }
  // x -> conv -> relu -> y: the Relu is its convolution's only reader.
  ir::Graph chain;
  chain.name = "chain";
  chain.opset = 13;
  ir::Value* x = chain.add_input("x", f32({1, 4, 8, 8}));
  ir::Value* w = chain.add_input("w", f32({4, 4, 3, 3}));
  ir::Value* y =
      chain.add_node(OpKind::Conv, "conv", {x, w}, {{"c", f32({1, 4, 8, 8})}})->output(0);
  const ir::Node& relu = *chain.add_node(OpKind::Relu, "relu", {y}, {{"r", f32({1, 4, 8, 8})}});
  chain.set_outputs({relu.output(0)});
  EXPECT_TRUE(fused_into_producer("prepacked", relu, true));
  EXPECT_TRUE(fused_into_producer("frozen", relu, true));
  EXPECT_FALSE(fused_into_producer("eager", relu, true));
  EXPECT_FALSE(fused_into_producer("prepacked", relu, false));  // the conv in another cluster
  // The convolution's output is also a graph output: it must be written out unfused.
  chain.set_outputs({relu.output(0), y});
  EXPECT_FALSE(fused_into_producer("prepacked", relu, true));
}

// A Transformer's attention and feed-forward products as the compiler sees them: a projection
// by a constant weight [256, 768] over 128 tokens with its bias Add, and Q [1,4,128,64] by
// K^T [1,4,64,128] divided by a constant scalar.
struct Products {
  ir::Graph g;
  const ir::Node* bias_add;
  const ir::Node* scale;
  explicit Products(ir::Shape bias_shape = {768}, ir::Shape scale_shape = {},
                    bool bias_first = false) {
    g.name = "products";
    g.opset = 13;
    auto constant = [&](const char* name, ir::Shape shape) {
      return g.add_constant(name, ir::Tensor::without_data(ir::DType::kFloat32, std::move(shape)),
                            ir::ConstantOrigin::kModel);
    };
    ir::Value* x = g.add_input("x", f32({1, 128, 256}));
    ir::Value* projected = g.add_node(OpKind::MatMul, "qkv", {x, constant("w", {256, 768})},
                                      {{"qkv_y", f32({1, 128, 768})}})
                               ->output(0);
    ir::Value* bias = constant("b", bias_shape);
    bias_add = g.add_node(OpKind::Add, "qkv_bias",
                          bias_first ? std::vector<ir::Value*>{bias, projected}
                                     : std::vector<ir::Value*>{projected, bias},
                          {{"qkv_b", f32({1, 128, 768})}});
    ir::Value* q = g.add_input("q", f32({1, 4, 128, 64}));
    ir::Value* kt = g.add_input("kt", f32({1, 4, 64, 128}));
    ir::Value* scores =
        g.add_node(OpKind::MatMul, "scores", {q, kt}, {{"s", f32({1, 4, 128, 128})}})->output(0);
    scale = g.add_node(OpKind::Div, "scale", {scores, constant("eight", scale_shape)},
                       {{"s8", f32({1, 4, 128, 128})}});
    g.set_outputs({bias_add->output(0), scale->output(0)});
  }
};

TEST(EnginesTest, APrepackedProductTakesTheBiasAddOrScaleThatOnlyItFeeds) {
  Products p;
  EXPECT_TRUE(fused_into_producer("prepacked", *p.bias_add, true));
  EXPECT_TRUE(fused_into_producer("prepacked", *p.scale, true));
  // The frozen engine (optimize_for_inference) and eager runs leave both apart.
  for (const char* engine : {"frozen", "eager"}) {
    EXPECT_FALSE(fused_into_producer(engine, *p.bias_add, true)) << engine;
    EXPECT_FALSE(fused_into_producer(engine, *p.scale, true)) << engine;
  }
  EXPECT_FALSE(fused_into_producer("prepacked", *p.scale, false));  // another cluster
  // PyTorch's exporter writes the bias first.
  EXPECT_TRUE(fused_into_producer("prepacked", *Products({768}, {}, true).bias_add, true));
  // A bias of another shape than the product's columns, a scale that is no scalar: apart.
  Products other(/*bias_shape=*/{1, 128, 768}, /*scale_shape=*/{1, 4, 128, 128});
  EXPECT_FALSE(fused_into_producer("prepacked", *other.bias_add, true));
  EXPECT_FALSE(fused_into_producer("prepacked", *other.scale, true));
}

// A DenseNet block's Concats: x0 (8 channels) and three layers' 4 new channels each, every
// Concat joining all the maps before it; `branch` adds a second Concat extending the first.
struct DenseConcats {
  ir::Graph g;
  std::vector<const ir::Node*> concats;
  explicit DenseConcats(bool branch = false) {
    g.name = "dense";
    g.opset = 13;
    std::vector<ir::Value*> maps = {g.add_input("x0", f32({1, 8, 4, 4}))};
    for (int layer = 1; layer <= 3; ++layer) {
      maps.push_back(g.add_input("x" + std::to_string(layer), f32({1, 4, 4, 4})));
      const int64_t channels = 8 + 4 * (layer);
      ir::Attributes axis;
      axis.set("axis", int64_t{1});
      const std::string name = "concat" + std::to_string(layer);
      concats.push_back(
          g.add_node(OpKind::Concat, name, maps, {{name + "_y", f32({1, channels, 4, 4})}}, axis));
    }
    if (branch) {
      ir::Attributes axis;
      axis.set("axis", int64_t{1});
      concats.push_back(g.add_node(OpKind::Concat, "beside", {maps[0], maps[1], maps[3]},
                                   {{"beside_y", f32({1, 16, 4, 4})}}, axis));
    }
    std::vector<ir::Value*> outputs;
    for (const ir::Node* n : concats) outputs.push_back(n->output(0));
    g.set_outputs(outputs);
  }
};

TEST(EnginesTest, AConcatThatExtendsTheOneBeforeCopiesOnlyItsNewInputsWhenPrepacked) {
  DenseConcats dense;
  const auto everywhere = [](const ir::Node&) { return true; };
  EXPECT_EQ(concat_copied_share("prepacked", *dense.concats[0], everywhere), 1);  // the first
  EXPECT_DOUBLE_EQ(concat_copied_share("prepacked", *dense.concats[1], everywhere), 4.0 / 16);
  EXPECT_DOUBLE_EQ(concat_copied_share("prepacked", *dense.concats[2], everywhere), 4.0 / 20);
  // Only the prepacked engine shares them, and only within the cluster.
  EXPECT_EQ(concat_copied_share("frozen", *dense.concats[1], everywhere), 1);
  EXPECT_EQ(concat_copied_share("eager", *dense.concats[1], everywhere), 1);
  const auto alone = [&](const ir::Node& n) { return &n != dense.concats[0]; };
  EXPECT_EQ(concat_copied_share("prepacked", *dense.concats[1], alone), 1);
  // Two Concats extend concat1: neither can be its tensor.
  DenseConcats branching(true);
  EXPECT_EQ(concat_copied_share("prepacked", *branching.concats[1], everywhere), 1);
  EXPECT_EQ(concat_copied_share("prepacked", *branching.concats[3], everywhere), 1);
  EXPECT_DOUBLE_EQ(concat_copied_share("prepacked", *branching.concats[2], everywhere), 4.0 / 20);
}

// A MaxPool of `channels` x `size` x `size` with the given window, stride and dilation.
struct OnePool {
  ir::Graph g;
  const ir::Node* pool;
  OnePool(int64_t channels, int64_t size, int64_t kernel, int64_t stride, int64_t dilation = 1,
          bool indices = false) {
    g.name = "pool";
    g.opset = 13;
    ir::Value* x = g.add_input("x", f32({1, channels, size, size}));
    ir::Attributes a;
    a.set("kernel_shape", std::vector<int64_t>{kernel, kernel});
    a.set("strides", std::vector<int64_t>{stride, stride});
    a.set("dilations", std::vector<int64_t>{dilation, dilation});
    const int64_t out = (size - dilation * (kernel - 1) - 1) / stride + 1;
    std::vector<ir::OutputSpec> outputs = {{"y", f32({1, channels, out, out})}};
    if (indices) outputs.push_back({"i", {ir::DType::kInt64, ir::Shape{1, channels, out, out}}});
    pool = g.add_node(OpKind::MaxPool, "pool", {x}, outputs, a);
    g.set_outputs({pool->output(0)});
  }
};

TEST(EnginesTest, ThePrepackedEngineRunsLargeOverlappingMaxPoolsAsRowAndColumnPasses) {
  EXPECT_TRUE(pools_separably("prepacked", *OnePool(64, 112, 3, 2).pool));  // GoogLeNet's first
  EXPECT_TRUE(pools_separably("prepacked", *OnePool(192, 28, 3, 1).pool));
  EXPECT_FALSE(pools_separably("eager", *OnePool(64, 112, 3, 2).pool));
  EXPECT_FALSE(pools_separably("frozen", *OnePool(64, 112, 3, 2).pool));
  // Small, windows that do not overlap, dilated, or with indices: as PyTorch pools them.
  EXPECT_FALSE(pools_separably("prepacked", *OnePool(832, 7, 3, 1).pool));
  EXPECT_FALSE(pools_separably("prepacked", *OnePool(256, 56, 2, 2).pool));
  EXPECT_FALSE(pools_separably("prepacked", *OnePool(64, 112, 3, 2, 2).pool));
  EXPECT_FALSE(pools_separably("prepacked", *OnePool(64, 112, 3, 2, 1, true).pool));
}

TEST(EnginesTest, MeasuredWinnersVoteByCostAndUnmeasuredClustersFollowTheRule) {
  const MeasuredEngines measured = {
      {"conv_a", "eager"}, {"relu_a", "frozen"}, {"conv_b", "eager"}, {"conv_c", "frozen"}};
  EXPECT_EQ(engines_of("conv_a,conv_b,add;relu_a,conv_c,concat", measured),
            (std::vector<std::string>{"eager", "frozen"}));
  // The first cluster has no measured node: the rule runs its convolutions prepacked.
  EXPECT_EQ(engines_of("conv_a,conv_b,add;relu_a,conv_c,concat", {{"concat", "frozen"}}),
            (std::vector<std::string>{"prepacked", "frozen"}));
  // Three engines: the one with the most measured cost wins; a tie stays eager.
  const MeasuredEngines three = {{"conv_a", "prepacked"}, {"conv_b", "prepacked"},
                                 {"add", "frozen"},       {"relu_a", "eager"},
                                 {"conv_c", "frozen"},    {"concat", "prepacked"}};
  EXPECT_EQ(engines_of("conv_a,conv_b,add;relu_a,conv_c,concat", three),
            (std::vector<std::string>{"prepacked", "eager"}));
}

}  // namespace
}  // namespace ramiel::codegen::testing
