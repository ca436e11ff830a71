// Python spellings of literals: floats that round-trip exactly, strings quoted as ASCII.
#pragma once

#include <string>
#include <string_view>

namespace ramiel::codegen::py {

// Python's repr() of a double: the shortest digits that read back as the same double, in
// fixed notation for exponents -4..16 and scientific otherwise ("0.1", "100.0", "1e-05",
// "1e+16"). Infinities and NaN, which have no literal, are spelled `float("inf")` and so on.
std::string format_double(double value);

// The shortest spelling that reads back (as a Python float, then rounded to float32) as exactly
// `value`: "0.1" for 0.1f. Falls back to the double's spelling in the rare cases where rounding
// twice would land elsewhere.
std::string format_float32(float value);

// A double-quoted Python string literal whose source is pure ASCII: quotes, backslashes and
// control characters are escaped; other characters become \x, \u or \U escapes of their code
// point (bytes that are not UTF-8 become \udcXX, Python's surrogateescape spelling).
std::string quote_string(std::string_view utf8);

}  // namespace ramiel::codegen::py
