// A whole file read into memory (configuration, keys, token lists, /proc entries).
#pragma once

#include <optional>
#include <string>

namespace ramiel {

// The file's bytes; nullopt when it cannot be opened. Callers word the error for their flag.
std::optional<std::string> file_contents(const std::string& path);

}  // namespace ramiel
