#include "server/cache_files.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace ramiel::server {
namespace fs = std::filesystem;
namespace {

FileError error_for(const std::string& step, const fs::path& path, int error_number) {
  return {error_number, step + " " + path.string() + ": " + std::strerror(error_number)};
}

// Closes the descriptor on every path out of a function.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Closes now, reporting the error a deferred write may surface only here.
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

std::optional<FileError> write_all(int fd, std::string_view bytes, const fs::path& path) {
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return error_for("cannot write", path, errno);
    }
    written += static_cast<size_t>(n);
  }
  return std::nullopt;
}

bool process_is_alive(pid_t pid) {
  // EPERM: it exists but belongs to someone else.
  return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

// The process id in "<key>.<pid>.<counter>.tmp"; nullopt for any other name.
std::optional<pid_t> temp_file_writer(std::string_view name) {
  constexpr std::string_view kSuffix = ".tmp";
  if (!name.ends_with(kSuffix)) return std::nullopt;
  name.remove_suffix(kSuffix.size());
  const size_t counter_dot = name.rfind('.');
  if (counter_dot == std::string_view::npos) return std::nullopt;
  name = name.substr(0, counter_dot);
  const size_t pid_dot = name.rfind('.');
  if (pid_dot == std::string_view::npos) return std::nullopt;
  const std::string_view digits = name.substr(pid_dot + 1);
  pid_t pid = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (error != std::errc() || end != digits.data() + digits.size() || pid <= 0) {
    return std::nullopt;
  }
  return pid;
}

}  // namespace

FileSyncCalls FileSyncCalls::system() {
  return {[](int fd) { return ::fsync(fd); },
          [](const char* from, const char* to) { return ::rename(from, to); }};
}

std::optional<FileError> sync_directory(const fs::path& dir, const FileSyncCalls& calls) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return error_for("cannot open directory", dir, errno);
  if (calls.fsync(fd.get()) != 0) return error_for("cannot sync directory", dir, errno);
  return std::nullopt;
}

std::optional<FileError> write_file_durably(const fs::path& temp_path, const fs::path& final_path,
                                            std::string_view bytes, const FileSyncCalls& calls,
                                            const fs::path& new_directory) {
  FileDescriptor fd(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return error_for("cannot create", temp_path, errno);
  // Not fatal if unsupported: the process id in the name still protects a live writer's file.
  (void)::flock(fd.get(), LOCK_EX | LOCK_NB);
  auto before_rename = [&]() -> std::optional<FileError> {
    if (auto error = write_all(fd.get(), bytes, temp_path)) return error;
    if (calls.fsync(fd.get()) != 0) return error_for("cannot sync", temp_path, errno);
    if (calls.rename(temp_path.c_str(), final_path.c_str()) != 0) {
      return error_for("cannot rename into", final_path, errno);
    }
    return std::nullopt;
  };
  if (auto error = before_rename()) {
    ::unlink(temp_path.c_str());
    return error;
  }
  // Without these the rename itself may not survive a power loss.
  std::optional<FileError> error = sync_directory(final_path.parent_path(), calls);
  if (!error && !new_directory.empty()) error = sync_directory(new_directory.parent_path(), calls);
  if (!error && fd.close() != 0) error = error_for("cannot close", final_path, errno);
  if (error) error->entry_in_place = true;
  return error;
}

std::string temp_file_name(std::string_view key, pid_t pid, uint64_t counter) {
  return std::string(key) + "." + std::to_string(pid) + "." + std::to_string(counter) + ".tmp";
}

bool is_abandoned_temp_file(const fs::path& path, fs::file_time_type now) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return false;  // gone already, or not ours to judge
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) return false;
  std::error_code error;
  const auto modified = fs::last_write_time(path, error);
  if (!error && now - modified > kAbandonedTempFileAge) return true;
  const auto writer = temp_file_writer(path.filename().string());
  return !writer || *writer == ::getpid() || !process_is_alive(*writer);
}

}  // namespace ramiel::server
