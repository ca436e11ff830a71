// Emitters of string tensors (numpy arrays of str at run time): Identity, Cast, CastLike,
// StringNormalizer, and the refusal of every other op that meets one.
#include <gtest/gtest.h>

#include "tests/codegen/emit_test_util.h"

namespace ramiel::codegen::testing {
namespace {

using ir::OpKind;

ir::TensorType text(ir::Shape shape) {
  return {ir::DType::kString, std::move(shape)};
}

class StringsTest : public ::testing::Test {
 protected:
  StringsTest() {
    g.opset = 13;
    x = g.add_input("x", f32({2, 3}));
    s = g.add_input("s", text({1, 3}));
  }
  std::string emit(OpKind op, std::vector<ir::Value*> inputs, ir::Attributes attrs,
                   ir::TensorType out, int opset = 13) {
    const std::string id = std::to_string(count++);
    ir::Node* n = g.add_node(op, "n" + id, inputs, {{"out" + id, out}}, std::move(attrs), opset);
    auto printed = emit_text(*n);
    return printed.ok() ? *printed : "error: " + printed.status().to_string();
  }
  static ir::Attributes to(int64_t type) {
    ir::Attributes a;
    a.set("to", type);
    return a;
  }
  ir::Graph g;
  ir::Value* x;
  ir::Value* s;
  int count = 0;
};

TEST_F(StringsTest, CastsToAndFromStringGoThroughHelpers) {
  EXPECT_EQ(emit(OpKind::Cast, {x}, to(8), text({2, 3})), "out0 = onnx_cast_to_string(x)\n");
  EXPECT_EQ(emit(OpKind::Cast, {s}, to(1), f32({1, 3})),
            "out1 = onnx_cast_from_string(s, torch.float32)\n");
  EXPECT_EQ(emit(OpKind::Cast, {s}, to(8), text({1, 3})), "out2 = s\n");
  EXPECT_EQ(emit(OpKind::CastLike, {s, x}, {}, f32({1, 3})),
            "out3 = onnx_cast_from_string(s, torch.float32)\n");
  EXPECT_EQ(emit(OpKind::CastLike, {x, s}, {}, text({2, 3})), "out4 = onnx_cast_to_string(x)\n");
  EXPECT_EQ(emit(OpKind::Identity, {s}, {}, text({1, 3})), "out5 = s\n");
}

TEST_F(StringsTest, CastsWithoutAMeaningForStringsAreRefused) {
  EXPECT_EQ(emit(OpKind::Cast, {s}, to(9), {ir::DType::kBool, ir::Shape{1, 3}}),
            "error: UNIMPLEMENTED: node 'n0' (Cast, opset 13): casts from string to bool are not "
            "supported");
  ir::Value* big = g.add_input("big", {ir::DType::kUInt64, ir::Shape{2}});
  EXPECT_EQ(emit(OpKind::Cast, {big}, to(8), text({2})),
            "error: UNIMPLEMENTED: node 'n1' (Cast, opset 13): casts from uint64 to string are "
            "not supported");
}

TEST_F(StringsTest, StringNormalizerPassesItsAttributes) {
  ir::Attributes a;
  a.set("case_change_action", std::string("LOWER"));
  a.set("stopwords", std::vector<std::string>{"the",
                                              "\xc3\xbc"
                                              "ber"});
  a.set("locale", std::string("en_US"));
  EXPECT_EQ(emit(OpKind::StringNormalizer, {s}, a, text({1, -1}), 10),
            "out0 = onnx_string_normalizer(s, \"LOWER\", False, [\"the\", \"\\xfcber\"])\n");
  ir::Attributes b;
  b.set("is_case_sensitive", int64_t{1});
  EXPECT_EQ(emit(OpKind::StringNormalizer, {s}, b, text({1, -1}), 10),
            "out1 = onnx_string_normalizer(s, \"NONE\", True, [])\n");
}

TEST_F(StringsTest, StringNormalizerRefusesWhatItCannotDo) {
  ir::Attributes turkish;
  turkish.set("case_change_action", std::string("UPPER"));
  turkish.set("locale", std::string("tr_TR"));
  EXPECT_EQ(emit(OpKind::StringNormalizer, {s}, turkish, text({1, -1}), 10),
            "error: UNIMPLEMENTED: node 'n0' (StringNormalizer, opset 10): attribute "
            "locale=tr_TR is not supported: case changes follow Unicode's default rules (en_US)");
  ir::Attributes title;
  title.set("case_change_action", std::string("TITLE"));
  EXPECT_EQ(emit(OpKind::StringNormalizer, {s}, title, text({1, -1}), 10),
            "error: UNIMPLEMENTED: node 'n1' (StringNormalizer, opset 10): attribute "
            "case_change_action=TITLE is not supported: it must be LOWER, UPPER or NONE");
  ir::Value* square = g.add_input("square", text({2, 2}));
  EXPECT_EQ(emit(OpKind::StringNormalizer, {square}, {}, text({2, -1}), 10),
            "error: INVALID_ARGUMENT: node 'n2' (StringNormalizer, opset 10): input 0 must have "
            "shape [C] or [1, C]");
}

TEST_F(StringsTest, OtherOpsOnStringsAreRefusedAtCompileTime) {
  EXPECT_EQ(emit(OpKind::Add, {s, s}, {}, text({1, 3}), 14),
            "error: UNIMPLEMENTED: node 'n0' (Add, opset 14): string tensors are supported only "
            "by Identity, Cast, CastLike and StringNormalizer");
  EXPECT_EQ(emit(OpKind::Transpose, {s}, {}, text({3, 1})),
            "error: UNIMPLEMENTED: node 'n1' (Transpose, opset 13): string tensors are supported "
            "only by Identity, Cast, CastLike and StringNormalizer");
}

}  // namespace
}  // namespace ramiel::codegen::testing
