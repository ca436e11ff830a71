// The pass manager: pipelines as data, errors, verification, printing and timings.
#include "core/passes/pass_manager.h"

#include <gtest/gtest.h>

#include "core/ir/verifier.h"
#include "core/passes/pass_registry.h"
#include "tests/passes/pass_test_util.h"

namespace ramiel::passes {
namespace {

using ir::DType;
using ir::OpKind;
using testing::i64;
using testing::type;

const ir::TensorType kF2x3 = type(DType::kFloat32, {2, 3});

// x -> Identity -> Reshape(_, Concat(Shape(x)[0], [-1])) -> y, plus a dead Neg of x.
void build(ir::Graph& g) {
  g.name = "m";
  g.opset = 13;
  ir::Value* x = g.add_input("x", kF2x3);
  ir::Node* id = g.add_node(OpKind::Identity, "id", {x}, {{"xi", kF2x3}});
  ir::Node* shape = g.add_node(OpKind::Shape, "shape", {x}, {{"s", type(DType::kInt64, {2})}});
  ir::Node* first =
      g.add_node(OpKind::Slice, "first",
                 {shape->output(0), g.add_constant("zero", i64({0}), ir::ConstantOrigin::kModel),
                  g.add_constant("one", i64({1}), ir::ConstantOrigin::kModel)},
                 {{"n", type(DType::kInt64, {1})}});
  ir::Node* concat =
      g.add_node(OpKind::Concat, "concat",
                 {first->output(0), g.add_constant("m1", i64({-1}), ir::ConstantOrigin::kModel)},
                 {{"target", type(DType::kInt64, {2})}}, testing::attrs({{"axis", int64_t{0}}}));
  ir::Node* reshape =
      g.add_node(OpKind::Reshape, "reshape", {id->output(0), concat->output(0)}, {{"y", kF2x3}});
  g.add_node(OpKind::Neg, "dead", {x}, {{"d", kF2x3}});
  g.set_outputs({reshape->output(0)});
}

TEST(PassManagerTest, DefaultPipelineIsDataOfRegisteredPasses) {
  const std::vector<std::string> pipeline = default_pipeline();
  ASSERT_FALSE(pipeline.empty());
  const std::vector<std::string> known = registered_pass_names();
  for (const std::string& name : pipeline) {
    EXPECT_NE(std::find(known.begin(), known.end(), name), known.end()) << name;
  }
  auto manager = PassManager::create(pipeline);
  ASSERT_TRUE(manager.ok());
  EXPECT_EQ(manager->pipeline(), pipeline);
}

TEST(PassManagerTest, UnknownPassNamesAreInvalidArguments) {
  auto manager = PassManager::create({"fold-constants", "fold-everything"});
  ASSERT_FALSE(manager.ok());
  EXPECT_EQ(manager.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(manager.status().message().find("fold-everything"), std::string::npos);
  auto print = PassManager::create({"fold-constants"}, {false, "remove-noops"});
  ASSERT_FALSE(print.ok());
  EXPECT_EQ(print.status().code(), StatusCode::kInvalidArgument);
  // Constructed directly, the manager reports the same error from run(), graph untouched.
  PassManager direct(std::vector<std::string>{"fold-constants", "fold-everything"});
  ir::Graph g;
  build(g);
  const size_t nodes = g.num_nodes();
  PassContext context;
  Status status = direct.run(g, context);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("fold-everything"), std::string::npos);
  EXPECT_EQ(g.num_nodes(), nodes);
  EXPECT_TRUE(direct.timings().empty());
}

TEST(PassManagerTest, DefaultPipelineSimplifiesAndCounts) {
  ir::Graph g;
  build(g);
  auto manager = PassManager::create(default_pipeline(), {true, ""});
  ASSERT_TRUE(manager.ok());
  PassContext context;
  ASSERT_TRUE(manager->run(g, context).ok());
  // Shape, Slice and Concat fold; the Identity goes; the dead Neg goes. The Reshape to the
  // same [2, 3] stays: removing it would make the graph input x the graph output y.
  EXPECT_EQ(context.counter(kFoldedCounter), 3);
  EXPECT_EQ(context.counter(kRemovedCounter), 2);
  EXPECT_EQ(context.counter(kClonedCounter), 0);
  ASSERT_EQ(g.num_nodes(), 1u);
  const ir::Node* reshape = g.nodes().front();
  EXPECT_EQ(reshape->op(), OpKind::Reshape);
  EXPECT_EQ(reshape->input(0), g.inputs()[0]);
  EXPECT_EQ(reshape->input(1)->name(), "target");
  EXPECT_EQ(g.outputs()[0]->name(), "y");
  EXPECT_EQ(manager->timings().size(), default_pipeline().size());
}

// A pass that breaks the IR on purpose: it makes a node read a value produced after it.
StatusOr<bool> break_order(ir::Graph& graph, PassContext&) {
  ir::Node* first = graph.nodes().front();
  ir::Node* last = graph.nodes().back();
  first->set_input(0, last->output(0));
  return true;
}

StatusOr<bool> fail(ir::Graph&, PassContext&) {
  return invalid_argument("model is odd");
}

std::vector<std::unique_ptr<Pass>> passes_of(
    std::vector<std::pair<std::string, PassFunction>> list) {
  std::vector<std::unique_ptr<Pass>> passes;
  for (auto& [name, function] : list)
    passes.push_back(std::make_unique<FunctionPass>(name, function));
  return passes;
}

TEST(PassManagerTest, VerifyEachNamesThePassThatBrokeTheIr) {
  ir::Graph g;
  build(g);
  auto dce = create_pass("eliminate-dead-code");
  ASSERT_TRUE(dce.ok());
  std::vector<std::unique_ptr<Pass>> list;
  list.push_back(std::move(*dce));
  list.push_back(std::make_unique<FunctionPass>("break-order", break_order));
  PassManager verifying(std::move(list), {true, ""});
  PassContext context;
  Status status = verifying.run(g, context);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_NE(status.message().find("after pass break-order"), std::string::npos) << status.message();
  ASSERT_EQ(verifying.timings().size(), 2u);
  // Without verification the same pipeline "succeeds": that is what verify_each is for.
  ir::Graph again;
  build(again);
  PassManager trusting(passes_of({{"break-order", break_order}}));
  EXPECT_TRUE(trusting.run(again, context).ok());
  EXPECT_FALSE(ir::verify_graph(again).ok());
}

TEST(PassManagerTest, FailingPassStopsThePipelineWithItsName) {
  ir::Graph g;
  build(g);
  PassManager manager(passes_of({{"fail", fail}, {"never", break_order}}));
  PassContext context;
  Status status = manager.run(g, context);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "pass fail: model is odd");
  EXPECT_TRUE(manager.timings().empty());
}

TEST(PassManagerTest, PrintsAfterTheNamedPassAndTimesEveryPass) {
  ir::Graph g;
  build(g);
  auto manager = PassManager::create({"fold-constants", "eliminate-dead-code", "fold-constants"},
                                     {false, "fold-constants"});
  ASSERT_TRUE(manager.ok());
  PassContext context;
  ASSERT_TRUE(manager->run(g, context).ok());
  const std::string& ir = manager->printed_ir();
  // Printed after both runs of fold-constants, not after DCE.
  EXPECT_EQ(ir.find("// IR after fold-constants"), 0u);
  EXPECT_NE(ir.find("// IR after fold-constants", 1), std::string::npos);
  EXPECT_EQ(ir.find("// IR after eliminate-dead-code"), std::string::npos);
  EXPECT_NE(ir.find("const %target: int64[2] (folded)"), std::string::npos) << ir;
  const auto& timings = manager->timings();
  ASSERT_EQ(timings.size(), 3u);
  EXPECT_EQ(timings[0].name, "fold-constants");
  EXPECT_TRUE(timings[0].changed);
  EXPECT_EQ(timings[1].name, "eliminate-dead-code");
  EXPECT_TRUE(timings[1].changed);
  EXPECT_FALSE(timings[2].changed);  // nothing left to fold
  for (const PassTiming& t : timings) EXPECT_GE(t.ms, 0.0);
}

}  // namespace
}  // namespace ramiel::passes
