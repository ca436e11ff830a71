// SharedCache: the Redis tier behind the memory and disk tiers, shared by every replica that
// names the same Redis. Reads are synchronous (on the I/O threads, bounded by the timeout); writes
// go through a bounded queue to a thread of their own, so a slow Redis never delays an answer. An
// outage degrades to local caching: errors are counted, Redis is skipped while backing off, and
// each change of availability is logged once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/support/status.h"
#include "server/cached_result.h"
#include "server/metrics.h"
#include "server/redis_connection.h"
#include "server/redis_endpoint.h"
#include "server/request_log.h"
#include "server/settings.h"
#include "server/shared_cache_backoff.h"

namespace ramiel::server {

struct SharedCacheConfig {
  RedisEndpoint endpoint;  // with the password from --redis-password-file, if any
  RedisConnectionOptions connection;
  std::chrono::seconds ttl{604800};
  // Results waiting to be written, by serialized size; beyond, a put is dropped and counted.
  int64_t max_pending_put_bytes = int64_t{256} << 20;
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};
};

// The configuration `settings` (with a non-empty redis) ask for: parses the URL, reads the
// password file and loads the CA bundle. Errors name the flag.
StatusOr<SharedCacheConfig> shared_cache_config(const ServerSettings& settings);

// "ramiel:v1:<cache key>".
std::string shared_cache_redis_key(const std::string& cache_key);

class SharedCache {
 public:
  // `metrics` and `log` may be null (unit tests). Reads work at once; writes wait for start().
  SharedCache(SharedCacheConfig config, Metrics* metrics, RequestLog* log);
  // Writes what is still queued (skipped while backing off), then stops the writer.
  ~SharedCache();

  // Logs a "shared_cache" line with the settings (never the password) and starts the writer
  // thread, which connects at once so that availability is known and logged. The server calls it
  // after its "listening" line, which comes first.
  void start();
  SharedCache(const SharedCache&) = delete;
  SharedCache& operator=(const SharedCache&) = delete;

  // The verified entry; nullopt on a miss, while backing off, on any error, and for an entry
  // that fails verification (counted, logged and deleted from Redis).
  std::optional<CachedResult> get(const std::string& key);
  // Queues a write-through (SET key entry EX ttl); returns at once.
  void put(const std::string& key, CachedResult value);

  // Tests: waits until the writer has nothing queued or in progress.
  void wait_until_idle();
  bool available() const;

 private:
  struct PendingPut {
    std::string key;
    CachedResult value;
    int64_t bytes;
  };

  // The reply to `args` on an idle connection or a new one, left in `connection`; nullopt while
  // backing off or when connecting failed (counted under `connect`).
  std::optional<RedisResult<RedisReply>> call(const std::vector<std::string_view>& args,
                                              std::unique_ptr<RedisConnection>& connection);
  std::unique_ptr<RedisConnection> open_connection();
  // Keeps a connection that still works for the next operation.
  void release(std::unique_ptr<RedisConnection> connection);
  void succeeded();
  void failed(const char* operation, const RedisError& error);
  void write(const PendingPut& put);
  void probe();
  void run_writer();
  void drop_corrupt_entry(std::unique_ptr<RedisConnection> connection, const std::string& key,
                          const std::string& error);

  const SharedCacheConfig config_;
  Metrics* const metrics_;
  RequestLog* const log_;

  mutable std::mutex mutex_;  // guards everything below
  SharedCacheBackoff backoff_;
  std::vector<std::unique_ptr<RedisConnection>> idle_;
  std::deque<PendingPut> queue_;
  int64_t pending_bytes_ = 0;
  bool writing_ = false;
  bool stopping_ = false;
  std::condition_variable wake_writer_;
  std::condition_variable writer_idle_;
  std::thread writer_;
};

}  // namespace ramiel::server
