// Evaluators of comparisons, logic, Where, Cast and CastLike.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/passes/pass_test_util.h"

namespace ramiel::passes {
namespace {

using ir::DType;
using ir::OpKind;
using ir::Shape;
using testing::attrs;
using testing::bools;
using testing::f32;
using testing::FoldOne;
using testing::i64;
using testing::ints;
using V = std::vector<int64_t>;

ir::Attributes to(DType dtype) {
  return attrs({{"to", static_cast<int64_t>(dtype)}});
}

TEST(FoldLogicTest, ComparisonsGiveBoolAndNanIsUnequal) {
  auto eq = FoldOne{OpKind::Equal, 13, {f32({1, NAN}), f32({1, NAN})}}.result();
  ASSERT_TRUE(eq);
  EXPECT_EQ(eq->dtype(), DType::kBool);
  EXPECT_EQ(eq->to_int64(), (V{1, 0}));
  auto less = FoldOne{OpKind::Less, 13, {i64({1, 5, 9}), i64({5})}}.result();
  ASSERT_TRUE(less);
  EXPECT_EQ(less->to_int64(), (V{1, 0, 0}));
  auto ge = FoldOne{OpKind::GreaterOrEqual, 13, {i64({1, 5, 9}), i64({5})}}.result();
  ASSERT_TRUE(ge);
  EXPECT_EQ(ge->to_int64(), (V{0, 1, 1}));
  // Unsigned comparison is not signed comparison.
  auto unsigned_gt =
      FoldOne{OpKind::Greater, 13, {ints(DType::kUInt64, {-1}), ints(DType::kUInt64, {1})}}
          .result();
  ASSERT_TRUE(unsigned_gt);
  EXPECT_EQ(unsigned_gt->to_int64(), (V{1}));
}

TEST(FoldLogicTest, BooleanOps) {
  auto a = bools({0, 0, 1, 1});
  auto b = bools({0, 1, 0, 1});
  EXPECT_EQ((FoldOne{OpKind::And, 13, {a, b}}.result()->to_int64()), (V{0, 0, 0, 1}));
  EXPECT_EQ((FoldOne{OpKind::Or, 13, {a, b}}.result()->to_int64()), (V{0, 1, 1, 1}));
  EXPECT_EQ((FoldOne{OpKind::Xor, 13, {a, b}}.result()->to_int64()), (V{0, 1, 1, 0}));
  EXPECT_EQ((FoldOne{OpKind::Not, 13, {a}}.result()->to_int64()), (V{1, 1, 0, 0}));
  EXPECT_FALSE((FoldOne{OpKind::And, 13, {i64({1}), i64({1})}}.result()));
}

TEST(FoldLogicTest, WhereBroadcastsAllThree) {
  auto r =
      FoldOne{OpKind::Where, 13, {bools({1, 0}, Shape{2, 1}), f32({1, 2, 3}), f32({9}, Shape{})}}
          .result();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->shape(), (Shape{2, 3}));
  EXPECT_EQ(r->to_double(), (std::vector<double>{1, 2, 3, 9, 9, 9}));
}

TEST(FoldCastTest, IntegerCastsWrap) {
  auto u8 = FoldOne{OpKind::Cast, 13, {i64({300, -1, 128})}, to(DType::kUInt8)}.result();
  ASSERT_TRUE(u8);
  EXPECT_EQ(u8->dtype(), DType::kUInt8);
  EXPECT_EQ(u8->to_int64(), (V{44, 255, 128}));
  auto i8 = FoldOne{OpKind::Cast, 13, {i64({300, -1, 128})}, to(DType::kInt8)}.result();
  ASSERT_TRUE(i8);
  EXPECT_EQ(i8->to_int64(), (V{44, -1, -128}));
  auto u32 = FoldOne{OpKind::Cast, 13, {ints(DType::kInt32, {-1})}, to(DType::kUInt32)}.result();
  ASSERT_TRUE(u32);
  EXPECT_EQ(u32->to_int64(), (V{4294967295LL}));
}

TEST(FoldCastTest, FloatsTruncateAndBoolsAreZeroOrNot) {
  auto i32 = FoldOne{OpKind::Cast, 13, {f32({2.7, -2.7, 0.5})}, to(DType::kInt32)}.result();
  ASSERT_TRUE(i32);
  EXPECT_EQ(i32->to_int64(), (V{2, -2, 0}));
  auto b = FoldOne{OpKind::Cast, 13, {f32({0, 0.5, -0.0, NAN})}, to(DType::kBool)}.result();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->to_int64(), (V{0, 1, 0, 1}));
  auto back = FoldOne{OpKind::Cast, 13, {bools({1, 0})}, to(DType::kFloat32)}.result();
  ASSERT_TRUE(back);
  EXPECT_EQ(back->to_double(), (std::vector<double>{1, 0}));
  // 2049 is not a float16: it rounds to even, 2048.
  auto half = FoldOne{OpKind::Cast, 13, {i64({2049, 3})}, to(DType::kFloat16)}.result();
  ASSERT_TRUE(half);
  EXPECT_EQ(half->to_double(), (std::vector<double>{2048, 3}));
  auto wide = FoldOne{OpKind::Cast, 13, {f32({0.1})}, to(DType::kFloat64)}.result();
  ASSERT_TRUE(wide);
  EXPECT_EQ(wide->to_double(), (std::vector<double>{static_cast<double>(0.1f)}));
}

TEST(FoldCastTest, UnsupportedTargetsAndOldFormsAreNotFolded) {
  EXPECT_FALSE((FoldOne{OpKind::Cast, 13, {i64({1})}, to(DType::kString)}.result()));
  // Cast-1 named the type with a string.
  EXPECT_FALSE(
      (FoldOne{OpKind::Cast, 1, {i64({1})}, attrs({{"to", std::string("FLOAT")}})}.result()));
}

TEST(FoldCastTest, CastLikeTakesTheSecondInputsDtype) {
  auto r = FoldOne{OpKind::CastLike, 15, {i64({3, -4}), f32({0})}}.result();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->dtype(), DType::kFloat32);
  EXPECT_EQ(r->to_double(), (std::vector<double>{3, -4}));
}

}  // namespace
}  // namespace ramiel::passes
