// DiskCache: the persistent, size-bounded LRU store of compile results under the cache directory.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/support/status.h"
#include "server/cache_files.h"
#include "server/cache_store_failures.h"
#include "server/cached_result.h"
#include "server/metrics.h"
#include "server/request_log.h"

namespace ramiel::server {

// A disk that stays full logs one line per reason per interval, not one per compile.
inline constexpr std::chrono::seconds kStoreFailureLogInterval{60};

// Entries live at DIR/entries/<key[0:2]>/<key>, written to DIR/tmp first, synced, renamed into
// place and their directory synced (write_file_durably), so a reader or a crash never sees half
// an entry and a stored entry survives a power loss. Every read verifies the entry's checksum; a
// damaged entry is deleted and reported as a miss. The index (sizes and recency) is rebuilt from
// the directory at start-up, recency from file modification times.
class DiskCache {
 public:
  // Creates the directories if needed, removes the temporary files of writers that are gone
  // (is_abandoned_temp_file) and entries whose size contradicts their header, and evicts down to
  // `capacity_bytes`. `metrics` and `log` may be null; `calls` are replaced only by tests.
  static StatusOr<std::unique_ptr<DiskCache>> open(const std::filesystem::path& dir,
                                                   int64_t capacity_bytes, Metrics* metrics,
                                                   RequestLog* log = nullptr,
                                                   FileSyncCalls calls = FileSyncCalls::system());

  // The verified entry; nullopt when absent or corrupt (then it is gone from disk too). A file the
  // index does not know (written by another process sharing the directory) is read, verified and
  // indexed like any other.
  std::optional<CachedResult> get(const std::string& key);
  // Writes durably, then evicts least recently used entries beyond the capacity. A failure (full
  // disk, read-only directory, I/O error) is counted in ramiel_cache_store_failures_total, logged
  // as a "cache_store_failed" line (at most one per reason per kStoreFailureLogInterval, with the
  // number of failures it stands for) and returned; the cache stays usable.
  Status put(const std::string& key, const v1::CompileResponse& value);

  int64_t size_bytes() const;
  int64_t entries() const;
  std::filesystem::path path_for(const std::string& key) const;

 private:
  DiskCache(std::filesystem::path dir, int64_t capacity_bytes, Metrics* metrics, RequestLog* log,
            FileSyncCalls calls);
  Status rebuild_index();
  void remove_abandoned_temp_files();
  Status store_failed(const std::string& key, const FileError& error);
  void insert_locked(const std::string& key, int64_t bytes);
  void forget_locked(const std::string& key);
  void evict_locked();
  void publish_locked();

  struct Entry {
    int64_t bytes;
    std::list<std::string>::iterator lru_position;
  };

  const std::filesystem::path dir_;
  const int64_t capacity_bytes_;
  Metrics* const metrics_;
  RequestLog* const log_;
  const FileSyncCalls calls_;
  std::atomic<uint64_t> temp_counter_{0};
  std::mutex failures_mutex_;
  StoreFailureThrottle failure_throttle_{kStoreFailureLogInterval};
  mutable std::mutex mutex_;
  std::list<std::string> lru_;  // front: most recently used
  std::map<std::string, Entry> index_;
  int64_t size_bytes_ = 0;
};

// True for the 64 lower-case hex characters of a sha256, the only names the cache stores.
bool is_cache_key(const std::string& key);

}  // namespace ramiel::server
