// Writes a compile's files into the output directory, each atomically (temp file + rename).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "core/support/status.h"

namespace ramiel::client {

Status write_outputs(const std::filesystem::path& dir, const std::map<std::string, std::string>& files);

}  // namespace ramiel::client
