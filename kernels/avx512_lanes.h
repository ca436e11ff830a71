// The AVX-512 lane mask the kernels load and store a row's last, partial vector with.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace ramiel::kernels {

// The first min(left, 16) of 16 float lanes (none when nothing is left).
__attribute__((target("avx512f"))) inline __mmask16 lanes_left(int64_t left) {
  return left <= 0 ? 0 : left >= 16 ? 0xffff : static_cast<__mmask16>((1u << left) - 1);
}

}  // namespace ramiel::kernels
