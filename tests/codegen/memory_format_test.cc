// Which tensors the program keeps channels-last: conv nets from the entry on, nothing else.
#include "core/codegen/torch/memory_format.h"

#include <gtest/gtest.h>

#include "tests/codegen/emit_test_util.h"

namespace ramiel::codegen::testing {
namespace {

using ir::OpKind;

ir::Value* weight(ir::Graph& g, const std::string& name, ir::Shape shape) {
  return g.add_constant(name, ir::Tensor::without_data(ir::DType::kFloat32, std::move(shape)),
                        ir::ConstantOrigin::kModel);
}

TEST(MemoryFormatTest, ConvNetsRunChannelsLastFromTheEntry) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", f32({1, 3, 8, 8}));
  ir::Value* w1 = weight(g, "w1", {4, 3, 3, 3});
  ir::Value* w2 = weight(g, "w2", {4, 3, 1, 1});
  ir::Value* fc = weight(g, "fc", {5, 8});
  ir::Node* conv1 = g.add_node(OpKind::Conv, "conv1", {x, w1}, {{"a", f32({1, 4, 8, 8})}});
  ir::Node* relu = g.add_node(OpKind::Relu, "relu", {conv1->output(0)}, {{"r", f32({1, 4, 8, 8})}});
  ir::Node* conv2 = g.add_node(OpKind::Conv, "conv2", {x, w2}, {{"b", f32({1, 4, 8, 8})}});
  ir::Node* pool =
      g.add_node(OpKind::MaxPool, "pool", {conv2->output(0)}, {{"p", f32({1, 4, 8, 8})}});
  ir::Node* cat = g.add_node(OpKind::Concat, "cat", {relu->output(0), pool->output(0)},
                             {{"c", f32({1, 8, 8, 8})}});
  ir::Node* sum =
      g.add_node(OpKind::Add, "sum", {cat->output(0), cat->output(0)}, {{"s", f32({1, 8, 8, 8})}});
  ir::Node* gap =
      g.add_node(OpKind::GlobalAveragePool, "gap", {sum->output(0)}, {{"g", f32({1, 8, 1, 1})}});
  ir::Node* flat = g.add_node(OpKind::Flatten, "flat", {gap->output(0)}, {{"f", f32({1, 8})}});
  ir::Node* gemm = g.add_node(OpKind::Gemm, "fc", {flat->output(0), fc}, {{"y", f32({1, 5})}});
  g.set_outputs({gemm->output(0)});

  MemoryFormatPlan plan = plan_memory_formats(g);
  for (const ir::Value* v : {x, w1, w2, conv1->output(0), relu->output(0), conv2->output(0),
                             pool->output(0), cat->output(0), sum->output(0), gap->output(0)}) {
    EXPECT_TRUE(plan.is_channels_last(*v)) << v->name();
  }
  for (const ir::Value* v : {fc, flat->output(0), gemm->output(0)}) {
    EXPECT_FALSE(plan.is_channels_last(*v)) << v->name();
  }
}

// A convolution's output printed as text is a numpy array of str: no memory format.
TEST(MemoryFormatTest, StringTensorsAreNeverChannelsLast) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", f32({1, 3, 8, 8}));
  ir::Node* conv = g.add_node(OpKind::Conv, "conv", {x, weight(g, "w", {4, 3, 3, 3})},
                              {{"a", f32({1, 4, 8, 8})}});
  ir::Attributes to;
  to.set("to", int64_t{8});
  ir::Node* text = g.add_node(OpKind::Cast, "text", {conv->output(0)},
                              {{"t", {ir::DType::kString, ir::Shape{1, 4, 8, 8}}}}, to);
  g.set_outputs({text->output(0)});
  MemoryFormatPlan plan = plan_memory_formats(g);
  EXPECT_TRUE(plan.is_channels_last(*conv->output(0)));
  EXPECT_FALSE(plan.is_channels_last(*text->output(0)));
}

TEST(MemoryFormatTest, ModelsWithoutTwoDimensionalConvolutionsStayAsTheyAre) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", f32({1, 2, 4, 4}));
  ir::Value* w = weight(g, "w", {4, 4});
  ir::Node* pool = g.add_node(OpKind::MaxPool, "pool", {x}, {{"p", f32({1, 2, 4, 4})}});
  ir::Node* mm = g.add_node(OpKind::MatMul, "mm", {pool->output(0), w}, {{"y", f32({1, 2, 4, 4})}});
  g.set_outputs({mm->output(0)});
  MemoryFormatPlan plan = plan_memory_formats(g);
  for (const ir::Value* v : {x, w, pool->output(0), mm->output(0)}) {
    EXPECT_FALSE(plan.is_channels_last(*v)) << v->name();
  }
}

TEST(MemoryFormatTest, OnlyImageInputsAreConvertedAndMixedLayoutsAreNotPredicted) {
  ir::Graph g;
  g.opset = 13;
  ir::Value* x = g.add_input("x", f32({1, 3, 4, 4}));
  ir::Value* bias = g.add_input("bias", f32({1, 4, 4, 4}));  // only added, never convolved
  ir::Value* w = weight(g, "w", {4, 3, 1, 1});
  ir::Node* conv = g.add_node(OpKind::Conv, "conv", {x, w}, {{"a", f32({1, 4, 4, 4})}});
  ir::Node* add =
      g.add_node(OpKind::Add, "add", {bias, conv->output(0)}, {{"s", f32({1, 4, 4, 4})}});
  ir::Node* cat =
      g.add_node(OpKind::Concat, "cat", {conv->output(0), bias}, {{"c", f32({1, 8, 4, 4})}});
  g.set_outputs({add->output(0), cat->output(0)});
  MemoryFormatPlan plan = plan_memory_formats(g);
  EXPECT_TRUE(plan.is_channels_last(*x));
  EXPECT_TRUE(plan.is_channels_last(*conv->output(0)));
  EXPECT_FALSE(plan.is_channels_last(*bias));
  // torch keeps the first full-size operand's layout, and concatenates mixed layouts contiguous.
  EXPECT_FALSE(plan.is_channels_last(*add->output(0)));
  EXPECT_FALSE(plan.is_channels_last(*cat->output(0)));
}

}  // namespace
}  // namespace ramiel::codegen::testing
