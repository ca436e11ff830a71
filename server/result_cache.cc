#include "server/result_cache.h"

#include "core/support/sha256.h"

namespace ramiel::server {

std::string cache_key(std::string_view model_sha256, std::string_view canonical_options,
                      std::string_view compiler_version) {
  // Length-prefixed fields, so that no two different triples hash the same text.
  Sha256 hash;
  for (std::string_view part : {model_sha256, canonical_options, compiler_version}) {
    hash.update(std::to_string(part.size()));
    hash.update(":");
    hash.update(part);
  }
  return hash.hex_digest();
}

ResultCache::ResultCache(int64_t memory_bytes, std::unique_ptr<DiskCache> disk, Metrics* metrics,
                         std::unique_ptr<SharedCache> shared)
    : memory_(memory_bytes, metrics), disk_(std::move(disk)), shared_(std::move(shared)) {}

std::optional<CachedResult> ResultCache::get_from_memory(const std::string& key) {
  return memory_.get(key);
}

std::optional<CachedResult> ResultCache::get_from_disk_or_shared(const std::string& key) {
  auto found = disk_->get(key);
  if (!found && shared_ != nullptr) {
    found = shared_->get(key);
    // A failed disk write only costs this replica another trip to Redis later.
    if (found) (void)disk_->put(key, **found);
  }
  if (found) memory_.put(key, *found);
  return found;
}

Status ResultCache::put(const std::string& key, CachedResult value) {
  memory_.put(key, value);
  Status stored = disk_->put(key, *value);
  if (shared_ != nullptr) shared_->put(key, std::move(value));
  return stored;
}

}  // namespace ramiel::server
