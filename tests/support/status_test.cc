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

TEST(StatusTest, MessagesAreCappedAtFourKiB) {
  // The case: a 50 MiB string echoed into an error.
  const Status huge = invalid_argument("attribute 'evil' = " + std::string(50 << 20, 'A'));
  EXPECT_LE(huge.message().size(), kMaxStatusMessageBytes);
  EXPECT_EQ(huge.message().rfind("attribute 'evil' = AAAA", 0), 0u);
  EXPECT_NE(huge.message().find("message cut: 52428819 bytes in all"), std::string::npos);
  // Context added to a capped message keeps it capped.
  EXPECT_LE(huge.with_context("node 'n'").message().size(), kMaxStatusMessageBytes);
  const std::string exact(kMaxStatusMessageBytes, 'b');
  EXPECT_EQ(invalid_argument(exact).message(), exact);
}

TEST(StatusTest, MessagesAreValidUtf8WithoutControlCharacters) {
  EXPECT_EQ(invalid_argument("name 'a\xff\xfe" "b\x1b[31m'").message(), "name 'a??b?[31m'");
  EXPECT_EQ(invalid_argument("line\n\tnext").message(), "line\n\tnext");
  EXPECT_EQ(invalid_argument("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80").message(),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(invalid_argument("overlong \xc0\xaf, surrogate \xed\xa0\x80").message(),
            "overlong ??, surrogate ???");
  // A cut never splits a character.
  const Status cut = invalid_argument(std::string(kMaxStatusMessageBytes - 60, 'x') +
                                      std::string(100, '\xe2') );
  EXPECT_LE(cut.message().size(), kMaxStatusMessageBytes);
  const Status euros = invalid_argument(std::string(1, 'x') + [] {
    std::string s;
    for (int i = 0; i < 2000; ++i) s += "\xe2\x82\xac";
    return s;
  }());
  const std::string& m = euros.message();
  ASSERT_LE(m.size(), kMaxStatusMessageBytes);
  const size_t note = m.find(" [... message cut");
  ASSERT_NE(note, std::string::npos);
  EXPECT_EQ((note - 1) % 3, 0u);  // whole three-byte euro signs before the note
}

}  // namespace
}  // namespace ramiel
