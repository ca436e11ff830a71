// Writes a compile's files into the output directory, each atomically (temp file + rename).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "core/support/status.h"

namespace ramiel::client {

Status write_outputs(const std::filesystem::path& dir, const std::map<std::string, std::string>& files);

// A short human summary of schedule.json: model, graph changes, clusters, prediction.
std::string summarize_schedule(const std::string& schedule_json);

}  // namespace ramiel::client
