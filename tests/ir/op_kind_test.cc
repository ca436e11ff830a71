#include "core/ir/op_kind.h"

#include <gtest/gtest.h>

namespace ramiel::ir {
namespace {

TEST(OpKindTest, NamesRoundTrip) {
  for (size_t i = 0; i < kNumOpKinds; ++i) {
    auto kind = static_cast<OpKind>(i);
    EXPECT_EQ(op_from_name(op_name(kind)), kind) << op_name(kind);
  }
  EXPECT_EQ(op_name(OpKind::Conv), "Conv");
  EXPECT_EQ(op_from_name("MatMul"), OpKind::MatMul);
  EXPECT_EQ(op_from_name("FusedConv"), std::nullopt);
  EXPECT_EQ(op_from_name("conv"), std::nullopt);
}

}  // namespace
}  // namespace ramiel::ir
