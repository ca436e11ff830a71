#include "core/ir/tensor.h"

#include "core/ir/attributes.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ramiel::ir {
namespace {

TEST(TensorTest, ConvertsBetweenNumericTypes) {
  Tensor t = Tensor::from_double(DType::kInt32, {2, 2}, {1.9, -1.9, 3, 4});
  EXPECT_EQ(t.to_int64(), (std::vector<int64_t>{1, -1, 3, 4}));  // truncation toward zero
  EXPECT_EQ(t.element_count(), 4);
  EXPECT_EQ(t.raw().size(), 16u);
  Tensor b = Tensor::from_int64(DType::kBool, {3}, {0, 2, -1});
  EXPECT_EQ(b.to_int64(), (std::vector<int64_t>{0, 1, 1}));
  Tensor u = Tensor::from_int64(DType::kUInt8, {1}, {257});
  EXPECT_EQ(u.to_int64(), (std::vector<int64_t>{1}));  // wraps like a C cast
}

TEST(TensorTest, ElementCountsNeverOverflow) {
  EXPECT_EQ(element_count({2, 3, 4}), 24);
  EXPECT_EQ(element_count({}), 1);
  EXPECT_EQ(element_count({0, 5}), 0);
  EXPECT_EQ(element_count({2, kUnknownDim}), std::nullopt);
  // 3 * 6148914691236517206 wraps to 2 in int64 arithmetic: too big to count, not 2.
  EXPECT_EQ(element_count({3, 6148914691236517206}), std::nullopt);
  EXPECT_EQ(element_count({int64_t{1} << 32, int64_t{1} << 32}), std::nullopt);
  // A zero does not make an uncountable shape countable: partial products must fit too.
  EXPECT_EQ(element_count({int64_t{1} << 40, int64_t{1} << 40, 0}), std::nullopt);
  EXPECT_EQ((TensorType{DType::kFloat32, Shape{2, 3}}.byte_size()), 24);
  EXPECT_EQ((TensorType{DType::kComplex128, Shape{int64_t{1} << 61}}.byte_size()), std::nullopt);
  EXPECT_FALSE((TensorType{DType::kFloat32, Shape{3, 6148914691236517206}}.has_static_shape()));
}

TEST(TensorTest, HalfAndBfloat16RoundTrip) {
  for (float v : {0.0f, 1.0f, -2.5f, 65504.0f, 6.1035156e-05f, 5.9604645e-08f}) {
    EXPECT_EQ(half_to_float(float_to_half(v)), v) << v;
  }
  EXPECT_TRUE(std::isinf(half_to_float(float_to_half(1e6f))));
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(NAN))));
  EXPECT_EQ(half_to_float(float_to_half(1.0009765625f)), 1.0009765625f);
  EXPECT_EQ(bfloat16_to_float(float_to_bfloat16(3.0f)), 3.0f);
  Tensor h = Tensor::from_double(DType::kFloat16, {2}, {0.5, -3});
  EXPECT_EQ(h.to_double(), (std::vector<double>{0.5, -3}));
}

TEST(TensorTest, ShapesAndTypes) {
  EXPECT_EQ(element_count({}), 1);
  EXPECT_EQ(element_count({2, 3}), 6);
  EXPECT_EQ(element_count({2, kUnknownDim}), std::nullopt);
  EXPECT_EQ(shape_to_string({1, kUnknownDim, 3}), "1x?x3");
  TensorType t{DType::kFloat16, Shape{1, 3}};
  EXPECT_EQ(t.byte_size(), 6);
  EXPECT_EQ(t.to_string(), "float16[1x3]");
  EXPECT_FALSE((TensorType{DType::kFloat32, std::nullopt}.has_static_shape()));
  Tensor empty = Tensor::without_data(DType::kFloat32, {1000, 1000});
  EXPECT_FALSE(empty.has_data());
  EXPECT_EQ(empty.element_count(), 1000000);
}

TEST(TensorTest, SequencesAndOptionalsAreNeverSizedLikeTensors) {
  TensorType list{DType::kFloat32, Shape{2, 3}, TypeKind::kSequence};
  EXPECT_FALSE(list.is_tensor());
  EXPECT_TRUE(list.is_sequence());
  EXPECT_FALSE(list.has_static_shape());  // its length is a run-time fact
  EXPECT_EQ(list.byte_size(), std::nullopt);
  EXPECT_EQ(list.to_string(), "sequence<float32[2x3]>");
  TensorType maybe{DType::kInt64, Shape{}, TypeKind::kOptionalTensor};
  EXPECT_TRUE(maybe.is_optional());
  EXPECT_EQ(maybe.byte_size(), std::nullopt);
  EXPECT_EQ(maybe.to_string(), "optional<int64[scalar]>");
  EXPECT_EQ((TensorType{DType::kBool, std::nullopt, TypeKind::kOptionalSequence}.to_string()),
            "optional<sequence<bool[?]>>");
  EXPECT_STREQ(type_kind_name(TypeKind::kOptionalSequence), "optional sequence");
}

}  // namespace
}  // namespace ramiel::ir

namespace ramiel::ir {
namespace {

TEST(AttributesTest, FindTensorReturnsTensorAttributesOnly) {
  Attributes a;
  a.set("value", Tensor::from_int64(DType::kInt32, {1}, {7}));
  a.set("axis", int64_t{1});
  ASSERT_NE(a.find_tensor("value"), nullptr);
  EXPECT_EQ(a.find_tensor("value")->to_int64(), (std::vector<int64_t>{7}));
  EXPECT_EQ(a.find_tensor("axis"), nullptr);
  EXPECT_EQ(a.find_tensor("missing"), nullptr);
}

}  // namespace
}  // namespace ramiel::ir
