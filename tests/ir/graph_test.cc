#include "core/ir/graph.h"

#include <gtest/gtest.h>

#include "core/ir/printer.h"
#include "core/ir/verifier.h"

namespace ramiel::ir {
namespace {

TensorType f32(Shape shape) { return {DType::kFloat32, std::move(shape)}; }

// x -> Relu -> a -> Add(a, w) -> y
struct SmallGraph {
  Graph g;
  Value* x;
  Value* w;
  Node* relu;
  Node* add;
  SmallGraph() {
    g.name = "small";
    g.opset = 13;
    x = g.add_input("x", f32({1, 4}));
    w = g.add_constant("w", Tensor::from_double(DType::kFloat32, {1, 4}, {1, 2, 3, 4}),
                       ConstantOrigin::kModel);
    relu = g.add_node(OpKind::Relu, "relu", {x}, {{"a", f32({1, 4})}});
    add = g.add_node(OpKind::Add, "add", {relu->output(0), w}, {{"y", f32({1, 4})}});
    g.set_outputs({add->output(0)});
  }
};

TEST(GraphTest, UseListsFollowEdges) {
  SmallGraph s;
  ASSERT_TRUE(verify_graph(s.g).ok());
  EXPECT_EQ(s.x->uses(), (std::vector<Use>{{s.relu, 0}}));
  EXPECT_EQ(s.w->uses(), (std::vector<Use>{{s.add, 1}}));
  EXPECT_EQ(s.relu->output(0)->producer(), s.relu);
  EXPECT_TRUE(s.add->output(0)->is_graph_output());
  EXPECT_EQ(s.g.find_value("a"), s.relu->output(0));
  EXPECT_EQ(s.g.find_node("add"), s.add);
}

TEST(GraphTest, ReplaceAllUsesAndRemoveNode) {
  SmallGraph s;
  // Bypass the Relu: Add reads x directly, then the Relu is dead.
  s.g.replace_all_uses(s.relu->output(0), s.x);
  EXPECT_FALSE(s.relu->output(0)->has_uses());
  s.g.remove_node(s.relu);
  ASSERT_TRUE(verify_graph(s.g).ok());
  EXPECT_EQ(s.g.num_nodes(), 1u);
  EXPECT_EQ(s.g.find_value("a"), nullptr);
  EXPECT_EQ(s.x->uses(), (std::vector<Use>{{s.add, 0}}));
}

TEST(GraphTest, ReplacingAGraphOutputMovesTheOutput) {
  SmallGraph s;
  s.g.replace_all_uses(s.add->output(0), s.relu->output(0));
  EXPECT_EQ(s.g.outputs()[0], s.relu->output(0));
  EXPECT_TRUE(s.relu->output(0)->is_graph_output());
  EXPECT_FALSE(s.add->output(0)->is_graph_output());
  s.g.remove_node(s.add);
  EXPECT_TRUE(verify_graph(s.g).ok());
}

TEST(GraphTest, CloneIsPlacedAfterTheOriginalWithFreshNames) {
  SmallGraph s;
  Node* clone = s.g.clone_node(s.relu, "_clone");
  EXPECT_EQ(clone->name(), "relu_clone");
  EXPECT_EQ(clone->output(0)->name(), "a_clone");
  EXPECT_EQ(clone->input(0), s.x);
  EXPECT_EQ(s.x->uses().size(), 2u);
  std::vector<Node*> order(s.g.nodes().begin(), s.g.nodes().end());
  EXPECT_EQ(order, (std::vector<Node*>{s.relu, clone, s.add}));
  // A second clone gets a distinct name.
  Node* again = s.g.clone_node(s.relu, "_clone");
  EXPECT_EQ(again->name(), "relu_clone_1");
  EXPECT_TRUE(verify_graph(s.g).ok());
}

TEST(GraphTest, RemoveConstantOnceUnused) {
  SmallGraph s;
  s.add->set_input(1, s.x);
  EXPECT_FALSE(s.w->has_uses());
  s.g.remove_constant(s.w);
  EXPECT_TRUE(s.g.constants().empty());
  EXPECT_TRUE(verify_graph(s.g).ok());
}

TEST(GraphTest, RenameValueLetsAReplacementTakeTheName) {
  SmallGraph s;
  Value* y = s.add->output(0);
  s.g.rename_value(y, "y_old");
  EXPECT_EQ(y->name(), "y_old");
  EXPECT_EQ(s.g.find_value("y_old"), y);
  EXPECT_EQ(s.g.find_value("y"), nullptr);
  // The freed name can be taken by a new value, e.g. a folded constant.
  Value* c = s.g.add_constant("y", Tensor::from_double(DType::kFloat32, {1, 4}, {0, 0, 0, 0}),
                              ConstantOrigin::kFolded);
  EXPECT_EQ(s.g.find_value("y"), c);
  // Fresh names never hand out a name given by rename.
  EXPECT_NE(s.g.unique_value_name("y_old"), "y_old");
  EXPECT_TRUE(verify_graph(s.g).ok());
}

TEST(GraphTest, PrinterIsReadableAndStable) {
  SmallGraph s;
  s.add->attributes().set("note", std::string("demo"));
  EXPECT_EQ(print_graph(s.g),
            "graph \"small\" (opset 13) {\n"
            "  input %x: float32[1x4]\n"
            "  const %w: float32[1x4] (model)\n"
            "  %a = Relu(%x) : float32[1x4]  # relu\n"
            "  %y = Add(%a, %w) {note=\"demo\"} : float32[1x4]  # add\n"
            "  output %y\n"
            "}\n");
}

TEST(GraphTest, OptionalInputsMayBeAbsent) {
  Graph g;
  g.opset = 13;
  Value* x = g.add_input("x", f32({3}));
  Node* clip = g.add_node(OpKind::Clip, "clip", {x, nullptr, nullptr}, {{"y", f32({3})}});
  g.set_outputs({clip->output(0)});
  EXPECT_EQ(clip->num_inputs(), 3u);
  EXPECT_EQ(clip->input(1), nullptr);
  EXPECT_EQ(clip->input(7), nullptr);
  EXPECT_TRUE(verify_graph(g).ok());
  EXPECT_NE(print_graph(g).find("Clip(%x, <none>, <none>)"), std::string::npos);
}

}  // namespace
}  // namespace ramiel::ir
