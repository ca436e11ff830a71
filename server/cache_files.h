// How the disk cache puts an entry on disk so that a crash leaves the whole entry or none of it,
// and which temporary files a crashed writer left behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ramiel::server {

// A step on the cache's files failed: its errno and a message naming the step and the path.
struct FileError {
  int error_number = 0;
  std::string message;
  // The entry was renamed into place before the failure (a directory sync failed): it is whole
  // and readable, only its survival of a power loss is not assured.
  bool entry_in_place = false;
};

// The calls whose failures a test must be able to provoke (no file system fails them on
// demand); everything else is called directly.
struct FileSyncCalls {
  std::function<int(int fd)> fsync;
  std::function<int(const char* from, const char* to)> rename;
  // The real system calls.
  static FileSyncCalls system();
};

// Creates `temp_path` exclusively and holds an flock on it until the end, so that start-up
// cleanup (in this process or another sharing the directory) never deletes it under a live
// writer; writes `bytes`, fsyncs the file, renames it to `final_path`, then fsyncs the directories
// holding the new name: `final_path`'s parent and, when not empty, `new_directory`'s parent (for a
// parent directory the caller has just created). A failure before the rename removes the temp
// file; one after it leaves a complete entry whose durability is not assured.
std::optional<FileError> write_file_durably(const std::filesystem::path& temp_path,
                                            const std::filesystem::path& final_path,
                                            std::string_view bytes, const FileSyncCalls& calls,
                                            const std::filesystem::path& new_directory = {});

// fsync of a directory: makes the names created, renamed or removed in it durable.
std::optional<FileError> sync_directory(const std::filesystem::path& dir,
                                        const FileSyncCalls& calls);

// "<key>.<pid>.<counter>.tmp": the writer's process id lets start-up tell a dead writer's files.
std::string temp_file_name(std::string_view key, pid_t pid, uint64_t counter);

// An unlocked temporary file this old is abandoned whoever wrote it: a live writer holds its
// lock from a moment after creating it until it is renamed.
inline constexpr std::chrono::minutes kAbandonedTempFileAge{10};

// Whether start-up may delete the temporary file at `path`: no writer holds its lock, and its
// name's process id is not a live process, or is this process (which has written nothing yet:
// a server restarted in a container gets the same pid), or cannot be read, or the file is older
// than kAbandonedTempFileAge. A file another live process is writing is kept.
bool is_abandoned_temp_file(const std::filesystem::path& path, std::filesystem::file_time_type now);

}  // namespace ramiel::server
