// Checks for programming errors (never for bad input: that is a Status).
#pragma once

#include <cstdio>
#include <cstdlib>

#define RAMIEL_CHECK(cond)                                                                  \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "%s:%d: internal check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)

#define RAMIEL_UNREACHABLE(msg)                                                      \
  do {                                                                               \
    std::fprintf(stderr, "%s:%d: unreachable: %s\n", __FILE__, __LINE__, (msg));     \
    std::abort();                                                                    \
  } while (false)
