// ResultCache: the two cache tiers together, memory in front of disk, keyed by cache_key().
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/disk_cache.h"
#include "server/memory_cache.h"

namespace ramiel::server {

// sha256 of the model's sha256, the canonical option text and the compiler version: a result is
// reused only for the same bytes, compiled the same way, by the same compiler.
std::string cache_key(std::string_view model_sha256, std::string_view canonical_options,
                      std::string_view compiler_version);

class ResultCache {
 public:
  ResultCache(int64_t memory_bytes, std::unique_ptr<DiskCache> disk, Metrics* metrics);

  // Never blocks on I/O: for request handlers.
  std::optional<CachedResult> get_from_memory(const std::string& key);
  // Reads and verifies the disk entry and promotes it to memory: for the I/O threads.
  std::optional<CachedResult> get_from_disk(const std::string& key);
  // Stores in both tiers; a failed disk write leaves the result in memory and is returned.
  Status put(const std::string& key, CachedResult value);

  MemoryCache& memory() { return memory_; }
  DiskCache& disk() { return *disk_; }

 private:
  MemoryCache memory_;
  std::unique_ptr<DiskCache> disk_;
};

}  // namespace ramiel::server
