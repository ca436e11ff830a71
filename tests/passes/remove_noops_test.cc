// No-op removal: Identity, inference Dropout and provably trivial ops, and graph outputs.
#include "core/passes/remove_noops.h"

#include <gtest/gtest.h>

#include "core/frontend/normalize_operands.h"
#include "core/ir/verifier.h"
#include "tests/passes/pass_test_util.h"

namespace ramiel::passes {
namespace {

using ir::DType;
using ir::OpKind;
using ir::Shape;
using testing::attrs;
using testing::bools;
using testing::i64;
using testing::type;
using V = std::vector<int64_t>;

const ir::TensorType kF2x3 = type(DType::kFloat32, {2, 3});

// x -> Relu -> a -> <op under test> -> b -> Neg -> y: the op's output is not a graph output.
struct Sandwich {
  ir::Graph g;
  ir::Value* x;
  ir::Value* a;
  ir::Node* node = nullptr;
  ir::Node* neg = nullptr;
  explicit Sandwich(int opset = 13) {
    g.opset = opset;
    x = g.add_input("x", kF2x3);
    a = g.add_node(OpKind::Relu, "relu", {x}, {{"a", kF2x3}})->output(0);
  }
  ir::Value* constant(ir::Tensor t) {
    return g.add_constant(g.unique_value_name("k"), std::move(t), ir::ConstantOrigin::kModel);
  }
  // Adds the node; returns whether remove_noops removed it.
  bool removes(OpKind op, std::vector<ir::Value*> extra_inputs = {}, ir::Attributes a_attrs = {},
               ir::TensorType out = kF2x3, int outputs = 1) {
    std::vector<ir::Value*> inputs{a};
    inputs.insert(inputs.end(), extra_inputs.begin(), extra_inputs.end());
    std::vector<ir::OutputSpec> specs{{"b", out}};
    if (outputs == 2) specs.push_back({"mask", type(DType::kBool, {2, 3})});
    node = g.add_node(op, "op", inputs, specs, std::move(a_attrs));
    neg = g.add_node(OpKind::Neg, "neg", {node->output(0)}, {{"y", out}});
    g.set_outputs({neg->output(0)});
    frontend::normalize_operands(g);  // older opsets' attributes as inputs, as imported
    PassContext context;
    const bool changed = *remove_noops(g, context);
    EXPECT_TRUE(ir::verify_graph(g).ok());
    EXPECT_EQ(context.counter(kRemovedCounter), changed ? 1 : 0);
    if (changed) {
      EXPECT_EQ(neg->input(0), a);
    }
    return changed;
  }
};

TEST(RemoveNoopsTest, IdentityIsBypassed) {
  Sandwich s;
  EXPECT_TRUE(s.removes(OpKind::Identity));
  EXPECT_EQ(s.g.num_nodes(), 2u);
  EXPECT_EQ(s.g.find_value("b"), nullptr);
}

TEST(RemoveNoopsTest, DropoutOnlyAtInference) {
  EXPECT_TRUE(Sandwich(10).removes(OpKind::Dropout));
  EXPECT_TRUE(Sandwich(13).removes(OpKind::Dropout));
  {
    Sandwich s(13);
    EXPECT_TRUE(s.removes(OpKind::Dropout, {nullptr, s.constant(bools({0}, Shape{}))}));
  }
  {
    Sandwich s(13);  // training_mode=true: random, must stay
    EXPECT_FALSE(s.removes(OpKind::Dropout, {nullptr, s.constant(bools({1}, Shape{}))}));
  }
  {
    Sandwich s(13);  // training_mode not a constant
    ir::Value* mode = s.g.add_input("mode", type(DType::kBool, {}));
    EXPECT_FALSE(s.removes(OpKind::Dropout, {nullptr, mode}));
  }
  {
    Sandwich s(13);  // an unused mask goes with the node
    EXPECT_TRUE(s.removes(OpKind::Dropout, {}, {}, kF2x3, 2));
    EXPECT_EQ(s.g.find_value("mask"), nullptr);
  }
  {
    Sandwich s(13);  // a mask someone reads keeps it
    ir::Node* d = s.g.add_node(OpKind::Dropout, "drop", {s.a},
                               {{"b", kF2x3}, {"mask", type(DType::kBool, {2, 3})}});
    s.g.set_outputs({d->output(0), d->output(1)});
    PassContext context;
    EXPECT_FALSE(*remove_noops(s.g, context));
  }
}

TEST(RemoveNoopsTest, CastToTheSameDtype) {
  EXPECT_TRUE(Sandwich().removes(OpKind::Cast, {}, attrs({{"to", int64_t{1}}})));
  EXPECT_FALSE(Sandwich().removes(OpKind::Cast, {}, attrs({{"to", int64_t{11}}}),
                                  type(DType::kFloat64, {2, 3})));
}

TEST(RemoveNoopsTest, ShapeOpsToTheSameStaticShape) {
  {
    Sandwich s;
    EXPECT_TRUE(s.removes(OpKind::Reshape, {s.constant(i64({2, 3}))}));
  }
  {
    Sandwich s;
    EXPECT_FALSE(
        s.removes(OpKind::Reshape, {s.constant(i64({3, 2}))}, {}, type(DType::kFloat32, {3, 2})));
  }
  {
    Sandwich s;
    EXPECT_TRUE(s.removes(OpKind::Expand, {s.constant(i64({1, 3}))}));
  }
  {
    Sandwich s;  // unknown output shape proves nothing
    EXPECT_FALSE(
        s.removes(OpKind::Reshape, {s.constant(i64({2, 3}))}, {}, type(DType::kFloat32, {2, -1})));
  }
  EXPECT_TRUE(Sandwich().removes(OpKind::Flatten, {}, attrs({{"axis", int64_t{1}}})));
}

TEST(RemoveNoopsTest, IdentityTranspose) {
  EXPECT_TRUE(Sandwich().removes(OpKind::Transpose, {}, attrs({{"perm", V{0, 1}}})));
  EXPECT_FALSE(Sandwich().removes(OpKind::Transpose, {}, {}, type(DType::kFloat32, {3, 2})));
}

TEST(RemoveNoopsTest, SliceThatTakesEverything) {
  {
    Sandwich s;
    EXPECT_TRUE(s.removes(
        OpKind::Slice, {s.constant(i64({0})), s.constant(i64({INT64_MAX})), s.constant(i64({1}))}));
  }
  {
    Sandwich s;  // reversed: same shape, different order
    EXPECT_FALSE(s.removes(OpKind::Slice, {s.constant(i64({-1})), s.constant(i64({INT64_MIN})),
                                           s.constant(i64({1})), s.constant(i64({-1}))}));
  }
  EXPECT_TRUE(
      Sandwich(9).removes(OpKind::Slice, {}, attrs({{"starts", V{0, 0}}, {"ends", V{2, 3}}})));
}

TEST(RemoveNoopsTest, PadByZerosAndConcatOfOne) {
  {
    Sandwich s;
    EXPECT_TRUE(s.removes(OpKind::Pad, {s.constant(i64({0, 0, 0, 0}))}));
  }
  {
    Sandwich s;
    EXPECT_FALSE(
        s.removes(OpKind::Pad, {s.constant(i64({0, 1, 0, 0}))}, {}, type(DType::kFloat32, {2, 4})));
  }
  EXPECT_TRUE(Sandwich(2).removes(OpKind::Pad, {}, attrs({{"pads", V{0, 0, 0, 0}}})));
  EXPECT_TRUE(Sandwich().removes(OpKind::Concat, {}, attrs({{"axis", int64_t{0}}})));
}

TEST(RemoveNoopsTest, GraphOutputKeepsItsNameThroughTheInput) {
  Sandwich s;
  ir::Node* id = s.g.add_node(OpKind::Identity, "id", {s.a}, {{"y", kF2x3}});
  s.g.set_outputs({id->output(0)});
  PassContext context;
  EXPECT_TRUE(*remove_noops(s.g, context));
  ASSERT_EQ(s.g.outputs().size(), 1u);
  EXPECT_EQ(s.g.outputs()[0], s.a);
  EXPECT_EQ(s.a->name(), "y");
  EXPECT_TRUE(ir::verify_graph(s.g).ok());
}

TEST(RemoveNoopsTest, GraphOutputsNeverBecomeInputsConstantsOrDuplicates) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", kF2x3);
  ir::Value* c = g.add_constant("c", ir::Tensor::without_data(DType::kFloat32, {2, 3}),
                                ir::ConstantOrigin::kModel);
  ir::Node* relu = g.add_node(OpKind::Relu, "relu", {x}, {{"a", kF2x3}});
  ir::Node* of_input = g.add_node(OpKind::Identity, "of_input", {x}, {{"y1", kF2x3}});
  ir::Node* of_constant = g.add_node(OpKind::Identity, "of_constant", {c}, {{"y2", kF2x3}});
  ir::Node* of_output =
      g.add_node(OpKind::Identity, "of_output", {relu->output(0)}, {{"y3", kF2x3}});
  g.set_outputs(
      {relu->output(0), of_input->output(0), of_constant->output(0), of_output->output(0)});
  PassContext context;
  EXPECT_FALSE(*remove_noops(g, context));
  EXPECT_EQ(g.num_nodes(), 4u);
  EXPECT_EQ(context.counter(kRemovedCounter), 0);
}

TEST(RemoveNoopsTest, ForwardedInputNamesTheBypassedValue) {
  Sandwich s;
  ir::Node* id = s.g.add_node(OpKind::Identity, "id", {s.a}, {{"b", kF2x3}});
  EXPECT_EQ(forwarded_input(*id), s.a);
  ir::Node* relu = s.g.add_node(OpKind::Relu, "r", {s.a}, {{"c", kF2x3}});
  EXPECT_EQ(forwarded_input(*relu), nullptr);
}

}  // namespace
}  // namespace ramiel::passes
