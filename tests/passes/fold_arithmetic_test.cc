// Evaluators of arithmetic: broadcasting, integer semantics (truncation, wrapping, Python vs C
// modulo), float precision, Min/Max/Clip.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

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
using V = std::vector<int64_t>;

TEST(FoldArithmeticTest, AddBroadcastsLikeNumpy) {
  auto r = FoldOne{OpKind::Add, 13, {i64({1, 2}, Shape{2, 1}), i64({10, 20, 30})}}.result();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->shape(), (Shape{2, 3}));
  EXPECT_EQ(r->to_int64(), (V{11, 21, 31, 12, 22, 32}));
  EXPECT_FALSE((FoldOne{OpKind::Add, 13, {i64({1, 2}), i64({1, 2, 3})}}.result()));
  // Mixed dtypes are invalid ONNX.
  EXPECT_FALSE((FoldOne{OpKind::Add, 13, {i64({1}), ints(DType::kInt32, {1})}}.result()));
}

TEST(FoldArithmeticTest, IntegerDivisionTruncatesTowardZero) {
  auto r = FoldOne{OpKind::Div, 13, {i64({7, -7, 7, -7}), i64({2, 2, -2, -2})}}.result();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->to_int64(), (V{3, -3, -3, 3}));
  auto narrow =
      FoldOne{OpKind::Div, 13, {ints(DType::kInt8, {-128, 100}), ints(DType::kInt8, {3, -7})}}
          .result();
  ASSERT_TRUE(narrow);
  EXPECT_EQ(narrow->to_int64(), (V{-42, -14}));
  // No defined result: left to the runtime.
  EXPECT_FALSE((FoldOne{OpKind::Div, 13, {i64({1}), i64({0})}}.result()));
  EXPECT_FALSE((FoldOne{
      OpKind::Div,
      13,
      {ints(DType::kInt32, {std::numeric_limits<int32_t>::min()}), ints(DType::kInt32, {-1})}}
                    .result()));
  auto floats = FoldOne{OpKind::Div, 13, {f32({1, -1}), f32({0, 4})}}.result();
  ASSERT_TRUE(floats);
  EXPECT_EQ(floats->to_double(), (std::vector<double>{INFINITY, -0.25}));
}

TEST(FoldArithmeticTest, ModTakesTheDivisorsSignUnlessFmod) {
  auto python = FoldOne{OpKind::Mod, 13, {i64({7, -7, 7, -7}), i64({3, 3, -3, -3})}}.result();
  ASSERT_TRUE(python);
  EXPECT_EQ(python->to_int64(), (V{1, 2, -2, -1}));
  auto c_style = FoldOne{OpKind::Mod,
                         13,
                         {i64({7, -7, 7, -7}), i64({3, 3, -3, -3})},
                         attrs({{"fmod", int64_t{1}}})}
                     .result();
  ASSERT_TRUE(c_style);
  EXPECT_EQ(c_style->to_int64(), (V{1, -1, 1, -1}));
  auto floats =
      FoldOne{OpKind::Mod, 13, {f32({-7.5}), f32({2})}, attrs({{"fmod", int64_t{1}}})}.result();
  ASSERT_TRUE(floats);
  EXPECT_EQ(floats->to_double(), (std::vector<double>{-1.5}));
  EXPECT_FALSE((FoldOne{OpKind::Mod, 13, {f32({-7.5}), f32({2})}}.result()));  // fmod=0 on floats
  EXPECT_FALSE((FoldOne{OpKind::Mod, 13, {i64({5}), i64({0})}}.result()));
}

TEST(FoldArithmeticTest, IntegerOverflowWraps) {
  auto add = FoldOne{OpKind::Add, 13, {ints(DType::kInt32, {2147483647}), ints(DType::kInt32, {1})}}
                 .result();
  ASSERT_TRUE(add);
  EXPECT_EQ(add->to_int64(), (V{-2147483648LL}));
  auto mul =
      FoldOne{OpKind::Mul, 13, {ints(DType::kInt8, {100}), ints(DType::kInt8, {3})}}.result();
  ASSERT_TRUE(mul);
  EXPECT_EQ(mul->to_int64(), (V{44}));
  auto sub =
      FoldOne{OpKind::Sub, 13, {ints(DType::kUInt8, {3}), ints(DType::kUInt8, {5})}}.result();
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->to_int64(), (V{254}));
  auto mul16 =
      FoldOne{OpKind::Mul, 13, {ints(DType::kUInt16, {65535}), ints(DType::kUInt16, {65535})}}
          .result();
  ASSERT_TRUE(mul16);
  EXPECT_EQ(mul16->to_int64(), (V{1}));
}

