#include "core/ir/lowering_rules.h"

#include <gtest/gtest.h>

#include <string>

namespace ramiel::ir {
namespace {

TensorType typed(DType dtype, Shape shape) {
  return {dtype, std::move(shape)};
}
TensorType f32(Shape shape) {
  return typed(DType::kFloat32, std::move(shape));
}

// Builds one graph node by node; names are made up.
struct Builder {
  Graph g;
  int count = 0;
  Value* input(TensorType type) { return g.add_input("in" + std::to_string(count++), type); }
  Value* constant(DType dtype, Shape shape) {
    return g.add_constant("c" + std::to_string(count++), Tensor::without_data(dtype, shape),
                          ConstantOrigin::kModel);
  }
  Node* node(OpKind op, const std::vector<Value*>& inputs, TensorType out) {
    const std::string name = "n" + std::to_string(count++);
    return g.add_node(op, name, inputs, {{name + "_out", out}});
  }
  Value* made(OpKind op, Value* from, TensorType out) { return node(op, {from}, out)->output(0); }
};

bool overwritable(const Value& v) {
  return may_be_overwritten(v);
}

std::optional<size_t> operand(const Node& node) {
  return in_place_operand(
      node, [&](size_t i) { return node.input(i) && may_be_overwritten(*node.input(i)); });
}

TEST(LoweringRulesTest, OnlyAFreshTensorOneNodeReadsMayBeOverwritten) {
  Builder b;
  Value* x = b.input(f32({1, 8}));
  Value* conv = b.made(OpKind::Tanh, x, f32({1, 8}));
  b.made(OpKind::Relu, conv, f32({1, 8}));
  EXPECT_TRUE(overwritable(*conv));
  EXPECT_FALSE(overwritable(*x));  // the caller's tensor
  // A view of another tensor (Reshape may return one) is never overwritten.
  Value* view = b.made(OpKind::Reshape, conv, f32({8}));
  b.made(OpKind::Relu, view, f32({8}));
  EXPECT_FALSE(overwritable(*view));
  // Read twice, or returned to the caller.
  Value* shared = b.made(OpKind::Sigmoid, x, f32({1, 8}));
  b.made(OpKind::Neg, shared, f32({1, 8}));
  b.made(OpKind::Neg, shared, f32({1, 8}));
  EXPECT_FALSE(overwritable(*shared));
  Value* returned = b.made(OpKind::Sigmoid, x, f32({1, 8}));
  b.made(OpKind::Neg, returned, f32({1, 8}));
  b.g.set_outputs({returned});
  EXPECT_FALSE(overwritable(*returned));
  // Integers are never computed in place.
  Value* count = b.made(OpKind::Add, b.input(typed(DType::kInt64, {4})), typed(DType::kInt64, {4}));
  b.made(OpKind::Neg, count, typed(DType::kInt64, {4}));
  EXPECT_FALSE(overwritable(*count));
}

TEST(LoweringRulesTest, ReluAndBinaryArithmeticPickTheOperandThatHoldsTheResult) {
  Builder b;
  Value* x = b.input(f32({1, 8}));
  EXPECT_EQ(operand(*b.node(OpKind::Relu, {b.made(OpKind::Tanh, x, f32({1, 8}))}, f32({1, 8}))),
            0u);
  EXPECT_EQ(operand(*b.node(OpKind::Relu, {x}, f32({1, 8}))), std::nullopt);
  // A residual Add into its computed operand, the second: Add and Mul commute; Sub does not.
  EXPECT_EQ(operand(*b.node(OpKind::Add, {x, b.made(OpKind::Tanh, x, f32({1, 8}))}, f32({1, 8}))),
            1u);
  EXPECT_EQ(operand(*b.node(OpKind::Sub, {x, b.made(OpKind::Tanh, x, f32({1, 8}))}, f32({1, 8}))),
            std::nullopt);
  EXPECT_EQ(operand(*b.node(OpKind::Div, {b.made(OpKind::Tanh, x, f32({1, 8})), x}, f32({1, 8}))),
            0u);
  // An operand that broadcasts into the result, or is promoted, cannot hold it.
  Value* row = b.made(OpKind::Tanh, b.input(f32({1, 1})), f32({1, 1}));
  EXPECT_EQ(operand(*b.node(OpKind::Mul, {x, row}, f32({1, 8}))), std::nullopt);
  Value* half =
      b.made(OpKind::Tanh, b.input(typed(DType::kFloat16, {1, 8})), typed(DType::kFloat16, {1, 8}));
  EXPECT_EQ(operand(*b.node(OpKind::Add, {half, x}, f32({1, 8}))), std::nullopt);
  // Other element-wise ops allocate.
  EXPECT_EQ(operand(*b.node(OpKind::Sigmoid, {b.made(OpKind::Tanh, x, f32({1, 8}))}, f32({1, 8}))),
            std::nullopt);
}

TEST(LoweringRulesTest, BatchNormsWithConstantParametersFoldToAnAffine) {
  Builder b;
  auto batch_norm = [&](TensorType x_type, bool constant_mean) {
    std::vector<Value*> inputs = {b.input(x_type)};
    for (int i = 1; i <= 4; ++i) {
      inputs.push_back(i == 3 && !constant_mean ? b.input(f32({3}))
                                                : b.constant(DType::kFloat32, Shape{3}));
    }
    return b.node(OpKind::BatchNormalization, inputs, x_type);
  };
  EXPECT_TRUE(folds_to_affine(*batch_norm(f32({1, 3, 4, 4}), true)));
  EXPECT_TRUE(folds_to_affine(*batch_norm(typed(DType::kFloat64, {1, 3}), true)));
  EXPECT_FALSE(folds_to_affine(*batch_norm(f32({1, 3, 4, 4}), false)));  // mean from a run
  EXPECT_FALSE(
      folds_to_affine(*batch_norm(TensorType{DType::kFloat32, std::nullopt}, true)));  // rank?
  EXPECT_FALSE(folds_to_affine(*batch_norm(typed(DType::kFloat16, {1, 3, 4, 4}), true)));
}

}  // namespace
}  // namespace ramiel::ir
