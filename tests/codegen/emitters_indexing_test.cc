// Emitters of the indexing family (emitters/indexing.cc): how they read and what they refuse.
#include <gtest/gtest.h>

#include "core/frontend/normalize_operands.h"
#include "tests/codegen/emit_test_util.h"

namespace ramiel::codegen::testing {
namespace {

using ir::OpKind;

class IndexingTest : public ::testing::Test {
 protected:
  IndexingTest() {
    g.opset = 16;
    x = g.add_input("x", f32({3, 4}));
    idx = g.add_input("idx", i64({3, 4}));
  }
  // Emits `op`; every output is a graph output unless `used` says how many are.
  std::string emit(OpKind op, std::vector<ir::Value*> inputs, ir::Attributes attrs = {},
                   size_t outputs = 1, size_t used = 99) {
    const std::string id = std::to_string(count++);
    std::vector<ir::OutputSpec> specs;
    for (size_t i = 0; i < outputs; ++i) {
      specs.push_back({"y" + id + "_" + std::to_string(i), f32({ir::kUnknownDim})});
    }
    ir::Node* n = g.add_node(op, "n" + id, inputs, specs, std::move(attrs), g.opset);
    std::vector<ir::Value*> graph_outputs;
    for (size_t i = 0; i < outputs && i < used; ++i) graph_outputs.push_back(n->output(i));
    g.set_outputs(graph_outputs);
    frontend::normalize_operands(g);  // older opsets' attributes as inputs, as imported
    auto text = emit_text(*n);
    return text.ok() ? *text : "error: " + text.status().to_string();
  }
  ir::Graph g;
  ir::Value* x;
  ir::Value* idx;
  int count = 0;
};

ir::Attributes attrs(std::initializer_list<std::pair<const char*, ir::AttributeValue>> list) {
  ir::Attributes a;
  for (const auto& [name, value] : list) a.set(name, value);
  return a;
}

TEST_F(IndexingTest, GathersAndScattersGoThroughHelpersThatFixNegativeIndices) {
  EXPECT_EQ(emit(OpKind::GatherElements, {x, idx}, attrs({{"axis", int64_t{1}}})),
            "y0_0 = onnx_gather_elements(x, idx, 1)\n");
  EXPECT_EQ(emit(OpKind::ScatterElements, {x, idx, x}, attrs({{"reduction", std::string("mul")}})),
            "y1_0 = onnx_scatter_elements(x, idx, x, 0, \"mul\")\n");
  EXPECT_EQ(emit(OpKind::ScatterND, {x, idx, x}), "y2_0 = onnx_scatter_nd(x, idx, x)\n");
}

TEST_F(IndexingTest, UnknownScatterReductionIsRefusedNamingTheAttribute) {
  EXPECT_EQ(emit(OpKind::ScatterND, {x, idx, x}, attrs({{"reduction", std::string("xor")}})),
            "error: UNIMPLEMENTED: node 'n0' (ScatterND, opset 16): attribute reduction=xor is "
            "not supported");
}

TEST_F(IndexingTest, TopKReadsKAsALiteralWhenKnownElseAtRunTime) {
  ir::Value* k = int_constant(g, "k", {1}, {2});
  EXPECT_EQ(emit(OpKind::TopK, {x, k}, attrs({{"largest", int64_t{0}}}), 2),
            "y0_0, y0_1 = torch.topk(x, 2, dim=-1, largest=False)\n");
  ir::Value* runtime_k = g.add_input("kk", i64({1}));
  EXPECT_EQ(emit(OpKind::TopK, {x, runtime_k}, attrs({{"axis", int64_t{0}}}), 2, 1),
            "y1_0, _ = torch.topk(x, int(kk), dim=0)\n");
}

TEST_F(IndexingTest, UniqueTakesOnlyTheOutputsTheNodeHas) {
  EXPECT_EQ(emit(OpKind::Unique, {x}, attrs({{"sorted", int64_t{0}}}), 2),
            "y0_0, y0_1 = onnx_unique(x, None, False)[:2]\n");
  EXPECT_EQ(emit(OpKind::Unique, {x}, attrs({{"axis", int64_t{1}}}), 4),
            "y1_0, y1_1, y1_2, y1_3 = onnx_unique(x, 1, True)\n");
}

TEST_F(IndexingTest, TriluIsTriuOrTrilWithTheDiagonal) {
  ir::Value* k = int_constant(g, "k", {}, {-1});
  EXPECT_EQ(emit(OpKind::Trilu, {x, k}, attrs({{"upper", int64_t{0}}})),
            "y0_0 = torch.tril(x, diagonal=-1)\n");
  EXPECT_EQ(emit(OpKind::Trilu, {x}), "y1_0 = torch.triu(x)\n");
}

}  // namespace
}  // namespace ramiel::codegen::testing
