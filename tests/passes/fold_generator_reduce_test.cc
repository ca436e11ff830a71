// Evaluators that create tensors (Range, ConstantOfShape, Constant), reductions and float math.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/passes/pass_test_util.h"

namespace ramiel::passes {
namespace {

using ir::DType;
using ir::OpKind;
using ir::Shape;
using testing::attrs;
using testing::f32;
using testing::FoldOne;
using testing::i64;
using testing::ints;
using testing::scalar_i64;
using V = std::vector<int64_t>;

ir::Tensor scalar_f32(double v) {
  return f32({v}, Shape{});
}

TEST(FoldGeneratorTest, IntegerRangeCountsWithCeilingDivision) {
  auto up = FoldOne{OpKind::Range, 13, {scalar_i64(1), scalar_i64(10), scalar_i64(3)}}.result();
  ASSERT_TRUE(up);
  EXPECT_EQ(up->to_int64(), (V{1, 4, 7}));
  auto down = FoldOne{OpKind::Range, 13, {scalar_i64(10), scalar_i64(4), scalar_i64(-3)}}.result();
  ASSERT_TRUE(down);
  EXPECT_EQ(down->to_int64(), (V{10, 7}));
  auto none = FoldOne{OpKind::Range, 13, {scalar_i64(5), scalar_i64(1), scalar_i64(1)}}.result();
  ASSERT_TRUE(none);
  EXPECT_EQ(none->shape(), (Shape{0}));
  EXPECT_FALSE(
      (FoldOne{OpKind::Range, 13, {scalar_i64(0), scalar_i64(5), scalar_i64(0)}}.result()));
  // Far too many elements: not computed.
  EXPECT_FALSE(
      (FoldOne{OpKind::Range, 13, {scalar_i64(INT64_MIN), scalar_i64(INT64_MAX), scalar_i64(1)}}
           .result()));
}

TEST(FoldGeneratorTest, FloatRangeAccumulatesInFloat32) {
  auto r = FoldOne{OpKind::Range, 13, {scalar_f32(0), scalar_f32(1), scalar_f32(0.1)}}.result();
  ASSERT_TRUE(r);
  ASSERT_EQ(r->shape(), (Shape{10}));
  // numpy: v = float32(0); repeat v = float32(v + float32(0.1)). Multiplying instead would
  // give 0.9000000357627869 for the last element.
  EXPECT_EQ(r->to_double()[3], 0.30000001192092896);
  EXPECT_EQ(r->to_double()[9], 0.9000000953674316);
}

TEST(FoldGeneratorTest, ConstantOfShapeRepeatsTheValue) {
  auto zeros = FoldOne{OpKind::ConstantOfShape, 13, {i64({2, 2})}}.result();
  ASSERT_TRUE(zeros);
  EXPECT_EQ(zeros->dtype(), DType::kFloat32);
  EXPECT_EQ(zeros->to_double(), (std::vector<double>{0, 0, 0, 0}));
  auto sevens =
      FoldOne{OpKind::ConstantOfShape, 13, {i64({3})}, attrs({{"value", ints(DType::kInt32, {7})}})}
          .result();
  ASSERT_TRUE(sevens);
  EXPECT_EQ(sevens->dtype(), DType::kInt32);
  EXPECT_EQ(sevens->to_int64(), (V{7, 7, 7}));
  EXPECT_FALSE(
      (FoldOne{OpKind::ConstantOfShape, 13, {i64({2, 3})}, {}, 1, /*max_elements=*/5}.result()));
}

TEST(FoldGeneratorTest, ConstantNodesBecomeConstants) {
  auto ints_node = FoldOne{OpKind::Constant, 13, {}, attrs({{"value_ints", V{1, 2}}})}.result();
  ASSERT_TRUE(ints_node);
  EXPECT_EQ(*ints_node, i64({1, 2}));
  auto tensor_node = FoldOne{OpKind::Constant, 13, {}, attrs({{"value", f32({0.5})}})}.result();
  ASSERT_TRUE(tensor_node);
  EXPECT_EQ(*tensor_node, f32({0.5}));
}

TEST(FoldReduceTest, SumAxesAttributeBefore13InputFrom13) {
  const ir::Tensor m = i64({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  auto v11 = FoldOne{OpKind::ReduceSum, 11, {m}, attrs({{"axes", V{1}}, {"keepdims", int64_t{0}}})}
                 .result();
  ASSERT_TRUE(v11);
  EXPECT_EQ(v11->shape(), (Shape{2}));
  EXPECT_EQ(v11->to_int64(), (V{6, 15}));
  auto v13 = FoldOne{OpKind::ReduceSum, 13, {m, i64({0})}}.result();
  ASSERT_TRUE(v13);
  EXPECT_EQ(v13->shape(), (Shape{1, 3}));
  EXPECT_EQ(v13->to_int64(), (V{5, 7, 9}));
  auto all = FoldOne{OpKind::ReduceSum, 13, {m}}.result();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->shape(), (Shape{1, 1}));
  EXPECT_EQ(all->to_int64(), (V{21}));
  auto noop =
      FoldOne{OpKind::ReduceSum, 13, {m}, attrs({{"noop_with_empty_axes", int64_t{1}}})}.result();
  ASSERT_TRUE(noop);
  EXPECT_EQ(*noop, m);
}

TEST(FoldReduceTest, ProdMinMaxAndFloatPrecision) {
  const ir::Tensor m = i64({1, -2, 3, 4, 5, -6}, Shape{2, 3});
  const ir::Attributes rows = attrs({{"axes", V{-1}}, {"keepdims", int64_t{0}}});
  EXPECT_EQ((FoldOne{OpKind::ReduceProd, 13, {m}, rows}.result()->to_int64()), (V{-6, -120}));
  EXPECT_EQ((FoldOne{OpKind::ReduceMin, 13, {m}, rows}.result()->to_int64()), (V{-2, -6}));
  EXPECT_EQ((FoldOne{OpKind::ReduceMax, 13, {m}, rows}.result()->to_int64()), (V{3, 5}));
  auto sum = FoldOne{OpKind::ReduceSum, 13, {f32({1e8, 1, -1e8})}}.result();
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->to_double(), (std::vector<double>{0.0}));
  // The minimum of nothing is not defined.
  EXPECT_FALSE((FoldOne{OpKind::ReduceMin, 13, {i64({}, Shape{0})}}.result()));
}

TEST(FoldFloatTest, MathOnFloatsOnly) {
  auto sqrt = FoldOne{OpKind::Sqrt, 13, {f32({2, 4})}}.result();
  ASSERT_TRUE(sqrt);
  EXPECT_EQ(sqrt->to_double(), (std::vector<double>{1.4142135381698608, 2}));
  auto exp = FoldOne{OpKind::Exp, 13, {f32({1})}}.result();
  ASSERT_TRUE(exp);
  // torch.exp(torch.tensor([1.0])) (correctly rounded; numpy's float32 exp is one ulp above).
  EXPECT_EQ(exp->to_double(), (std::vector<double>{2.7182817459106445}));
  auto round = FoldOne{OpKind::Round, 13, {f32({0.5, 1.5, 2.5, -0.5})}}.result();
  ASSERT_TRUE(round);
  EXPECT_EQ(round->to_double(), (std::vector<double>{0, 2, 2, -0.0}));
  auto floor = FoldOne{OpKind::Floor, 13, {f32({-1.5, 1.5})}}.result();
  ASSERT_TRUE(floor);
  EXPECT_EQ(floor->to_double(), (std::vector<double>{-2, 1}));
  EXPECT_FALSE((FoldOne{OpKind::Sqrt, 13, {i64({4})}}.result()));
  auto relu = FoldOne{OpKind::Relu, 14, {ints(DType::kInt32, {-3, 3})}}.result();
  ASSERT_TRUE(relu);
  EXPECT_EQ(relu->to_int64(), (V{0, 3}));
  EXPECT_FALSE((FoldOne{OpKind::Relu, 13, {ints(DType::kInt32, {-3, 3})}}.result()));
}

}  // namespace
}  // namespace ramiel::passes
