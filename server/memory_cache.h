// MemoryCache: an in-memory LRU of compile results bounded in bytes, in front of the disk store.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "server/cached_result.h"
#include "server/metrics.h"

namespace ramiel::server {

class MemoryCache {
 public:
  // `metrics` may be null (unit tests).
  MemoryCache(int64_t capacity_bytes, Metrics* metrics);

  // The entry for `key`, which becomes the most recently used; nullopt on a miss.
  std::optional<CachedResult> get(const std::string& key);
  // Inserts or replaces; evicts least recently used entries beyond the capacity. An entry larger
  // than the whole capacity is not kept.
  void put(const std::string& key, CachedResult value);
  void erase(const std::string& key);

  int64_t size_bytes() const;
  int64_t entries() const;

 private:
  struct Entry {
    std::string key;
    CachedResult value;
    int64_t bytes;
  };
  void remove_locked(std::list<Entry>::iterator it);
  void publish_locked();

  const int64_t capacity_bytes_;
  Metrics* const metrics_;
  mutable std::mutex mutex_;
  std::list<Entry> lru_;  // front: most recently used
  // Lookup only; never iterated, so hash order cannot leak into any output.
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  int64_t size_bytes_ = 0;
};

}  // namespace ramiel::server
