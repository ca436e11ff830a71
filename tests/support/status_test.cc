#include "core/support/status.h"

#include <gtest/gtest.h>

namespace ramiel {
namespace {

StatusOr<int> parse_positive(int x) {
  if (x <= 0) return invalid_argument("not positive: " + std::to_string(x));
  return x;
}

StatusOr<int> doubled(int x) {
  RAMIEL_ASSIGN_OR_RETURN(int v, parse_positive(x));
  return 2 * v;
}

Status check_all(int a, int b) {
  RAMIEL_RETURN_IF_ERROR(parse_positive(a).status());
  RAMIEL_RETURN_IF_ERROR(parse_positive(b).status());
  return ok_status();
}

TEST(StatusTest, OkAndErrorsCarryCodeAndMessage) {
  EXPECT_TRUE(ok_status().ok());
  Status s = invalid_argument("bad shape");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.to_string(), "INVALID_ARGUMENT: bad shape");
  EXPECT_EQ(s.with_context("node Conv_1").message(), "node Conv_1: bad shape");
}

TEST(StatusTest, MacrosPropagateTheFirstError) {
  EXPECT_EQ(*doubled(4), 8);
  EXPECT_EQ(doubled(-1).status().message(), "not positive: -1");
  EXPECT_TRUE(check_all(1, 2).ok());
  EXPECT_EQ(check_all(1, -2).message(), "not positive: -2");
}

}  // namespace
}  // namespace ramiel
