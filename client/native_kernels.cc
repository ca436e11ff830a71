#include "client/native_kernels.h"

#include <array>

#include "client/output_writer.h"

namespace ramiel::client {

namespace fs = std::filesystem;

namespace {

// CMake passes where `make install` puts the library, relative to where it puts the client.
#ifndef RAMIEL_KERNELS_FROM_BINDIR
#define RAMIEL_KERNELS_FROM_BINDIR "../lib/ramiel"
#endif

bool is_file(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

}  // namespace

StatusOr<std::optional<fs::path>> resolve_kernels(const std::string& setting,
                                                  const fs::path& client_dir) {
  if (setting == "off") return std::optional<fs::path>{};
  if (setting != "auto") {
    if (!is_file(setting))
      return invalid_argument("--kernels: " + setting + " is not a file (or say 'off' or 'auto')");
    return std::optional<fs::path>{fs::absolute(setting)};
  }
  // Installed (PREFIX/bin -> PREFIX/lib/ramiel), then a build tree (BUILD/client -> BUILD/kernels).
  const std::array<fs::path, 2> candidates = {
      client_dir / RAMIEL_KERNELS_FROM_BINDIR / kKernelsFileName,
      client_dir / ".." / "kernels" / kKernelsFileName,
  };
  for (const fs::path& candidate : candidates) {
    if (is_file(candidate)) return std::optional<fs::path>{candidate.lexically_normal()};
  }
  return std::optional<fs::path>{};
}

Status place_kernels(const fs::path& library, const fs::path& dir) {
  const fs::path target = dir / kKernelsFileName;
  const fs::path temp = temp_path_for(dir, kKernelsFileName);
  std::error_code error;
  fs::remove(temp, error);
  fs::create_hard_link(library, temp, error);
  if (error) {  // another file system, or one without links
    error.clear();
    fs::copy_file(library, temp, fs::copy_options::overwrite_existing, error);
    if (error)
      return invalid_argument("cannot copy " + library.string() + " to " + dir.string() + ": " +
                              error.message());
  }
  fs::rename(temp, target, error);
  const std::string failure = error ? error.message() : "";
  // rename() leaves both names when they are links to one file already (a recompile).
  fs::remove(temp, error);
  if (!failure.empty()) return invalid_argument("cannot write " + target.string() + ": " + failure);
  return ok_status();
}

StatusOr<bool> remove_placed_kernels(const fs::path& dir) {
  std::error_code error;
  const bool removed = fs::remove(dir / kKernelsFileName, error);
  if (error)
    return invalid_argument("cannot remove " + (dir / kKernelsFileName).string() + ": " +
                            error.message());
  return removed;
}

fs::path running_executable_dir() {
  std::error_code error;
  fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? fs::path{} : self.parent_path();
}

}  // namespace ramiel::client
