#include "core/support/file_contents.h"

#include <fstream>
#include <sstream>

namespace ramiel {

std::optional<std::string> file_contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace ramiel
