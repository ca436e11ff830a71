// Where `ramiel-client compile` finds Ramiel's native operator library (kernels/) to place beside
// model.py: ramiel_runtime.py loads the library it finds beside itself, so a program compiled on
// the machine that runs it gets the native operators without any setting.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/support/status.h"

namespace ramiel::client {

inline constexpr char kKernelsFileName[] = "libramiel_kernels.so";

// --kernels: "auto" (the library installed with this client, or built beside it in a build
// tree; none when neither exists), "off", or the path of a library. `client_dir` is the
// directory of the running ramiel-client. INVALID_ARGUMENT when a named path is not a file.
StatusOr<std::optional<std::filesystem::path>> resolve_kernels(
    const std::string& setting, const std::filesystem::path& client_dir);

// Puts `library` into `dir` as kKernelsFileName, replacing one there atomically: a hard link
// where the file system allows (a program directory per compile then costs no disk), else a copy.
Status place_kernels(const std::filesystem::path& library, const std::filesystem::path& dir);

// Removes a kKernelsFileName an earlier compile placed in `dir`, so that a compile with
// --kernels off leaves a program that runs without it; true when there was one.
StatusOr<bool> remove_placed_kernels(const std::filesystem::path& dir);

// The directory of the running executable (for resolve_kernels).
std::filesystem::path running_executable_dir();

}  // namespace ramiel::client
