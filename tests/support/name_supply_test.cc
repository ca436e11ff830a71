#include "core/support/name_supply.h"

#include <gtest/gtest.h>

namespace ramiel {
namespace {

TEST(NameSupplyTest, SuffixesRepeatedNamesAndSkipsReserved) {
  NameSupply names;
  names.reserve("x_1");
  EXPECT_EQ(names.fresh("x"), "x");
  EXPECT_EQ(names.fresh("x"), "x_2");
  EXPECT_EQ(names.fresh("x"), "x_3");
  EXPECT_EQ(names.fresh("y"), "y");
  EXPECT_TRUE(names.taken("x_3"));
  EXPECT_FALSE(names.taken("z"));
}

}  // namespace
}  // namespace ramiel
