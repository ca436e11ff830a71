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
