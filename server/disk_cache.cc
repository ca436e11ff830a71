#include "server/disk_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "server/cache_entry.h"

namespace ramiel::server {
namespace fs = std::filesystem;
namespace {

Status errno_status(const std::string& what, const fs::path& path) {
  return internal_error(what + " " + path.string() + ": " + std::strerror(errno));
}

// Writes `bytes` to `path` and flushes them to stable storage before returning.
Status write_durably(const fs::path& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status("cannot create", path);
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const Status status = errno_status("cannot write", path);
      ::close(fd);
      return status;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const Status status = errno_status("cannot sync", path);
    ::close(fd);
    return status;
  }
  if (::close(fd) != 0) return errno_status("cannot close", path);
  return ok_status();
}

std::optional<std::string> read_file(const fs::path& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes(limit, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(limit));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

}  // namespace

bool is_cache_key(const std::string& key) {
  return key.size() == 64 && std::all_of(key.begin(), key.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

DiskCache::DiskCache(fs::path dir, int64_t capacity_bytes, Metrics* metrics)
    : dir_(std::move(dir)), capacity_bytes_(capacity_bytes), metrics_(metrics) {}

StatusOr<std::unique_ptr<DiskCache>> DiskCache::open(const fs::path& dir, int64_t capacity_bytes,
                                                     Metrics* metrics) {
  std::error_code error;
  fs::create_directories(dir / "entries", error);
  if (error)
    return internal_error("cannot create " + (dir / "entries").string() + ": " + error.message());
  fs::create_directories(dir / "tmp", error);
  if (error)
    return internal_error("cannot create " + (dir / "tmp").string() + ": " + error.message());
  std::unique_ptr<DiskCache> cache(new DiskCache(dir, capacity_bytes, metrics));
  RAMIEL_RETURN_IF_ERROR(cache->rebuild_index());
  return cache;
}

fs::path DiskCache::path_for(const std::string& key) const {
  return dir_ / "entries" / key.substr(0, 2) / key;
}

Status DiskCache::rebuild_index() {
  std::error_code error;
  // Temporary files belong to writes that never finished.
  for (const auto& item : fs::directory_iterator(dir_ / "tmp", error))
    fs::remove(item.path(), error);

  struct Found {
    fs::file_time_type mtime;
    std::string key;
    int64_t bytes;
  };
  std::vector<Found> found;
  for (const auto& item : fs::recursive_directory_iterator(dir_ / "entries", error)) {
    if (!item.is_regular_file(error)) continue;
    const std::string key = item.path().filename().string();
    const auto prefix = read_file(item.path(), kCacheEntryMaxHeaderBytes);
    const auto expected = prefix ? cache_entry_file_size(*prefix) : std::nullopt;
    const auto actual = static_cast<int64_t>(item.file_size(error));
    if (!is_cache_key(key) || item.path().parent_path().filename() != key.substr(0, 2) ||
        !expected || *expected != actual) {
      fs::remove(item.path(), error);
      if (metrics_ != nullptr) metrics_->count_cache_corruption();
      continue;
    }
    found.push_back({item.last_write_time(error), key, actual});
  }
  if (error) return internal_error("cannot scan " + dir_.string() + ": " + error.message());
  // Oldest first, so that each insertion moves the newer entry to the front.
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return a.mtime != b.mtime ? a.mtime < b.mtime : a.key < b.key;
  });
  std::lock_guard lock(mutex_);
  for (const Found& entry : found) insert_locked(entry.key, entry.bytes);
  evict_locked();
  publish_locked();
  return ok_status();
}

std::optional<CachedResult> DiskCache::get(const std::string& key) {
  if (!is_cache_key(key)) return std::nullopt;
  {
    std::lock_guard lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    lru_.splice(lru_.begin(), lru_, it->second.lru_position);
  }
  const fs::path path = path_for(key);
  std::error_code error;
  const auto size = fs::file_size(path, error);
  std::optional<std::string> bytes;
  if (!error) bytes = read_file(path, size);
  if (!bytes) {  // deleted behind our back: forget it
    std::lock_guard lock(mutex_);
    forget_locked(key);
    publish_locked();
    return std::nullopt;
  }
  auto decoded = decode_cache_entry(*bytes);
  if (!decoded.ok() || decoded->cache_key() != key) {
    fs::remove(path, error);
    if (metrics_ != nullptr) metrics_->count_cache_corruption();
    std::lock_guard lock(mutex_);
    forget_locked(key);
    publish_locked();
    return std::nullopt;
  }
  // Recency survives restarts through the modification time; failure only costs accuracy.
  fs::last_write_time(path, fs::file_time_type::clock::now(), error);
  return std::make_shared<const v1::CompileResponse>(std::move(decoded).value());
}

Status DiskCache::put(const std::string& key, const v1::CompileResponse& value) {
  if (!is_cache_key(key)) return invalid_argument("not a cache key: '" + key + "'");
  const std::string bytes = encode_cache_entry(value);
  const auto size = static_cast<int64_t>(bytes.size());
  if (size > capacity_bytes_) return ok_status();  // would evict everything and still not fit

  const fs::path final_path = path_for(key);
  std::ostringstream temp_name;
  temp_name << key << '.' << ::getpid() << '.' << temp_counter_.fetch_add(1) << ".tmp";
  const fs::path temp_path = dir_ / "tmp" / temp_name.str();
  std::error_code error;
  fs::create_directories(final_path.parent_path(), error);
  if (error) return internal_error("cannot create " + final_path.parent_path().string());
  if (Status status = write_durably(temp_path, bytes); !status.ok()) {
    fs::remove(temp_path, error);
    return status;
  }
  fs::rename(temp_path, final_path, error);
  if (error) {
    fs::remove(temp_path, error);
    return internal_error("cannot rename into " + final_path.string() + ": " + error.message());
  }
  std::lock_guard lock(mutex_);
  forget_locked(key);
  insert_locked(key, size);
  evict_locked();
  publish_locked();
  return ok_status();
}

int64_t DiskCache::size_bytes() const {
  std::lock_guard lock(mutex_);
  return size_bytes_;
}

int64_t DiskCache::entries() const {
  std::lock_guard lock(mutex_);
  return static_cast<int64_t>(index_.size());
}

void DiskCache::insert_locked(const std::string& key, int64_t bytes) {
  lru_.push_front(key);
  index_[key] = Entry{bytes, lru_.begin()};
  size_bytes_ += bytes;
}

void DiskCache::forget_locked(const std::string& key) {
  const auto it = index_.find(key);
  if (it == index_.end()) return;
  size_bytes_ -= it->second.bytes;
  lru_.erase(it->second.lru_position);
  index_.erase(it);
}

void DiskCache::evict_locked() {
  std::error_code error;
  while (size_bytes_ > capacity_bytes_ && !lru_.empty()) {
    const std::string victim = lru_.back();
    fs::remove(path_for(victim), error);
    forget_locked(victim);
    if (metrics_ != nullptr) metrics_->count_cache_eviction(CacheTier::kDisk);
  }
}

void DiskCache::publish_locked() {
  if (metrics_ != nullptr) {
    metrics_->set_cache_size(CacheTier::kDisk, size_bytes_, static_cast<int64_t>(index_.size()));
  }
}

}  // namespace ramiel::server
