// Emitters of elementwise ops and activations.
#include <gtest/gtest.h>

#include "core/frontend/normalize_operands.h"
#include "tests/codegen/emit_test_util.h"

namespace ramiel::codegen::testing {
namespace {

using ir::OpKind;

class ElementwiseTest : public ::testing::Test {
 protected:
  ElementwiseTest() {
    g.opset = 13;
    x = g.add_input("x", f32({2, 3}));
    y = g.add_input("y", f32({2, 3}));
  }
  std::string emit(OpKind op, std::vector<ir::Value*> inputs, ir::Attributes attrs = {},
                   int opset = 13, ir::TensorType out = f32({2, 3})) {
    const std::string id = std::to_string(count++);
    ir::Node* n = g.add_node(op, "n" + id, inputs, {{"out" + id, out}}, std::move(attrs), opset);
    frontend::normalize_operands(g);  // older opsets' attributes as inputs, as imported
    auto text = emit_text(*n);
    return text.ok() ? *text : "error: " + text.status().to_string();
  }
  ir::Value* scalar(float v) {
    return g.add_constant("s" + std::to_string(scalars++),
                          ir::Tensor::from_double(ir::DType::kFloat32, {}, {v}),
                          ir::ConstantOrigin::kFolded);
  }
  ir::Graph g;
  ir::Value* x;
  ir::Value* y;
  int count = 0;
  int scalars = 0;
};

TEST_F(ElementwiseTest, UnaryOpsAreOneTorchCall) {
  EXPECT_EQ(emit(OpKind::Relu, {x}), "out0 = F.relu(x)\n");
  EXPECT_EQ(emit(OpKind::Sigmoid, {x}), "out1 = torch.sigmoid(x)\n");
  EXPECT_EQ(emit(OpKind::Erf, {x}), "out2 = torch.erf(x)\n");
  EXPECT_EQ(emit(OpKind::Not, {x}), "out3 = torch.logical_not(x)\n");
  EXPECT_EQ(emit(OpKind::Identity, {x}), "out4 = x\n");
}

TEST_F(ElementwiseTest, ArithmeticReadsAsOperatorsWithScalarLiterals) {
  EXPECT_EQ(emit(OpKind::Add, {x, y}), "out0 = x + y\n");
  EXPECT_EQ(emit(OpKind::Div, {x, scalar(1.4142135f)}), "out1 = x / 1.4142135\n");
  EXPECT_EQ(emit(OpKind::Mul, {x, scalar(0.5f)}), "out2 = x * 0.5\n");
  EXPECT_EQ(emit(OpKind::Pow, {x, scalar(2.0f)}), "out3 = torch.pow(x, 2.0)\n");
  EXPECT_EQ(emit(OpKind::Sub, {y, x}), "out4 = y - x\n");
}

TEST_F(ElementwiseTest, IntegerDivisionTruncates) {
  ir::Value* a = g.add_input("a", i64({4}));
  ir::Value* b = g.add_input("b", i64({4}));
  EXPECT_EQ(emit(OpKind::Div, {a, b}, {}, 13, i64({4})),
            "out0 = torch.div(a, b, rounding_mode=\"trunc\")\n");
  EXPECT_EQ(emit(OpKind::Mod, {a, b}, {}, 13, i64({4})), "out1 = torch.remainder(a, b)\n");
}

TEST_F(ElementwiseTest, ComparisonsLogicAndVariadics) {
  EXPECT_EQ(emit(OpKind::Equal, {x, y}), "out0 = torch.eq(x, y)\n");
  EXPECT_EQ(emit(OpKind::Max, {x, y, x}), "out1 = torch.maximum(torch.maximum(x, y), x)\n");
  EXPECT_EQ(emit(OpKind::Mean, {x, y}), "out2 = (x + y) / 2\n");
  EXPECT_EQ(emit(OpKind::Where, {x, x, y}), "out3 = torch.where(x, x, y)\n");
}

TEST_F(ElementwiseTest, ClipBoundsComeFromAttributesOrInputs) {
  ir::Attributes old;
  old.set("min", 0.0f);
  old.set("max", 6.0f);
  EXPECT_EQ(emit(OpKind::Clip, {x}, old, 6), "out0 = torch.clamp(x, min=0.0, max=6.0)\n");
  EXPECT_EQ(emit(OpKind::Clip, {x, scalar(0.0f), scalar(6.0f)}, {}, 13),
            "out1 = torch.clamp(x, min=0.0, max=6.0)\n");
  EXPECT_EQ(emit(OpKind::Clip, {x, nullptr, y}, {}, 13), "out2 = torch.clamp(x, max=y)\n");
  EXPECT_EQ(emit(OpKind::Clip, {x}, {}, 13), "out3 = x\n");
}

TEST_F(ElementwiseTest, CastNamesTheTorchDtype) {
  ir::Attributes to;
  to.set("to", int64_t{7});
  EXPECT_EQ(emit(OpKind::Cast, {x}, to, 13, i64({2, 3})), "out0 = x.to(torch.int64)\n");
  ir::Attributes bad;
  bad.set("to", int64_t{8});  // string
  EXPECT_EQ(emit(OpKind::Cast, {x}, bad),
            "error: UNIMPLEMENTED: node 'n1' (Cast, opset 13): tensors of type string have no "
            "PyTorch equivalent");
}

// torch 1.13 lacks uint16/32/64: they live in int32/int64, and results that can leave the
// type's range are masked as ONNX wraps them.
TEST_F(ElementwiseTest, UnsignedTypesLiveInWiderCarriersAndWrap) {
  ir::Attributes to_u32;
  to_u32.set("to", int64_t{12});
  EXPECT_EQ(
      emit(OpKind::Cast, {x}, to_u32, 13, ir::TensorType{ir::DType::kUInt32, ir::Shape{2, 3}}),
      "out0 = x.to(torch.int64)\nout0 = out0 & 4294967295\n");
  const ir::TensorType u16{ir::DType::kUInt16, ir::Shape{4}};
  ir::Value* a = g.add_input("a", u16);
  ir::Value* b = g.add_input("b", u16);
  EXPECT_EQ(emit(OpKind::Add, {a, b}, {}, 14, u16), "out1 = a + b\nout1 = out1 & 65535\n");
  EXPECT_EQ(emit(OpKind::Max, {a, b}, {}, 13, u16), "out2 = torch.maximum(a, b)\n");
  const ir::TensorType u64{ir::DType::kUInt64, ir::Shape{4}};
  ir::Value* c = g.add_input("c", u64);
  ir::Attributes right;
  right.set("direction", std::string("RIGHT"));
  EXPECT_EQ(emit(OpKind::BitShift, {c, c}, right, 11, u64),
            "out3 = onnx_uint64_shift_right(c, c)\n");
  EXPECT_EQ(emit(OpKind::Add, {c, c}, {}, 14, u64), "out4 = c + c\n");  // wraps at 2^64 itself
  // Order: flipping the top bit maps uint64's onto int64's.
  EXPECT_EQ(emit(OpKind::Max, {c, c}, {}, 13, u64),
            "out5 = torch.maximum(c ^ -9223372036854775808, c ^ -9223372036854775808) ^ "
            "-9223372036854775808\n");
}

TEST_F(ElementwiseTest, SoftmaxFollowsItsOpset) {
  ir::Attributes axis1;
  axis1.set("axis", int64_t{1});
  EXPECT_EQ(emit(OpKind::Softmax, {x}, axis1, 13), "out0 = F.softmax(x, dim=1)\n");
  // Before opset 13, axis 1 of a 2-D input is the last axis: nothing to coerce.
  EXPECT_EQ(emit(OpKind::Softmax, {x}, axis1, 11), "out1 = F.softmax(x, dim=-1)\n");
  ir::Value* x4 = g.add_input("x4", f32({2, 3, 4, 5}));
  EXPECT_EQ(emit(OpKind::Softmax, {x4}, axis1, 11, f32({2, 3, 4, 5})),
            "out2 = F.softmax(x4.flatten(1), dim=-1).reshape(x4.shape)\n");
  EXPECT_EQ(emit(OpKind::LogSoftmax, {x4}, {}, 13, f32({2, 3, 4, 5})),
            "out3 = F.log_softmax(x4, dim=-1)\n");
}

TEST_F(ElementwiseTest, ParameterisedActivations) {
  ir::Attributes alpha;
  alpha.set("alpha", 0.1f);
  EXPECT_EQ(emit(OpKind::LeakyRelu, {x}, alpha), "out0 = F.leaky_relu(x, negative_slope=0.1)\n");
  EXPECT_EQ(emit(OpKind::HardSigmoid, {x}),
            "out1 = torch.clamp(x * 0.2 + 0.5, min=0.0, max=1.0)\n");
  EXPECT_EQ(emit(OpKind::Selu, {x}), "out2 = F.selu(x)\n");
  EXPECT_EQ(emit(OpKind::PRelu, {x, y}), "out3 = torch.where(x < 0, x * y, x)\n");
}

TEST_F(ElementwiseTest, OpsWithoutEmitterAreRefusedByName) {
  EXPECT_EQ(emit(OpKind::StringNormalizer, {x}, {}, 14),
            "error: UNIMPLEMENTED: node 'n0' (StringNormalizer, opset 14): Ramiel cannot translate "
            "this operator to PyTorch");
}

TEST_F(ElementwiseTest, AttributesOfTheWrongTypeAreInvalid) {
  ir::Attributes wrong;
  wrong.set("alpha", int64_t{1});
  EXPECT_EQ(emit(OpKind::LeakyRelu, {x}, wrong),
            "error: INVALID_ARGUMENT: node 'n0' (LeakyRelu, opset 13): attribute 'alpha' must be "
            "a float, not int");
}

}  // namespace
}  // namespace ramiel::codegen::testing
