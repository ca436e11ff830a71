#include "client/compile_request.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ramiel::client {

StatusOr<std::pair<std::string, ir::Shape>> parse_input_shape(const std::string& text) {
  const auto eq = text.rfind('=');
  const std::string usage = "--input-shape expects NAME=DIMxDIMx..., e.g. input=1x3x224x224, not '" + text + "'";
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) return invalid_argument(usage);
  ir::Shape shape;
  std::stringstream dims(text.substr(eq + 1));
  std::string dim;
  while (std::getline(dims, dim, 'x')) {
    if (dim.empty() || dim.find_first_not_of("0123456789") != std::string::npos || dim.size() > 12) {
      return invalid_argument(usage);
    }
    const int64_t size = std::stoll(dim);
    if (size <= 0) return invalid_argument(usage);
    shape.push_back(size);
  }
  return std::make_pair(text.substr(0, eq), shape);
}

StatusOr<std::string> read_file(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return not_found(path.string() + ": no such file");
  if (std::filesystem::is_directory(path, error)) {
    return invalid_argument(path.string() + " is a directory, not a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid_argument(path.string() + ": cannot open: " + std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return invalid_argument(path.string() + ": read failed");
  return bytes.str();
}

}  // namespace ramiel::client
