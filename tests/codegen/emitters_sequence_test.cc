// Emitters of sequences and optionals (emitters/sequence.cc): lists, None, len, split and cat.
#include <gtest/gtest.h>

#include "tests/codegen/emit_test_util.h"

namespace ramiel::codegen::testing {
namespace {

using ir::OpKind;

ir::TensorType of_kind(ir::TypeKind kind, ir::TensorType type) {
  type.kind = kind;
  return type;
}

class SequenceTest : public ::testing::Test {
 protected:
  SequenceTest() {
    g.opset = 16;
    x = g.add_input("x", f32({4, 6}));
    s = g.add_input("s", of_kind(ir::TypeKind::kSequence, f32({4, 6})));
    opt = g.add_input("opt", of_kind(ir::TypeKind::kOptionalTensor, f32({4, 6})));
    i = g.add_input("i", i64({}));
  }
  std::string emit(OpKind op, std::vector<ir::Value*> inputs, ir::Attributes attrs = {},
                   ir::TypeKind out_kind = ir::TypeKind::kSequence) {
    const std::string id = std::to_string(count++);
    ir::Node* n =
        g.add_node(op, "n" + id, inputs, {{"y" + id, of_kind(out_kind, f32({ir::kUnknownDim}))}},
                   std::move(attrs), g.opset);
    g.set_outputs({n->output(0)});
    auto text = emit_text(*n);
    return text.ok() ? *text : "error: " + text.status().to_string();
  }
  ir::Attributes ints(std::initializer_list<std::pair<const char*, int64_t>> list) {
    ir::Attributes a;
    for (const auto& [name, value] : list) a.set(name, value);
    return a;
  }
  ir::Graph g;
  ir::Value* x;
  ir::Value* s;
  ir::Value* opt;
  ir::Value* i;
  int count = 0;
};

TEST_F(SequenceTest, ListsAreMadeAndNeverChangedInPlace) {
  EXPECT_EQ(emit(OpKind::SequenceEmpty, {}), "y0 = []\n");
  EXPECT_EQ(emit(OpKind::SequenceConstruct, {x, x}), "y1 = [x, x]\n");
  EXPECT_EQ(emit(OpKind::SequenceInsert, {s, x}), "y2 = s + [x]\n");
  ir::Value* minus_one = int_constant(g, "minus_one", {}, {-1});
  // At a position: the runtime's helper, which refuses one outside -n..n (slicing would clamp).
  EXPECT_EQ(emit(OpKind::SequenceInsert, {s, x, minus_one}),
            "y3 = onnx_sequence_insert(s, x, -1)\n");
  EXPECT_EQ(emit(OpKind::SequenceInsert, {s, x, i}), "y4 = onnx_sequence_insert(s, x, int(i))\n");
  EXPECT_EQ(emit(OpKind::SequenceErase, {s}), "y5 = list(s)\ny5.pop(-1)\n");
  EXPECT_EQ(emit(OpKind::SequenceErase, {s, i}), "y6 = list(s)\ny6.pop(int(i))\n");
}

TEST_F(SequenceTest, PositionsAndLengthsReadAsPython) {
  ir::Value* minus_two = int_constant(g, "minus_two", {}, {-2});
  EXPECT_EQ(emit(OpKind::SequenceAt, {s, minus_two}, {}, ir::TypeKind::kTensor), "y0 = s[-2]\n");
  EXPECT_EQ(emit(OpKind::SequenceLength, {s}, {}, ir::TypeKind::kTensor),
            "y1 = torch.tensor(len(s))\n");
}

TEST_F(SequenceTest, SplitAndConcatAreTorchCalls) {
  EXPECT_EQ(emit(OpKind::SplitToSequence, {x}, ints({{"axis", 1}, {"keepdims", 0}})),
            "y0 = list(torch.unbind(x, 1))\n");
  EXPECT_EQ(emit(OpKind::SplitToSequence, {x}), "y1 = list(torch.split(x, 1, 0))\n");
  ir::Value* two = int_constant(g, "two", {}, {2});
  EXPECT_EQ(emit(OpKind::SplitToSequence, {x, two}), "y2 = list(torch.split(x, 2, 0))\n");
  ir::Value* lengths = int_constant(g, "lengths", {2}, {1, 3});
  EXPECT_EQ(emit(OpKind::SplitToSequence, {x, lengths}, ints({{"axis", -1}})),
            "y3 = list(torch.split(x, [1, 3], -1))\n");
  ir::Value* given = g.add_input("given", i64({2}));
  EXPECT_EQ(emit(OpKind::SplitToSequence, {x, given}),
            "y4 = list(torch.split(x, given.tolist(), 0))\n");
  EXPECT_EQ(emit(OpKind::ConcatFromSequence, {s}, ints({{"axis", 1}}), ir::TypeKind::kTensor),
            "y5 = torch.cat(s, 1)\n");
  EXPECT_EQ(emit(OpKind::ConcatFromSequence, {s}, ints({{"axis", -1}, {"new_axis", 1}}),
                 ir::TypeKind::kTensor),
            "y6 = torch.stack(s, -1)\n");
  EXPECT_EQ(emit(OpKind::ConcatFromSequence, {s}, ints({{"new_axis", 2}}), ir::TypeKind::kTensor),
            "error: UNIMPLEMENTED: node 'n7' (ConcatFromSequence, opset 16): attribute new_axis=2 "
            "is not supported: it must be 0 or 1");
}

TEST_F(SequenceTest, OptionalsAreTheValueOrNone) {
  const auto optional = ir::TypeKind::kOptionalTensor;
  EXPECT_EQ(emit(OpKind::Optional, {x}, {}, optional), "y0 = x\n");
  EXPECT_EQ(emit(OpKind::Optional, {}, {}, optional), "y1 = None\n");
  EXPECT_EQ(emit(OpKind::OptionalHasElement, {opt}, {}, ir::TypeKind::kTensor),
            "y2 = torch.tensor(opt is not None)\n");
  EXPECT_EQ(emit(OpKind::OptionalHasElement, {x}, {}, ir::TypeKind::kTensor),
            "y3 = torch.tensor(True)\n");
  EXPECT_EQ(emit(OpKind::OptionalHasElement, {}, {}, ir::TypeKind::kTensor),
            "y4 = torch.tensor(False)\n");
  // An empty optional is an error, which the helper raises.
  EXPECT_EQ(emit(OpKind::OptionalGetElement, {opt}, {}, ir::TypeKind::kTensor),
            "y5 = onnx_optional_get_element(opt)\n");
  EXPECT_EQ(emit(OpKind::OptionalGetElement, {x}, {}, ir::TypeKind::kTensor), "y6 = x\n");
}

}  // namespace
}  // namespace ramiel::codegen::testing
