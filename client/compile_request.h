// What `ramiel-client compile` was asked to do, parsed from the command line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/driver/compile.h"
#include "core/support/status.h"

namespace ramiel::client {

struct CompileRequest {
  std::filesystem::path model_path;
  std::filesystem::path output_dir;
  std::string server;  // HOST:PORT; empty means --local
  double deadline_seconds = 300;
  double connect_timeout_seconds = 5;  // to connect to the server, before the deadline's retries
  bool quiet = false;
  driver::CompileOptions options;
};

// "NAME=1x3x224x224" -> (NAME, {1, 3, 224, 224}).
StatusOr<std::pair<std::string, ir::Shape>> parse_input_shape(const std::string& text);

// Reads a whole file; NOT_FOUND or INVALID_ARGUMENT naming the path when it cannot.
StatusOr<std::string> read_file(const std::filesystem::path& path);

}  // namespace ramiel::client
