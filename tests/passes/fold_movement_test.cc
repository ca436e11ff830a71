// Evaluators of the movement family: Gather, Concat, Slice, Split, Transpose, Tile, Expand.
#include <gtest/gtest.h>

#include <limits>

#include "tests/passes/pass_test_util.h"

namespace ramiel::passes {
namespace {

using ir::OpKind;
using ir::Shape;
using testing::attrs;
using testing::f32;
using testing::FoldOne;
using testing::i64;
using testing::scalar_i64;
using V = std::vector<int64_t>;

const ir::Tensor kMatrix = i64({1, 2, 3, 4, 5, 6}, Shape{2, 3});

TEST(FoldMovementTest, GatherAlongAnAxisWithNegativeIndices) {
  auto r = FoldOne{OpKind::Gather,
                   13,
                   {kMatrix, i64({0, 2, -1, 0}, Shape{2, 2})},
                   attrs({{"axis", int64_t{1}}})}
               .result();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(r->to_int64(), (V{1, 3, 3, 1, 4, 6, 6, 4}));
  auto row = FoldOne{OpKind::Gather, 13, {kMatrix, scalar_i64(1)}}.result();
  ASSERT_TRUE(row);
  EXPECT_EQ(row->shape(), (Shape{3}));
  EXPECT_EQ(row->to_int64(), (V{4, 5, 6}));
  // Out-of-range indices fail at run time; folding leaves them to it.
  EXPECT_FALSE((FoldOne{OpKind::Gather, 13, {kMatrix, scalar_i64(2)}}.result()));
}

TEST(FoldMovementTest, ConcatOnANegativeAxis) {
  auto r = FoldOne{OpKind::Concat,
                   13,
                   {i64({1, 2}, Shape{2, 1}), i64({3, 4, 5, 6}, Shape{2, 2})},
                   attrs({{"axis", int64_t{-1}}})}
               .result();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->shape(), (Shape{2, 3}));
  EXPECT_EQ(r->to_int64(), (V{1, 3, 4, 2, 5, 6}));
  // Mismatched other dims are invalid; opset 4+ requires the axis.
  EXPECT_FALSE((FoldOne{
      OpKind::Concat, 13, {i64({1, 2}), i64({1, 2}, Shape{1, 2})}, attrs({{"axis", int64_t{0}}})}
                    .result()));
  EXPECT_FALSE((FoldOne{OpKind::Concat, 13, {i64({1}), i64({2})}}.result()));
}

TEST(FoldMovementTest, SliceAttributesBeforeOpset10InputsFrom10) {
  const ir::Tensor x = i64({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto v9 =
      FoldOne{OpKind::Slice, 9, {x}, attrs({{"starts", V{2}}, {"ends", V{-2}}, {"axes", V{0}}})}
          .result();
  ASSERT_TRUE(v9);
  EXPECT_EQ(v9->to_int64(), (V{2, 3, 4, 5, 6, 7}));
  auto v13 = FoldOne{OpKind::Slice, 13, {x, i64({2}), i64({-2}), i64({0})}}.result();
  ASSERT_TRUE(v13);
  EXPECT_EQ(v13->to_int64(), (V{2, 3, 4, 5, 6, 7}));
  // Opset 13 reads inputs only: attributes (which its schema refuses) are not bounds.
  EXPECT_FALSE(
      (FoldOne{OpKind::Slice, 13, {x}, attrs({{"starts", V{2}}, {"ends", V{-2}}})}.result()));
}

TEST(FoldMovementTest, SliceStepsAndClamping) {
  const ir::Tensor x = i64({0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  const int64_t lowest = std::numeric_limits<int64_t>::min();
  auto backwards =
      FoldOne{OpKind::Slice, 13, {x, i64({-1}), i64({lowest}), i64({0}), i64({-2})}}.result();
  ASSERT_TRUE(backwards);
  EXPECT_EQ(backwards->to_int64(), (V{9, 7, 5, 3, 1}));
  auto past_end = FoldOne{OpKind::Slice, 13, {x, i64({8}), i64({1000}), {}, i64({3})}}.result();
  ASSERT_TRUE(past_end);
  EXPECT_EQ(past_end->to_int64(), (V{8}));
  auto empty = FoldOne{OpKind::Slice, 13, {x, i64({5}), i64({2})}}.result();
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->shape(), (Shape{0}));
  const ir::Tensor m = i64({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, Shape{3, 4});
  auto two_d =
      FoldOne{OpKind::Slice, 13, {m, i64({1, 0}), i64({1000, 3}), i64({0, -1}), i64({1, 2})}}
          .result();
  ASSERT_TRUE(two_d);
  EXPECT_EQ(two_d->shape(), (Shape{2, 2}));
  EXPECT_EQ(two_d->to_int64(), (V{4, 6, 8, 10}));
  EXPECT_FALSE((FoldOne{OpKind::Slice, 13, {x, i64({0}), i64({5}), i64({0}), i64({0})}}.result()));
}

TEST(FoldMovementTest, SplitSizesAttributeBefore13InputFrom13) {
  const ir::Tensor x = i64({1, 2, 3, 4});
  auto v11 = FoldOne{OpKind::Split, 11, {x}, attrs({{"split", V{1, 3}}}), 2}.run();
  ASSERT_TRUE(v11);
  EXPECT_EQ((*v11)[0].to_int64(), (V{1}));
  EXPECT_EQ((*v11)[1].to_int64(), (V{2, 3, 4}));
  auto v13 = FoldOne{OpKind::Split, 13, {x, i64({3, 1})}, {}, 2}.run();
  ASSERT_TRUE(v13);
  EXPECT_EQ((*v13)[0].to_int64(), (V{1, 2, 3}));
  EXPECT_EQ((*v13)[1].to_int64(), (V{4}));
  auto even = FoldOne{OpKind::Split, 13, {kMatrix}, attrs({{"axis", int64_t{1}}}), 3}.run();
  ASSERT_TRUE(even);
  EXPECT_EQ((*even)[2].shape(), (Shape{2, 1}));
  EXPECT_EQ((*even)[2].to_int64(), (V{3, 6}));
  EXPECT_FALSE((FoldOne{OpKind::Split, 13, {x, i64({1, 1})}, {}, 2}.run()));
}

TEST(FoldMovementTest, TransposeDefaultReversesAxes) {
  auto r = FoldOne{OpKind::Transpose, 13, {kMatrix}}.result();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->shape(), (Shape{3, 2}));
  EXPECT_EQ(r->to_int64(), (V{1, 4, 2, 5, 3, 6}));
  const ir::Tensor cube = i64({0, 1, 2, 3, 4, 5, 6, 7}, Shape{2, 2, 2});
  auto p = FoldOne{OpKind::Transpose, 13, {cube}, attrs({{"perm", V{1, 2, 0}}})}.result();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->to_int64(), (V{0, 4, 1, 5, 2, 6, 3, 7}));
  EXPECT_FALSE((FoldOne{OpKind::Transpose, 13, {cube}, attrs({{"perm", V{0, 0, 1}}})}.result()));
}

TEST(FoldMovementTest, TileAndExpand) {
  auto tile = FoldOne{OpKind::Tile, 13, {i64({1, 2}, Shape{1, 2}), i64({2, 2})}}.result();
  ASSERT_TRUE(tile);
  EXPECT_EQ(tile->shape(), (Shape{2, 4}));
  EXPECT_EQ(tile->to_int64(), (V{1, 2, 1, 2, 1, 2, 1, 2}));
  auto expand = FoldOne{OpKind::Expand, 13, {i64({1, 2, 3}, Shape{3, 1}), i64({2, 1, 2})}}.result();
  ASSERT_TRUE(expand);
  EXPECT_EQ(expand->shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(expand->to_int64(), (V{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
  EXPECT_FALSE((FoldOne{OpKind::Expand, 13, {i64({1, 2, 3}), i64({2})}}.result()));
  // Byte copies keep floats exact.
  auto floats = FoldOne{OpKind::Tile, 13, {f32({0.1}), i64({3})}}.result();
  ASSERT_TRUE(floats);
  EXPECT_EQ(*floats, f32({0.1, 0.1, 0.1}));
}

TEST(FoldMovementTest, ExpandBeyondTheBoundIsNotComputed) {
  FoldOne big{OpKind::Expand, 13, {i64({1}), i64({1000000, 1000000})}};
  EXPECT_FALSE(big.result());
}

TEST(FoldMovementTest, TransposeAndTileBeyondTheBoundAreNotComputed) {
  // Transpose keeps the element count, so only the bound stops a large input's result.
  FoldOne transpose{OpKind::Transpose, 13, {kMatrix}};
  transpose.max_elements = 5;
  EXPECT_FALSE(transpose.result());
  transpose.max_elements = 6;
  EXPECT_TRUE(transpose.result());
  // Repeats whose product overflows int64 are neither computed nor wrapped.
  const int64_t huge = int64_t{1} << 62;
  EXPECT_FALSE((FoldOne{OpKind::Tile, 13, {kMatrix, i64({huge, huge})}}.result()));
  EXPECT_FALSE((FoldOne{OpKind::ConstantOfShape, 13, {i64({huge, huge, 4})}}.result()));
}

TEST(FoldMovementTest, ReshapeToAnOverflowingShapeIsNotFolded) {
  const int64_t huge = int64_t{1} << 62;
  EXPECT_FALSE((FoldOne{OpKind::Reshape, 13, {kMatrix, i64({huge, huge, -1})}}.result()));
  EXPECT_FALSE((FoldOne{OpKind::Reshape, 13, {kMatrix, i64({huge, 4, 0})}}.result()));
}

}  // namespace
}  // namespace ramiel::passes
