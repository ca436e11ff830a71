// Writes a compile's files into the output directory, each atomically (temp file + rename).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "core/support/status.h"

namespace ramiel::client {

Status write_outputs(const std::filesystem::path& dir, const std::map<std::string, std::string>& files);

// Where an output named `name` is written before it is renamed into place in `dir`.
std::filesystem::path temp_path_for(const std::filesystem::path& dir, const std::string& name);

}  // namespace ramiel::client
