// Overflow-checked int64 arithmetic for sizes computed from untrusted numbers (model dims).
#pragma once

#include <cstdint>
#include <optional>

namespace ramiel {

// a * b, or nullopt when the product does not fit in int64.
inline std::optional<int64_t> checked_mul(int64_t a, int64_t b) {
  int64_t product;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

// a + b, or nullopt when the sum does not fit in int64.
inline std::optional<int64_t> checked_add(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
  return sum;
}

}  // namespace ramiel
