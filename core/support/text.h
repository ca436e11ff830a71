// Small string helpers shared by the server and the client (config and credential files).
#pragma once

#include <string_view>

namespace ramiel {

// `text` without leading and trailing spaces, tabs, carriage returns and newlines.
inline std::string_view trim_whitespace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

}  // namespace ramiel
