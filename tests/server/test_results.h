// Small compile responses and temporary directories for the server's unit tests.
#pragma once

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "ramiel/v1/compile_service.pb.h"

namespace ramiel::server::testing {

// A response whose files hold `body` (a predictable size for cache-bound tests).
inline v1::CompileResponse response_with(const std::string& key, const std::string& body) {
  v1::CompileResponse response;
  response.set_cache_key(key);
  response.set_model_sha256(std::string(64, 'a'));
  auto* file = response.add_files();
  file->set_name("model.py");
  file->set_contents(body);
  return response;
}

// "000..0<n>": a valid cache key per small integer.
inline std::string key_for(int n) {
  std::string digits = std::to_string(n);
  return std::string(64 - digits.size(), '0') + digits;
}

// A fresh directory under the system temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("ramiel-server-test-" + std::to_string(random()) + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ramiel::server::testing
