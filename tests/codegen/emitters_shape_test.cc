// Emitters of data movement, reductions and tensor-making ops.
#include <gtest/gtest.h>

#include "core/frontend/normalize_operands.h"
#include "tests/codegen/emit_test_util.h"

namespace ramiel::codegen::testing {
namespace {

using ir::OpKind;

class ShapeTest : public ::testing::Test {
 protected:
  ShapeTest() {
    g.opset = 13;
    x = g.add_input("x", f32({2, 3, 4}));
  }
  std::string emit(OpKind op, std::vector<ir::Value*> inputs, ir::Attributes attrs = {},
                   std::vector<ir::TensorType> outs = {f32({})}, int opset = 13) {
    const std::string id = std::to_string(count++);
    std::vector<ir::OutputSpec> specs;
    for (size_t i = 0; i < outs.size(); ++i)
      specs.push_back({"y" + id + (i ? "_" + std::to_string(i) : ""), outs[i]});
    ir::Node* n = g.add_node(op, "n" + id, inputs, specs, std::move(attrs), opset);
    std::vector<ir::Value*> outputs(n->outputs().begin(), n->outputs().end());
    if (!unused_tail) g.set_outputs(outputs);
    frontend::normalize_operands(g);  // older opsets' attributes as inputs, as imported
    auto text = emit_text(*n);
    return text.ok() ? *text : "error: " + text.status().to_string();
  }
  ir::Value* ints(std::vector<int64_t> values, bool scalar = false) {
    ir::Shape shape = scalar ? ir::Shape{} : ir::Shape{static_cast<int64_t>(values.size())};
    return int_constant(g, "k" + std::to_string(constants++), shape, values);
  }
  ir::Graph g;
  ir::Value* x;
  int count = 0;
  int constants = 0;
  bool unused_tail = false;
};

ir::Attributes attr(const char* name, int64_t v) {
  ir::Attributes a;
  a.set(name, v);
  return a;
}

TEST_F(ShapeTest, ReshapeSpellsKnownShapes) {
  EXPECT_EQ(emit(OpKind::Reshape, {x, ints({6, -1})}), "y0 = x.reshape(6, -1)\n");
  EXPECT_EQ(emit(OpKind::Reshape, {x, ints({0, -1})}), "y1 = x.reshape(2, -1)\n");
  ir::Value* unknown = g.add_input("u", f32({ir::kUnknownDim, 12}));
  EXPECT_EQ(emit(OpKind::Reshape, {unknown, ints({0, 3, 4})}),
            "y2 = u.reshape(u.shape[0], 3, 4)\n");
  ir::Value* dynamic = g.add_input("shape", i64({2}));
  EXPECT_EQ(emit(OpKind::Reshape, {x, dynamic}), "y3 = onnx_reshape(x, shape)\n");
}

TEST_F(ShapeTest, FlattenTransposeSqueezeUnsqueeze) {
  EXPECT_EQ(emit(OpKind::Flatten, {x}, attr("axis", 1), {f32({2, 12})}),
            "y0 = torch.flatten(x, 1)\n");
  EXPECT_EQ(emit(OpKind::Flatten, {x}, attr("axis", 2), {f32({6, 4})}), "y1 = x.reshape(6, 4)\n");
  ir::Attributes perm;
  perm.set("perm", std::vector<int64_t>{0, 2, 1});
  EXPECT_EQ(emit(OpKind::Transpose, {x}, perm), "y2 = x.permute(0, 2, 1)\n");
  EXPECT_EQ(emit(OpKind::Transpose, {x}), "y3 = x.permute(2, 1, 0)\n");
  EXPECT_EQ(emit(OpKind::Unsqueeze, {x, ints({0, -1})}), "y4 = x.unsqueeze(0).unsqueeze(4)\n");
  EXPECT_EQ(emit(OpKind::Squeeze, {x, ints({-1, 0})}), "y5 = x.squeeze(2).squeeze(0)\n");
  ir::Attributes old_axes;
  old_axes.set("axes", std::vector<int64_t>{1});
  EXPECT_EQ(emit(OpKind::Unsqueeze, {x}, old_axes, {f32({})}, 11), "y6 = x.unsqueeze(1)\n");
}

TEST_F(ShapeTest, ConcatAndSplit) {
  EXPECT_EQ(emit(OpKind::Concat, {x, x}, attr("axis", 1)), "y0 = torch.cat([x, x], dim=1)\n");
  EXPECT_EQ(
      emit(OpKind::Split, {x, ints({1, 2})}, attr("axis", 1), {f32({2, 1, 4}), f32({2, 2, 4})}),
      "y1, y1_1 = torch.split(x, [1, 2], dim=1)\n");
  // Without sizes, the outputs' static shapes give them.
  EXPECT_EQ(emit(OpKind::Split, {x}, attr("axis", 2), {f32({2, 3, 2}), f32({2, 3, 2})}),
            "y2, y2_1 = torch.split(x, [2, 2], dim=2)\n");
}

TEST_F(ShapeTest, UnusedSplitOutputsAreUnderscores) {
  unused_tail = true;
  ir::Node* n = g.add_node(OpKind::Split, "split", {x},
                           {{"a", f32({1, 3, 4})}, {"b", f32({1, 3, 4})}}, attr("axis", 0));
  g.set_outputs({n->output(0)});
  EXPECT_EQ(*emit_text(*n), "a, _ = torch.split(x, [1, 1], dim=0)\n");
}

TEST_F(ShapeTest, SliceReadsAsASubscript) {
  constexpr int64_t kEnd = 9223372036854775807;
  EXPECT_EQ(emit(OpKind::Slice, {x, ints({1}), ints({3}), ints({1})}), "y0 = x[:, 1:3]\n");
  EXPECT_EQ(emit(OpKind::Slice, {x, ints({0, 1}), ints({kEnd, kEnd}), ints({0, -1}), ints({2, 1})}),
            "y1 = x[::2, :, 1:]\n");
  EXPECT_EQ(emit(OpKind::Slice, {x, ints({-1}), ints({-kEnd}), ints({2}), ints({-1})}),
            "y2 = onnx_slice(x, [-1], [-9223372036854775807], [2], [-1])\n");
}

TEST_F(ShapeTest, GatherPicksTheSimplestForm) {
  EXPECT_EQ(emit(OpKind::Gather, {x, ints({1}, true)}, attr("axis", 1)), "y0 = x.select(1, 1)\n");
  EXPECT_EQ(emit(OpKind::Gather, {x, ints({0, 2})}, attr("axis", 2)),
            "y1 = torch.index_select(x, 2, c.k1)\n");
  ir::Value* ids = g.add_input("ids", i64({1, 5}));
  EXPECT_EQ(emit(OpKind::Gather, {x, ids}), "y2 = onnx_gather(x, ids, 0)\n");
}

TEST_F(ShapeTest, ReductionsNameTheirDims) {
  ir::Attributes axes;
  axes.set("axes", std::vector<int64_t>{-1});
  EXPECT_EQ(emit(OpKind::ReduceMean, {x}, axes), "y0 = torch.mean(x, dim=(2,), keepdim=True)\n");
  EXPECT_EQ(emit(OpKind::ReduceSum, {x, ints({1})}, attr("keepdims", 0)),
            "y1 = torch.sum(x, dim=(1,), keepdim=False)\n");
  EXPECT_EQ(emit(OpKind::ReduceMax, {x}), "y2 = torch.amax(x, dim=(0, 1, 2), keepdim=True)\n");
  EXPECT_EQ(emit(OpKind::ArgMax, {x}, attr("axis", 1)),
            "y3 = torch.argmax(x, dim=1, keepdim=True)\n");
  EXPECT_EQ(emit(OpKind::ReduceSum, {x}, attr("noop_with_empty_axes", 1)), "y4 = x\n");
}

TEST_F(ShapeTest, ShapeSizeExpandTileDropout) {
  EXPECT_EQ(emit(OpKind::Shape, {x}, {}, {i64({3})}),
            "y0 = torch.tensor(x.shape, dtype=torch.int64)\n");
  EXPECT_EQ(emit(OpKind::Shape, {x}, attr("start", 1), {i64({2})}, 15),
            "y1 = torch.tensor(x.shape[1:], dtype=torch.int64)\n");
  EXPECT_EQ(emit(OpKind::Expand, {x, ints({2, 1, 1})}, {}, {f32({2, 3, 4})}),
            "y2 = x.expand(2, 3, 4)\n");
  EXPECT_EQ(emit(OpKind::Tile, {x, ints({1, 2, 1})}), "y3 = x.repeat(1, 2, 1)\n");
  EXPECT_EQ(emit(OpKind::Dropout, {x}, {}, {f32({2, 3, 4}), {ir::DType::kBool, {}}}),
            "y4 = x\ny4_1 = torch.ones_like(x, dtype=torch.bool)\n");
}

TEST_F(ShapeTest, LessCommonForms) {
  ir::Attributes axes;
  axes.set("axes", std::vector<int64_t>{0, 2});
  EXPECT_EQ(emit(OpKind::ReduceProd, {x}, axes),
            "y0 = torch.prod(torch.prod(x, dim=2, keepdim=True), dim=0, keepdim=True)\n");
  EXPECT_EQ(emit(OpKind::ReduceL2, {x}, axes),
            "y1 = torch.sqrt(torch.sum(x * x, dim=(0, 2), keepdim=True))\n");
  EXPECT_EQ(emit(OpKind::Flatten, {x}, attr("axis", 0), {f32({1, 24})}), "y2 = x.reshape(1, -1)\n");
  ir::Value* unranked = g.add_input("r", {ir::DType::kFloat32, std::nullopt});
  EXPECT_EQ(emit(OpKind::Flatten, {unranked}, attr("axis", 2)), "y3 = onnx_flatten(r, 2)\n");
  EXPECT_EQ(emit(OpKind::Squeeze, {x}), "y4 = x.squeeze()\n");
  EXPECT_EQ(emit(OpKind::Split, {unranked}, attr("axis", 1), {f32({}), f32({})}),
            "y5, y5_1 = torch.tensor_split(r, 2, dim=1)\n");
  ir::Value* dynamic = g.add_input("s", i64({3}));
  EXPECT_EQ(emit(OpKind::Reshape, {x, dynamic}, attr("allowzero", 1)),
            "y6 = onnx_reshape(x, s, 1)\n");
  EXPECT_EQ(emit(OpKind::Unsqueeze, {unranked, ints({-1})}), "y7 = onnx_unsqueeze(r, [-1])\n");
}

TEST_F(ShapeTest, PadAndConstants) {
  EXPECT_EQ(emit(OpKind::Pad, {x, ints({0, 0, 1, 0, 0, 2})}), "y0 = F.pad(x, (1, 2))\n");
  ir::Value* x4 = g.add_input("x4", f32({1, 1, 4, 4}));
  ir::Attributes reflect;
  reflect.set("mode", std::string("reflect"));
  EXPECT_EQ(emit(OpKind::Pad, {x4, ints({0, 0, 1, 1, 0, 0, 1, 1})}, reflect),
            "y1 = F.pad(x4, (1, 1, 1, 1), mode=\"reflect\")\n");
  EXPECT_EQ(emit(OpKind::ConstantOfShape, {ints({2, 3})}, {}, {f32({2, 3})}),
            "y2 = torch.full((2, 3), 0.0, dtype=torch.float32)\n");
  ir::Attributes value;
  value.set("value", ir::Tensor::from_int64(ir::DType::kInt64, {2}, {4, 5}));
  EXPECT_EQ(emit(OpKind::Constant, {}, value, {i64({2})}),
            "y3 = torch.tensor([4, 5], dtype=torch.int64)\n");
  EXPECT_EQ(
      emit(OpKind::Range, {ints({0}, true), ints({5}, true), ints({1}, true)}, {}, {i64({5})}),
      "y4 = torch.arange(0, 5, 1, dtype=torch.int64)\n");
}

}  // namespace
}  // namespace ramiel::codegen::testing