TEST(FoldArithmeticTest, FloatsAccumulateInTheirOwnPrecision) {
  // In float32, 1e8 + 1 == 1e8; in double the sum would come back as 1.
  auto sum = FoldOne{OpKind::Sum, 13, {f32({1e8}), f32({1}), f32({-1e8})}}.result();
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->to_double(), (std::vector<double>{0.0}));
  auto f64 = FoldOne{OpKind::Sum,
                     13,
                     {ir::Tensor::from_double(DType::kFloat64, {1}, {1e8}),
                      ir::Tensor::from_double(DType::kFloat64, {1}, {1}),
                      ir::Tensor::from_double(DType::kFloat64, {1}, {-1e8})}}
                 .result();
  ASSERT_TRUE(f64);
  EXPECT_EQ(f64->to_double(), (std::vector<double>{1.0}));
  auto half = FoldOne{OpKind::Mul,
                      13,
                      {ir::Tensor::from_double(DType::kFloat16, {1}, {1.5}),
                       ir::Tensor::from_double(DType::kFloat16, {1}, {2.5})}}
                  .result();
  ASSERT_TRUE(half);
  EXPECT_EQ(half->dtype(), DType::kFloat16);
  EXPECT_EQ(half->to_double(), (std::vector<double>{3.75}));
}

TEST(FoldArithmeticTest, BoolIsNotArithmetic) {
  EXPECT_FALSE((FoldOne{OpKind::Add, 13, {testing::bools({1}), testing::bools({1})}}.result()));
}

TEST(FoldArithmeticTest, NegAndAbsWrapAtTheMinimum) {
  auto neg = FoldOne{OpKind::Neg, 13, {ints(DType::kInt8, {-128, 5, 0})}}.result();
  ASSERT_TRUE(neg);
  EXPECT_EQ(neg->to_int64(), (V{-128, -5, 0}));
  auto abs = FoldOne{OpKind::Abs, 13, {ints(DType::kInt8, {-128, -5, 7})}}.result();
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->to_int64(), (V{-128, 5, 7}));
  EXPECT_FALSE((FoldOne{OpKind::Neg, 13, {ints(DType::kUInt8, {1})}}.result()));
  auto sign = FoldOne{OpKind::Sign, 13, {f32({-2, 0, 3})}}.result();
  ASSERT_TRUE(sign);
  EXPECT_EQ(sign->to_double(), (std::vector<double>{-1, 0, 1}));
}

TEST(FoldArithmeticTest, MinMaxAreVariadicAndPropagateNan) {
  auto max = FoldOne{OpKind::Max, 13, {f32({1, NAN}), f32({2, 0})}}.result();
  ASSERT_TRUE(max);
  const std::vector<double> m = max->to_double();
  EXPECT_EQ(m[0], 2);
  EXPECT_TRUE(std::isnan(m[1]));
  auto min = FoldOne{OpKind::Min, 13, {i64({5, 1}), i64({3}), i64({4, 4})}}.result();
  ASSERT_TRUE(min);
  EXPECT_EQ(min->to_int64(), (V{3, 1}));
}

TEST(FoldArithmeticTest, ClipBoundsAttributesBefore11InputsFrom11) {
  auto v6 = FoldOne{OpKind::Clip, 6, {f32({-2, 0.5, 3})}, attrs({{"min", -1.0f}, {"max", 1.0f}})}
                .result();
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->to_double(), (std::vector<double>{-1, 0.5, 1}));
  auto v13 =
      FoldOne{OpKind::Clip, 13, {i64({-5, 5, 50}), testing::scalar_i64(0), testing::scalar_i64(10)}}
          .result();
  ASSERT_TRUE(v13);
  EXPECT_EQ(v13->to_int64(), (V{0, 5, 10}));
  auto max_only =
      FoldOne{OpKind::Clip, 13, {i64({-5, 5, 50}), {}, testing::scalar_i64(10)}}.result();
  ASSERT_TRUE(max_only);
  EXPECT_EQ(max_only->to_int64(), (V{-5, 5, 10}));
  // Opset 13 ignores the old attributes.
  auto ignored = FoldOne{OpKind::Clip, 13, {f32({-2, 3})}, attrs({{"min", -1.0f}})}.result();
  ASSERT_TRUE(ignored);
  EXPECT_EQ(ignored->to_double(), (std::vector<double>{-2, 3}));
}

}  // namespace
}  // namespace ramiel::passes
