// Evaluators of the shape family: Shape, Size, Reshape, Flatten, Squeeze, Unsqueeze, Identity.
#include <gtest/gtest.h>

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

TEST(FoldShapeTest, ShapeAndSizeOfConstants) {
  auto shape = FoldOne{OpKind::Shape, 13, {f32({1, 2, 3, 4, 5, 6}, Shape{2, 3})}}.result();
  ASSERT_TRUE(shape);
  EXPECT_EQ(shape->dtype(), DType::kInt64);
  EXPECT_EQ(shape->to_int64(), (std::vector<int64_t>{2, 3}));
  auto size = FoldOne{OpKind::Size, 13, {f32({1, 2, 3, 4, 5, 6}, Shape{2, 3})}}.result();
  ASSERT_TRUE(size);
  EXPECT_EQ(size->shape(), Shape{});
  EXPECT_EQ(size->to_int64(), (std::vector<int64_t>{6}));
}

TEST(FoldShapeTest, ShapeStartEndClampFromOpset15) {
  const ir::Tensor x = f32(std::vector<double>(24, 0), Shape{2, 3, 4});
  auto sliced =
      FoldOne{OpKind::Shape, 15, {x}, attrs({{"start", int64_t{-2}}, {"end", int64_t{99}}})}
          .result();
  ASSERT_TRUE(sliced);
  EXPECT_EQ(sliced->to_int64(), (std::vector<int64_t>{3, 4}));
  auto empty =
      FoldOne{OpKind::Shape, 15, {x}, attrs({{"start", int64_t{2}}, {"end", int64_t{1}}})}.result();
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->shape(), Shape{0});
  // Without them (the only form before opset 15, whose schema refuses them), the whole shape.
  auto whole = FoldOne{OpKind::Shape, 13, {x}}.result();
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->to_int64(), (std::vector<int64_t>{2, 3, 4}));
}

TEST(FoldShapeTest, ReshapeZeroCopiesAndMinusOneInfers) {
  const ir::Tensor x = i64({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Shape{2, 3, 2});
  auto r = FoldOne{OpKind::Reshape, 13, {x, i64({0, -1})}}.result();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->shape(), (Shape{2, 6}));
  EXPECT_EQ(r->to_int64(), x.to_int64());
  // Incompatible sizes and two -1 are not folded.
  EXPECT_FALSE((FoldOne{OpKind::Reshape, 13, {x, i64({5, -1})}}.result()));
  EXPECT_FALSE((FoldOne{OpKind::Reshape, 13, {x, i64({-1, -1})}}.result()));
}

TEST(FoldShapeTest, ReshapeAllowZeroFromOpset14) {
  const ir::Tensor empty = i64({}, Shape{0, 3});
  // allowzero=1: 0 is a real zero-sized dim.
  auto zero = FoldOne{OpKind::Reshape, 14, {empty, i64({3, 0})}, attrs({{"allowzero", int64_t{1}}})}
                  .result();
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->shape(), (Shape{3, 0}));
  // allowzero=0: 0 copies the input dim (0), then 3 -> [0, 3].
  auto copy = FoldOne{OpKind::Reshape, 14, {empty, i64({0, 3})}}.result();
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->shape(), (Shape{0, 3}));
  // Without allowzero (the only form before opset 14): [3, 0] copies dim 1 (3) -> [3, 3],
  // 9 != 0 elements.
  EXPECT_FALSE((FoldOne{OpKind::Reshape, 13, {empty, i64({3, 0})}}.result()));
}


TEST(FoldShapeTest, FlattenAroundAnAxis) {
  const ir::Tensor x = i64(std::vector<int64_t>(24, 7), Shape{2, 3, 4});
  auto f = FoldOne{OpKind::Flatten, 13, {x}, attrs({{"axis", int64_t{-1}}})}.result();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->shape(), (Shape{6, 4}));
  auto zero = FoldOne{OpKind::Flatten, 13, {x}, attrs({{"axis", int64_t{0}}})}.result();
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->shape(), (Shape{1, 24}));
  auto def = FoldOne{OpKind::Flatten, 13, {x}}.result();
  ASSERT_TRUE(def);
  EXPECT_EQ(def->shape(), (Shape{2, 12}));
}

TEST(FoldShapeTest, UnsqueezeAxesAttributeBefore13InputFrom13) {
  const ir::Tensor x = i64({1, 2, 3}, Shape{3});
  auto v11 =
      FoldOne{OpKind::Unsqueeze, 11, {x}, attrs({{"axes", std::vector<int64_t>{0, -1}}})}.result();
  ASSERT_TRUE(v11);
  EXPECT_EQ(v11->shape(), (Shape{1, 3, 1}));
  auto v13 = FoldOne{OpKind::Unsqueeze, 13, {x, i64({0, -1})}}.result();
  ASSERT_TRUE(v13);
  EXPECT_EQ(v13->shape(), (Shape{1, 3, 1}));
  EXPECT_EQ(v13->to_int64(), x.to_int64());
  // Repeated axes are invalid.
  EXPECT_FALSE((FoldOne{OpKind::Unsqueeze, 13, {x, i64({0, 0})}}.result()));
}

TEST(FoldShapeTest, SqueezeGivenAxesOrAllOnes) {
  const ir::Tensor x = i64({1, 2, 3}, Shape{1, 3, 1});
  auto all = FoldOne{OpKind::Squeeze, 13, {x}}.result();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->shape(), (Shape{3}));
  auto last = FoldOne{OpKind::Squeeze, 13, {x, i64({-1})}}.result();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->shape(), (Shape{1, 3}));
  auto v11 = FoldOne{OpKind::Squeeze, 11, {x}, attrs({{"axes", std::vector<int64_t>{0}}})}.result();
  ASSERT_TRUE(v11);
  EXPECT_EQ(v11->shape(), (Shape{3, 1}));
  // Squeezing a dim that is not 1 is invalid.
  EXPECT_FALSE((FoldOne{OpKind::Squeeze, 13, {x, i64({1})}}.result()));
}

TEST(FoldShapeTest, IdentityCopies) {
  auto r = FoldOne{OpKind::Identity, 13, {f32({1.5, -2})}}.result();
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, f32({1.5, -2}));
}

}  // namespace
}  // namespace ramiel::passes
