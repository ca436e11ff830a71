#include "server/disk_cache.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <vector>

#include "core/support/sha256.h"
#include "server/cache_entry.h"

namespace ramiel::server {
namespace fs = std::filesystem;
namespace {

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
  return is_sha256_hex(key);
}

DiskCache::DiskCache(fs::path dir, int64_t capacity_bytes, Metrics* metrics, RequestLog* log,
                     FileSyncCalls calls)
    : dir_(std::move(dir)),
      capacity_bytes_(capacity_bytes),
      metrics_(metrics),
      log_(log),
      calls_(std::move(calls)) {}

StatusOr<std::unique_ptr<DiskCache>> DiskCache::open(const fs::path& dir, int64_t capacity_bytes,
                                                     Metrics* metrics, RequestLog* log,
                                                     FileSyncCalls calls) {
  std::error_code error;
  const bool created = fs::create_directories(dir / "entries", error);
  if (error)
    return internal_error("cannot create " + (dir / "entries").string() + ": " + error.message());
  // So that entries/, and the entries synced into it later, survive a power loss.
  if (created) (void)sync_directory(dir, calls);
  fs::create_directories(dir / "tmp", error);
  if (error)
    return internal_error("cannot create " + (dir / "tmp").string() + ": " + error.message());
  std::unique_ptr<DiskCache> cache(
      new DiskCache(dir, capacity_bytes, metrics, log, std::move(calls)));
  RAMIEL_RETURN_IF_ERROR(cache->rebuild_index());
  return cache;
}

fs::path DiskCache::path_for(const std::string& key) const {
  return dir_ / "entries" / key.substr(0, 2) / key;
}

void DiskCache::remove_abandoned_temp_files() {
  // Another server sharing the directory may be writing some of them right now.
  std::error_code error;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& item : fs::directory_iterator(dir_ / "tmp", error)) {
    if (is_abandoned_temp_file(item.path(), now)) fs::remove(item.path(), error);
  }
}

Status DiskCache::rebuild_index() {
  remove_abandoned_temp_files();
  std::error_code error;

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
  bool indexed = false;
  {
    std::lock_guard lock(mutex_);
    const auto it = index_.find(key);
    indexed = it != index_.end();
    if (indexed) lru_.splice(lru_.begin(), lru_, it->second.lru_position);
  }
  // Not indexed, the file is still looked for: another server sharing the directory may have
  // written it since this one started.
  const fs::path path = path_for(key);
  std::error_code error;
  const auto size = fs::file_size(path, error);
  std::optional<std::string> bytes;
  if (!error) bytes = read_file(path, size);
  if (!bytes) {  // absent, or deleted behind our back: forget it
    if (!indexed) return std::nullopt;
    std::lock_guard lock(mutex_);
    forget_locked(key);
    publish_locked();
    return std::nullopt;
  }
  auto decoded = decode_cache_entry(*bytes);
  if (!decoded.ok() || decoded->cache_key() != key) {
    fs::remove(path, error);
    if (metrics_ != nullptr) metrics_->count_cache_corruption();
    if (log_ != nullptr) {
      log_->event("cache_entry_dropped",
                  {{"tier", "disk"},
                   {"cache_key", key},
                   {"error", decoded.ok() ? "entry holds another key" : decoded.status().message()},
                   {"message", "a damaged cache entry was deleted and not served"}});
    }
    std::lock_guard lock(mutex_);
    forget_locked(key);
    publish_locked();
    return std::nullopt;
  }
  // Recency survives restarts through the modification time; failure only costs accuracy.
  fs::last_write_time(path, fs::file_time_type::clock::now(), error);
  if (!indexed) {
    std::lock_guard lock(mutex_);
    if (!index_.contains(key)) {
      insert_locked(key, static_cast<int64_t>(bytes->size()));
      evict_locked();
      publish_locked();
    }
  }
  return std::make_shared<const v1::CompileResponse>(std::move(decoded).value());
}

Status DiskCache::put(const std::string& key, const v1::CompileResponse& value) {
  if (!is_cache_key(key)) return invalid_argument("not a cache key: '" + key + "'");
  const std::string bytes = encode_cache_entry(value);
  const auto size = static_cast<int64_t>(bytes.size());
  if (size > capacity_bytes_) return ok_status();  // would evict everything and still not fit

  const fs::path final_path = path_for(key);
  std::error_code error;
  const bool new_directory = fs::create_directories(final_path.parent_path(), error);
  if (error) {
    return store_failed(key, {error.value(), "cannot create " + final_path.parent_path().string() +
                                                 ": " + error.message()});
  }
  const fs::path temp_path =
      dir_ / "tmp" / temp_file_name(key, ::getpid(), temp_counter_.fetch_add(1));
  const auto failure = write_file_durably(temp_path, final_path, bytes, calls_,
                                          new_directory ? final_path.parent_path() : fs::path());
  if (failure && !failure->entry_in_place) return store_failed(key, *failure);
  {
    std::lock_guard lock(mutex_);
    forget_locked(key);
    insert_locked(key, size);
    evict_locked();
    publish_locked();
  }
  return failure ? store_failed(key, *failure) : ok_status();
}

Status DiskCache::store_failed(const std::string& key, const FileError& error) {
  const StoreFailureReason reason = store_failure_reason_for(error.error_number);
  if (metrics_ != nullptr) {
    metrics_->count_cache_store_failure(CacheTier::kDisk, store_failure_reason_name(reason));
  }
  int64_t failures = 0;
  {
    std::lock_guard lock(failures_mutex_);
    failures = failure_throttle_.record(reason, std::chrono::steady_clock::now());
  }
  if (failures > 0 && log_ != nullptr) {
    log_->event("cache_store_failed",
                {{"tier", "disk"},
                 {"reason", store_failure_reason_name(reason)},
                 {"error", error.message},
                 {"cache_key", key},
                 {"failures", failures},
                 {"message", error.entry_in_place
                                 ? "a result was stored but may not survive a crash"
                                 : "compile results are not stored in the disk cache; compiles "
                                   "are still answered"}});
  }
  return internal_error(error.message);
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
