#include "server/memory_cache.h"

namespace ramiel::server {

MemoryCache::MemoryCache(int64_t capacity_bytes, Metrics* metrics)
    : capacity_bytes_(capacity_bytes), metrics_(metrics) {}

std::optional<CachedResult> MemoryCache::get(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->value;
}

void MemoryCache::put(const std::string& key, CachedResult value) {
  // Key and message overhead are counted so that many tiny entries still respect the bound.
  const int64_t bytes = static_cast<int64_t>(value->ByteSizeLong() + key.size() + sizeof(Entry));
  std::lock_guard lock(mutex_);
  if (const auto it = index_.find(key); it != index_.end()) remove_locked(it->second);
  if (bytes > capacity_bytes_) {
    publish_locked();
    return;
  }
  lru_.push_front(Entry{key, std::move(value), bytes});
  index_[key] = lru_.begin();
  size_bytes_ += bytes;
  while (size_bytes_ > capacity_bytes_) {
    remove_locked(std::prev(lru_.end()));
    if (metrics_ != nullptr) metrics_->count_cache_eviction(CacheTier::kMemory);
  }
  publish_locked();
}

void MemoryCache::erase(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (const auto it = index_.find(key); it != index_.end()) {
    remove_locked(it->second);
    publish_locked();
  }
}

int64_t MemoryCache::size_bytes() const {
  std::lock_guard lock(mutex_);
  return size_bytes_;
}

int64_t MemoryCache::entries() const {
  std::lock_guard lock(mutex_);
  return static_cast<int64_t>(lru_.size());
}

void MemoryCache::remove_locked(std::list<Entry>::iterator it) {
  size_bytes_ -= it->bytes;
  index_.erase(it->key);
  lru_.erase(it);
}

void MemoryCache::publish_locked() {
  if (metrics_ != nullptr) {
    metrics_->set_cache_size(CacheTier::kMemory, size_bytes_, static_cast<int64_t>(lru_.size()));
  }
}

}  // namespace ramiel::server
