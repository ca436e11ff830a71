#include "core/codegen/python/literals.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>

namespace ramiel::codegen::py {
namespace {

TEST(LiteralsTest, DoublesAreSpelledAsPythonsRepr) {
  // Expected strings are Python 3.11's repr() of the same values.
  EXPECT_EQ(format_double(0.1), "0.1");
  EXPECT_EQ(format_double(1.0), "1.0");
  EXPECT_EQ(format_double(100.0), "100.0");
  EXPECT_EQ(format_double(1e16), "1e+16");
  EXPECT_EQ(format_double(1e15), "1000000000000000.0");
  EXPECT_EQ(format_double(1e-5), "1e-05");
  EXPECT_EQ(format_double(0.0001), "0.0001");
  EXPECT_EQ(format_double(123456789.123), "123456789.123");
  EXPECT_EQ(format_double(-2.5), "-2.5");
  EXPECT_EQ(format_double(5e-324), "5e-324");
  EXPECT_EQ(format_double(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(format_double(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(format_double(9007199254740992.0), "9007199254740992.0");
  EXPECT_EQ(format_double(1e22), "1e+22");
  EXPECT_EQ(format_double(1e-7), "1e-07");
  EXPECT_EQ(format_double(12345.678), "12345.678");
}

TEST(LiteralsTest, SpecialValuesHaveValidSpellings) {
  EXPECT_EQ(format_double(0.0), "0.0");
  EXPECT_EQ(format_double(-0.0), "-0.0");
  EXPECT_EQ(format_double(std::numeric_limits<double>::infinity()), "float(\"inf\")");
  EXPECT_EQ(format_double(-std::numeric_limits<double>::infinity()), "-float(\"inf\")");
  EXPECT_EQ(format_double(std::nan("")), "float(\"nan\")");
  EXPECT_EQ(format_float32(-std::numeric_limits<float>::infinity()), "-float(\"inf\")");
}

TEST(LiteralsTest, Float32UsesItsOwnShortestSpelling) {
  EXPECT_EQ(format_float32(0.1f), "0.1");
  EXPECT_EQ(format_float32(1e-5f), "1e-05");
  EXPECT_EQ(format_float32(16777216.0f), "16777216.0");
  EXPECT_EQ(format_float32(std::numeric_limits<float>::max()), "3.4028235e+38");
  EXPECT_EQ(format_float32(std::numeric_limits<float>::denorm_min()), "1e-45");
  EXPECT_EQ(format_float32(1.67326319217681884765625f), "1.6732632");
}

TEST(LiteralsTest, EveryDoubleRoundTripsExactly) {
  std::mt19937_64 random(42);
  for (int i = 0; i < 200000; ++i) {
    uint64_t bits = random();
    double value;
    std::memcpy(&value, &bits, sizeof(value));
    if (!std::isfinite(value)) continue;
    const std::string text = format_double(value);
    ASSERT_EQ(std::strtod(text.c_str(), nullptr), value) << text;
    ASSERT_TRUE(text.find('.') != std::string::npos || text.find('e') != std::string::npos) << text;
  }
}

TEST(LiteralsTest, EveryFloat32RoundTripsThroughAPythonFloat) {
  std::mt19937 random(7);
  for (int i = 0; i < 200000; ++i) {
    uint32_t bits = random();
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    if (!std::isfinite(value)) continue;
    const std::string text = format_float32(value);
    // Python reads a double, torch rounds it to float32.
    ASSERT_EQ(static_cast<float>(std::strtod(text.c_str(), nullptr)), value) << text;
  }
}

TEST(LiteralsTest, StringsAreQuotedAsAscii) {
  EXPECT_EQ(quote_string("plain"), "\"plain\"");
  EXPECT_EQ(quote_string("a\"b\\c\n\t\x01\x7f"), "\"a\\\"b\\\\c\\n\\t\\x01\\x7f\"");
  EXPECT_EQ(quote_string("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), "\"\\xe9\\u20ac\\U0001f600\"");
  // Bytes that are not UTF-8 keep their value through Python's surrogateescape spelling.
  EXPECT_EQ(quote_string("a\xff"), "\"a\\udcff\"");
  EXPECT_EQ(quote_string("\xe2\x82"), "\"\\udce2\\udc82\"");
}

}  // namespace
}  // namespace ramiel::codegen::py
