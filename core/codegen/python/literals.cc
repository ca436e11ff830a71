#include "core/codegen/python/literals.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "core/support/check.h"

namespace ramiel::codegen::py {
namespace {

// Shortest round-trip digits and decimal exponent of a finite non-zero value, as to_chars'
// scientific form gives them ("1.2345e-07" -> digits "12345", exponent -7).
template <typename T>
void shortest_digits(T value, std::string& digits, int& exponent) {
  char buffer[64];
  auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  RAMIEL_CHECK(result.ec == std::errc());
  std::string_view text(buffer, static_cast<size_t>(result.ptr - buffer));
  size_t e = text.find('e');
  RAMIEL_CHECK(e != std::string_view::npos);
  digits.clear();
  for (char c : text.substr(0, e)) {
    if (c >= '0' && c <= '9') digits += c;
  }
  exponent = std::atoi(std::string(text.substr(e + 1)).c_str());
}

// Lays out digits d1 d2 ... (value = 0.d1d2... * 10^(exponent+1)) the way Python's repr does.
std::string python_layout(bool negative, const std::string& digits, int exponent) {
  std::string out = negative ? "-" : "";
  const int decpt = exponent + 1;  // digits before the decimal point
  const int n = static_cast<int>(digits.size());
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (n > 1) out += "." + digits.substr(1);
    char exp[16];
    std::snprintf(exp, sizeof(exp), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + exp;
  }
  if (decpt <= 0) return out + "0." + std::string(static_cast<size_t>(-decpt), '0') + digits;
  if (decpt >= n) return out + digits + std::string(static_cast<size_t>(decpt - n), '0') + ".0";
  return out + digits.substr(0, static_cast<size_t>(decpt)) + "." +
         digits.substr(static_cast<size_t>(decpt));
}

std::string non_finite(double value) {
  if (std::isnan(value)) return "float(\"nan\")";
  return value > 0 ? "float(\"inf\")" : "-float(\"inf\")";
}

void append_escape(std::string& out, char kind, uint32_t code, int width) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "\\%c%0*x", kind, width, static_cast<unsigned>(code));
  out += buffer;
}

// Decodes one UTF-8 sequence at `text[i]`; returns its length, or 0 if it is not valid UTF-8.
size_t decode_utf8(std::string_view text, size_t i, uint32_t& code) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t b0 = byte(i);
  size_t length = 0;
  uint32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2, code = b0 & 0x1Fu, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3, code = b0 & 0x0Fu, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4, code = b0 & 0x07u, min = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3Fu);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

}  // namespace

std::string format_double(double value) {
  if (!std::isfinite(value)) return non_finite(value);
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  std::string digits;
  int exponent = 0;
  shortest_digits(std::fabs(value), digits, exponent);
  return python_layout(value < 0, digits, exponent);
}

std::string format_float32(float value) {
  if (!std::isfinite(value)) return non_finite(value);
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  std::string digits;
  int exponent = 0;
  shortest_digits(std::fabs(value), digits, exponent);
  std::string text = python_layout(value < 0, digits, exponent);
  // Python reads the text as a double, torch then rounds it to float32: check that both
  // roundings together give the value back.
  if (static_cast<float>(std::strtod(text.c_str(), nullptr)) == value) return text;
  return format_double(static_cast<double>(value));
}

std::string quote_string(std::string_view utf8) {
  std::string out = "\"";
  for (size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<uint8_t>(utf8[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20 || c == 0x7F) {
            append_escape(out, 'x', c, 2);
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    uint32_t code = 0;
    size_t length = decode_utf8(utf8, i, code);
    if (length == 0) {
      append_escape(out, 'u', 0xDC00u | c, 4);
      ++i;
      continue;
    }
    if (code <= 0xFF) {
      append_escape(out, 'x', code, 2);
    } else if (code <= 0xFFFF) {
      append_escape(out, 'u', code, 4);
    } else {
      append_escape(out, 'U', code, 8);
    }
    i += length;
  }
  return out + "\"";
}

}  // namespace ramiel::codegen::py
