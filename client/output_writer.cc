#include "client/output_writer.h"

#include <unistd.h>

#include <fstream>

namespace ramiel::client {

namespace fs = std::filesystem;

fs::path temp_path_for(const fs::path& dir, const std::string& name) {
  return dir / ("." + name + ".tmp" + std::to_string(::getpid()));
}

Status write_outputs(const fs::path& dir, const std::map<std::string, std::string>& files) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) return invalid_argument("cannot create " + dir.string() + ": " + error.message());
  for (const auto& [name, contents] : files) {
    // Names come from the compiler (or a server): never let one escape the directory.
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
      return internal_error("refusing to write an output named '" + name + "'");
    }
    const fs::path target = dir / name;
    const fs::path temp = temp_path_for(dir, name);
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
      if (!out.flush()) return invalid_argument("cannot write " + temp.string());
    }
    fs::rename(temp, target, error);
    if (error) return invalid_argument("cannot write " + target.string() + ": " + error.message());
  }
  return ok_status();
}

}  // namespace ramiel::client
