// SharedCache and ResultCache's shared tier against a real redis-server on loopback.
#include "server/shared_cache.h"

#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server/cache_entry.h"
#include "server/result_cache.h"
#include "tests/server/log_lines.h"
#include "tests/server/metric_reader.h"
#include "tests/server/redis_server_process.h"
#include "tests/server/test_results.h"

namespace ramiel::server {
namespace {

using std::chrono::milliseconds;
using testing::events_in;
using testing::key_for;
using testing::metric_value;
using testing::RedisServerProcess;
using testing::response_with;
using testing::TempDir;

SharedCacheConfig config_for(int port, milliseconds backoff = milliseconds(50)) {
  SharedCacheConfig config;
  config.endpoint.host = "127.0.0.1";
  config.endpoint.port = port;
  config.connection.timeout = milliseconds(500);
  config.ttl = std::chrono::seconds(3600);
  config.initial_backoff = backoff;
  config.max_backoff = backoff * 2;
  return config;
}

CachedResult result_for(int n, const std::string& body = "program") {
  return std::make_shared<const v1::CompileResponse>(response_with(key_for(n), body));
}

// A direct connection, to look at and tamper with what the cache stored.
std::unique_ptr<RedisConnection> direct(int port) {
  RedisEndpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = port;
  auto connection = RedisConnection::open(endpoint, {});
  EXPECT_TRUE(connection.ok());
  return std::move(connection.value());
}

double errors(const Metrics& metrics, const std::string& operation, const std::string& reason) {
  return metric_value(*metrics.registry(), "ramiel_shared_cache_errors_total",
                      {{"operation", operation}, {"reason", reason}});
}
double all_errors(const Metrics& metrics) {
  return metric_value(*metrics.registry(), "ramiel_shared_cache_errors_total");
}
double requests(const Metrics& metrics, const std::string& result) {
  return metric_value(*metrics.registry(), "ramiel_shared_cache_requests_total",
                      {{"result", result}});
}

TEST(SharedCache, AResultOneReplicaPutsIsServedToAnother) {
  RedisServerProcess redis;
  Metrics writer_metrics("test"), reader_metrics("test");
  SharedCache writer(config_for(redis.port()), &writer_metrics, nullptr);
  SharedCache reader(config_for(redis.port()), &reader_metrics, nullptr);
  writer.start();
  EXPECT_FALSE(reader.get(key_for(1)).has_value());
  const CachedResult value = result_for(1);
  writer.put(key_for(1), value);
  writer.wait_until_idle();
  const auto found = reader.get(key_for(1));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ((*found)->SerializeAsString(), value->SerializeAsString());
  EXPECT_EQ(requests(reader_metrics, "hit"), 1);
  EXPECT_EQ(requests(reader_metrics, "miss"), 1);
  EXPECT_EQ(metric_value(*writer_metrics.registry(), "ramiel_shared_cache_latency_seconds",
                         {{"operation", "put"}}),
            1);
  EXPECT_EQ(metric_value(*reader_metrics.registry(), "ramiel_shared_cache_available"), 1);
  EXPECT_EQ(all_errors(writer_metrics) + all_errors(reader_metrics), 0);
  // Stored under the versioned key, in the disk entry format, with the configured expiry.
  auto redis_cli = direct(redis.port());
  const std::string redis_key = "ramiel:v1:" + key_for(1);
  EXPECT_EQ(redis_cli->command({"GET", redis_key}).value().text, encode_cache_entry(*value));
  const long long ttl = redis_cli->command({"TTL", redis_key}).value().integer;
  EXPECT_GT(ttl, 3500);
  EXPECT_LE(ttl, 3600);
}

TEST(SharedCache, DamagedOrForeignEntriesAreMissesCountedLoggedAndDeleted) {
  RedisServerProcess redis;
  Metrics metrics("test");
  std::ostringstream log_text;
  RequestLog log(log_text, true);
  SharedCache cache(config_for(redis.port()), &metrics, &log);
  auto redis_cli = direct(redis.port());
  std::string flipped = encode_cache_entry(*result_for(2, std::string(300, 'p')));
  flipped[200] ^= 1;  // same size: only the checksum can tell
  const std::vector<std::pair<std::string, std::string>> planted = {
      {key_for(1), "not a cache entry"},
      {key_for(2), flipped},
      {key_for(3), encode_cache_entry(*result_for(4))},  // whole, but another key's
  };
  for (const auto& [key, value] : planted) {
    ASSERT_TRUE(redis_cli->command({"SET", shared_cache_redis_key(key), value}).ok());
  }
  for (const auto& [key, value] : planted) {
    EXPECT_FALSE(cache.get(key).has_value()) << key;
    EXPECT_EQ(redis_cli->command({"EXISTS", shared_cache_redis_key(key)}).value().integer, 0);
  }
  EXPECT_EQ(errors(metrics, "get", "corrupt"), 3);
  EXPECT_EQ(requests(metrics, "miss"), 3);
  EXPECT_EQ(requests(metrics, "hit"), 0);
  const auto dropped = events_in(log_text, "cache_entry_dropped");
  ASSERT_EQ(dropped.size(), 3u);
  EXPECT_EQ(dropped[0]["tier"], "shared");
  // A corrupt entry is not an outage.
  EXPECT_TRUE(cache.available());
  EXPECT_TRUE(events_in(log_text, "shared_cache_unavailable").empty());
}

TEST(SharedCache, AnOutageCostsOneErrorPerBackoffPeriodNotOnePerRequest) {
  auto redis = std::make_unique<RedisServerProcess>();
  Metrics metrics("test");
  std::ostringstream log_text;
  RequestLog log(log_text, true);
  SharedCache cache(config_for(redis->port(), std::chrono::hours(1)), &metrics, &log);
  EXPECT_FALSE(cache.get(key_for(1)).has_value());
  EXPECT_TRUE(cache.available());
  redis.reset();
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(cache.get(key_for(i)).has_value());
    cache.put(key_for(i), result_for(i));
  }
  cache.start();
  cache.wait_until_idle();
  EXPECT_FALSE(cache.available());
  EXPECT_EQ(all_errors(metrics), 1);  // the first get; everything after was skipped
  EXPECT_EQ(errors(metrics, "connect", "connection"), 1);
  EXPECT_EQ(metric_value(*metrics.registry(), "ramiel_shared_cache_available"), 0);
  const auto down = events_in(log_text, "shared_cache_unavailable");
  ASSERT_EQ(down.size(), 1u);
  EXPECT_EQ(down[0]["reason"], "connection");
  EXPECT_EQ(down[0]["retry_in_ms"], 3600000);
}

TEST(SharedCache, SharingResumesByItselfWhenRedisComesBack) {
  RedisServerProcess redis;
  Metrics metrics("test");
  std::ostringstream log_text;
  RequestLog log(log_text, true);
  SharedCache cache(config_for(redis.port()), &metrics, &log);
  cache.start();
  cache.put(key_for(1), result_for(1));
  cache.wait_until_idle();
  ASSERT_TRUE(cache.get(key_for(1)).has_value());
  redis.stop();
  EXPECT_FALSE(cache.get(key_for(1)).has_value());
  EXPECT_FALSE(cache.available());
  redis.start();  // same port, empty (no persistence)
  // No request is needed: the writer probes when the back-off period ends.
  for (int i = 0; i < 400 && !cache.available(); ++i) {
    std::this_thread::sleep_for(milliseconds(25));
  }
  ASSERT_TRUE(cache.available());
  cache.put(key_for(2), result_for(2));
  cache.wait_until_idle();
  EXPECT_TRUE(cache.get(key_for(2)).has_value());
  EXPECT_EQ(events_in(log_text, "shared_cache_unavailable").size(), 1u);
  EXPECT_EQ(events_in(log_text, "shared_cache_available").size(), 2u);  // at start, and back
  EXPECT_EQ(metric_value(*metrics.registry(), "ramiel_shared_cache_available"), 1);
}

TEST(SharedCache, AWrongPasswordIsAnAuthErrorAndNothingIsServed) {
  RedisServerProcess redis({"--requirepass", "right"});
  Metrics metrics("test");
  SharedCacheConfig config = config_for(redis.port(), std::chrono::hours(1));
  config.endpoint.password = "wrong";
  SharedCache cache(config, &metrics, nullptr);
  EXPECT_FALSE(cache.get(key_for(1)).has_value());
  EXPECT_FALSE(cache.get(key_for(1)).has_value());
  EXPECT_EQ(errors(metrics, "connect", "auth"), 1);
  EXPECT_FALSE(cache.available());
}

TEST(SharedCache, PutsBeyondTheQueueBoundAreDroppedAndCounted) {
  RedisServerProcess redis;
  Metrics metrics("test");
  SharedCacheConfig config = config_for(redis.port());
  const CachedResult first = result_for(1);
  config.max_pending_put_bytes = static_cast<int64_t>(first->ByteSizeLong());
  SharedCache cache(config, &metrics, nullptr);
  cache.put(key_for(1), first);          // exactly the bound: queued
  cache.put(key_for(2), result_for(2));  // one more byte than the bound allows: dropped
  EXPECT_EQ(errors(metrics, "put", "queue_full"), 1);
  cache.start();  // the writer drains the queue only now
  cache.wait_until_idle();
  auto redis_cli = direct(redis.port());
  EXPECT_EQ(redis_cli->command({"EXISTS", shared_cache_redis_key(key_for(1))}).value().integer, 1);
  EXPECT_EQ(redis_cli->command({"EXISTS", shared_cache_redis_key(key_for(2))}).value().integer, 0);
  // A full queue is not an outage.
  EXPECT_TRUE(cache.available());
}

TEST(SharedCache, AnOversizedValueIsAMissNotAnOutageEvenAsTheProbe) {
  RedisServerProcess redis;
  Metrics metrics("test");
  SharedCacheConfig config = config_for(redis.port());
  config.connection.timeout = milliseconds(100);
  config.connection.max_reply_bytes = 4096;
  SharedCache cache(config, &metrics, nullptr);  // not started: no writer takes the probe
  auto redis_cli = direct(redis.port());
  const std::string fits = encode_cache_entry(*result_for(1, std::string(3000, 's')));
  const std::string too_large = encode_cache_entry(*result_for(2, std::string(5000, 'l')));
  ASSERT_LE(fits.size() + 16, 4096u);
  ASSERT_TRUE(redis_cli->command({"SET", shared_cache_redis_key(key_for(1)), fits}).ok());
  ASSERT_TRUE(redis_cli->command({"SET", shared_cache_redis_key(key_for(2)), too_large}).ok());
  EXPECT_FALSE(cache.get(key_for(2)).has_value());
  EXPECT_EQ(errors(metrics, "get", "too_large"), 1);
  EXPECT_TRUE(cache.available());

  // A Redis that stops answering for a moment: a timeout, then backing off for 50 ms.
  ASSERT_TRUE(redis_cli->command({"CLIENT", "PAUSE", "300", "ALL"}).ok());
  EXPECT_FALSE(cache.get(key_for(1)).has_value());
  EXPECT_EQ(errors(metrics, "get", "timeout"), 1);
  EXPECT_FALSE(cache.available());
  std::this_thread::sleep_for(milliseconds(400));  // past the pause and the back-off
  // The probe meets the oversized value: Redis answered, so sharing goes on.
  EXPECT_FALSE(cache.get(key_for(2)).has_value());
  EXPECT_EQ(errors(metrics, "get", "too_large"), 2);
  EXPECT_TRUE(cache.available());
  EXPECT_TRUE(cache.get(key_for(1)).has_value());
}

TEST(ResultCache, ASharedHitIsPromotedToDiskAndMemory) {
  RedisServerProcess redis;
  TempDir first_dir, second_dir;
  auto open = [&](const TempDir& dir) {
    auto shared = std::make_unique<SharedCache>(config_for(redis.port()), nullptr, nullptr);
    shared->start();
    return std::make_unique<ResultCache>(
        int64_t{1} << 20, DiskCache::open(dir.path(), int64_t{1} << 30, nullptr).value(), nullptr,
        std::move(shared));
  };
  auto first = open(first_dir);
  auto second = open(second_dir);
  ASSERT_TRUE(first->put(key_for(1), result_for(1)).ok());
  first->shared()->wait_until_idle();
  EXPECT_FALSE(second->get_from_memory(key_for(1)).has_value());
  const auto found = second->get_from_disk_or_shared(key_for(1));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ((*found)->files(0).contents(), "program");
  EXPECT_TRUE(second->get_from_memory(key_for(1)).has_value());
  EXPECT_EQ(second->disk().entries(), 1);
  EXPECT_TRUE(second->disk().get(key_for(1)).has_value());
}

}  // namespace
}  // namespace ramiel::server
