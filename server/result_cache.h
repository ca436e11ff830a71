// ResultCache: the cache tiers together, memory in front of disk in front of the optional shared
// (Redis) tier, keyed by cache_key().
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/disk_cache.h"
#include "server/memory_cache.h"
#include "server/shared_cache.h"

namespace ramiel::server {

// sha256 of the model's sha256, the canonical option text and the compiler version: a result is
// reused only for the same bytes, compiled the same way, by the same compiler.
std::string cache_key(std::string_view model_sha256, std::string_view canonical_options,
                      std::string_view compiler_version);

class ResultCache {
 public:
  // `shared` may be null: no shared tier.
  ResultCache(int64_t memory_bytes, std::unique_ptr<DiskCache> disk, Metrics* metrics,
              std::unique_ptr<SharedCache> shared = nullptr);

  // Never blocks on I/O: for request handlers.
  std::optional<CachedResult> get_from_memory(const std::string& key);
  // Reads and verifies the disk entry, then on a miss the shared one, and promotes what it finds
  // to the tiers in front: for the I/O threads.
  std::optional<CachedResult> get_from_disk_or_shared(const std::string& key);
  // Stores in memory and on disk, then queues the write to the shared tier (never waited for); a
  // failed disk write leaves the result in memory and is returned.
  Status put(const std::string& key, CachedResult value);

  MemoryCache& memory() { return memory_; }
  DiskCache& disk() { return *disk_; }
  SharedCache* shared() { return shared_.get(); }

 private:
  MemoryCache memory_;
  std::unique_ptr<DiskCache> disk_;
  std::unique_ptr<SharedCache> shared_;
};

}  // namespace ramiel::server
