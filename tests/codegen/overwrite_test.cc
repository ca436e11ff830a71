// Which tensors a node may overwrite: only fresh, private, single-use ones on its own worker.
#include "core/codegen/torch/overwrite.h"

#include <gtest/gtest.h>

#include "tests/codegen/emit_test_util.h"

namespace ramiel::codegen::testing {
namespace {

using ir::OpKind;

// Every node on worker 0 except those named in `elsewhere`, which run on worker 1.
Placement place(const ir::Graph& g, const std::vector<std::string>& elsewhere = {}) {
  Placement p;
  p.cluster_of.assign(static_cast<size_t>(g.node_id_bound()), 0);
  for (const std::string& name : elsewhere) {
    p.cluster_of[static_cast<size_t>(g.find_node(name)->id())] = 1;
  }
  return p;
}

bool overwritable(const ir::Graph& g, const Placement& p, const std::string& value) {
  return overwritable_values(g, p)[static_cast<size_t>(g.find_value(value)->id())];
}

TEST(OverwriteTest, OnlyAFreshTensorWithOneReaderOnTheSameWorker) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", f32({2, 3}));
  ir::Value* shape = int_constant(g, "shape", {1}, {6});
  ir::Node* a = g.add_node(OpKind::Relu, "ra", {x}, {{"a", f32({2, 3})}});
  ir::Node* b = g.add_node(OpKind::Relu, "rb", {a->output(0)}, {{"b", f32({2, 3})}});
  ir::Node* two =
      g.add_node(OpKind::Add, "two", {b->output(0), b->output(0)}, {{"c", f32({2, 3})}});
  ir::Node* view = g.add_node(OpKind::Reshape, "view", {two->output(0), shape}, {{"v", f32({6})}});
  ir::Node* rv = g.add_node(OpKind::Relu, "rv", {view->output(0)}, {{"d", f32({6})}});
  ir::Node* cross = g.add_node(OpKind::Sigmoid, "sig", {rv->output(0)}, {{"e", f32({6})}});
  ir::Node* last = g.add_node(OpKind::Relu, "last", {cross->output(0)}, {{"y", f32({6})}});
  g.set_outputs({last->output(0)});
  const Placement p = place(g, {"last"});

  EXPECT_TRUE(overwritable(g, p, "a"));   // made by a Relu, read once, here
  EXPECT_FALSE(overwritable(g, p, "x"));  // a graph input belongs to the caller
  EXPECT_FALSE(overwritable(g, p, "b"));  // read twice (by one node)
  EXPECT_TRUE(overwritable(g, p, "c"));
  EXPECT_FALSE(overwritable(g, p, "v"));  // a reshape may be a view of c
  EXPECT_TRUE(overwritable(g, p, "d"));
  EXPECT_FALSE(overwritable(g, p, "e"));  // handed to the other worker
  EXPECT_FALSE(overwritable(g, p, "y"));  // a graph output
  EXPECT_TRUE(overwritable(g, place(g), "e"));
}

TEST(OverwriteTest, IntegerTensorsAreNeverOverwritten) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", i64({4}));
  ir::Node* a = g.add_node(OpKind::Add, "a", {x, x}, {{"a", i64({4})}});
  ir::Node* b = g.add_node(OpKind::Mul, "b", {a->output(0), x}, {{"y", i64({4})}});
  g.set_outputs({b->output(0)});
  EXPECT_FALSE(overwritable(g, place(g), "a"));
}

}  // namespace
}  // namespace ramiel::codegen::testing
