#include "server/shared_cache.h"

#include "core/support/stopwatch.h"
#include "server/cache_entry.h"
#include "server/disk_cache.h"

namespace ramiel::server {
namespace {

using Clock = std::chrono::steady_clock;

// How soon the writer looks again when another thread held the probe it wanted to send.
constexpr std::chrono::milliseconds kProbeRecheck{100};

// An error reply: refused credentials are kAuth (a password changed under a running server),
// anything else kServer.
RedisError error_reply(const RedisReply& reply, const std::string& command) {
  const bool auth = reply.text.starts_with("NOAUTH") || reply.text.starts_with("WRONGPASS");
  return {auth ? RedisFailure::kAuth : RedisFailure::kServer, command + ": " + reply.text};
}

// Entry-level failures; everything else means Redis itself is unwell and is backed off from.
bool is_outage(RedisFailure failure) {
  return failure != RedisFailure::kTooLarge;
}

}  // namespace

StatusOr<SharedCacheConfig> shared_cache_config(const ServerSettings& settings) {
  SharedCacheConfig config;
  RAMIEL_ASSIGN_OR_RETURN(config.endpoint, parse_redis_url(settings.redis));
  if (!settings.redis_password_file.empty()) {
    RAMIEL_ASSIGN_OR_RETURN(config.endpoint.password,
                            read_redis_password_file(settings.redis_password_file));
  }
  if (config.endpoint.tls) {
    auto context = make_redis_tls_context(settings.redis_tls_ca);
    if (!context.ok()) return invalid_argument(context.error().message);
    config.connection.tls = context.value();
  }
  config.connection.timeout = std::chrono::milliseconds(settings.redis_timeout_ms);
  config.ttl = std::chrono::seconds(settings.redis_ttl_seconds);
  return config;
}

std::string shared_cache_redis_key(const std::string& cache_key) {
  return "ramiel:v1:" + cache_key;
}

SharedCache::SharedCache(SharedCacheConfig config, Metrics* metrics, RequestLog* log)
    : config_(std::move(config)),
      metrics_(metrics),
      log_(log),
      backoff_(config_.initial_backoff, config_.max_backoff) {
  if (metrics_ != nullptr) metrics_->set_shared_cache_available(false);
}

void SharedCache::start() {
  if (log_ != nullptr) {
    log_->event("shared_cache", {{"endpoint", config_.endpoint.describe()},
                                 {"authenticated", !config_.endpoint.password.empty()},
                                 {"ttl_seconds", config_.ttl.count()},
                                 {"timeout_ms", config_.connection.timeout.count()}});
  }
  writer_ = std::thread([this] { run_writer(); });
}

SharedCache::~SharedCache() {
  if (!writer_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_all();
  writer_.join();
}

bool SharedCache::available() const {
  std::lock_guard lock(mutex_);
  return backoff_.available();
}

std::unique_ptr<RedisConnection> SharedCache::open_connection() {
  auto opened = RedisConnection::open(config_.endpoint, config_.connection);
  if (!opened.ok()) {
    failed("connect", opened.error());
    return nullptr;
  }
  return std::move(opened.value());
}

std::optional<RedisResult<RedisReply>> SharedCache::call(
    const std::vector<std::string_view>& args, std::unique_ptr<RedisConnection>& connection) {
  {
    std::lock_guard lock(mutex_);
    if (!backoff_.may_try(Clock::now())) return std::nullopt;
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  const bool reused = connection != nullptr;
  if (!reused && (connection = open_connection()) == nullptr) return std::nullopt;
  auto reply = connection->command(args);
  // Closed while it sat idle (a Redis restart, Redis' idle timeout): no outage until a new
  // connection fails too.
  if (!reply.ok() && reused && reply.error().failure == RedisFailure::kConnection) {
    if ((connection = open_connection()) == nullptr) return std::nullopt;
    reply = connection->command(args);
  }
  return reply;
}

void SharedCache::release(std::unique_ptr<RedisConnection> connection) {
  if (connection == nullptr || connection->broken()) return;
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
}

void SharedCache::succeeded() {
  std::lock_guard lock(mutex_);
  if (backoff_.succeeded() != SharedCacheBackoff::Change::kBecameAvailable) return;
  if (metrics_ != nullptr) metrics_->set_shared_cache_available(true);
  if (log_ != nullptr) {
    log_->event("shared_cache_available", {{"endpoint", config_.endpoint.describe()}});
  }
}

void SharedCache::failed(const char* operation, const RedisError& error) {
  if (metrics_ != nullptr) {
    metrics_->count_shared_cache_error(operation, redis_failure_name(error.failure));
  }
  // Redis answered: as far as availability goes, that is a success (and it ends a probe).
  if (!is_outage(error.failure)) return succeeded();
  std::lock_guard lock(mutex_);
  idle_.clear();  // they lead to the same unwell server
  if (backoff_.failed(Clock::now()) != SharedCacheBackoff::Change::kBecameUnavailable) return;
  wake_writer_.notify_all();  // it sleeps without a deadline while Redis is available
  if (metrics_ != nullptr) metrics_->set_shared_cache_available(false);
  if (log_ != nullptr) {
    log_->event("shared_cache_unavailable",
                {{"level", "warning"},
                 {"endpoint", config_.endpoint.describe()},
                 {"operation", operation},
                 {"reason", redis_failure_name(error.failure)},
                 {"error", error.message},
                 {"retry_in_ms",
                  std::chrono::duration_cast<std::chrono::milliseconds>(backoff_.delay()).count()},
                 {"message", "results are cached locally only until Redis answers again"}});
  }
}

std::optional<CachedResult> SharedCache::get(const std::string& key) {
  if (!is_cache_key(key)) return std::nullopt;
  const std::string redis_key = shared_cache_redis_key(key);
  std::unique_ptr<RedisConnection> connection;
  Stopwatch watch;
  auto reply = call({"GET", redis_key}, connection);
  if (!reply) return std::nullopt;
  if (metrics_ != nullptr) metrics_->observe_shared_cache_latency("get", watch.elapsed_ms() / 1000);
  if (!reply->ok()) {
    failed("get", reply->error());
    return std::nullopt;
  }
  const RedisReply& value = reply->value();
  if (value.is_error()) {
    failed("get", error_reply(value, "GET"));
    return std::nullopt;
  }
  if (value.type != RedisReply::Type::kNil && value.type != RedisReply::Type::kString) {
    failed("get", {RedisFailure::kProtocol, "GET answered with neither a string nor nil"});
    return std::nullopt;
  }
  succeeded();
  if (value.type == RedisReply::Type::kNil) {
    release(std::move(connection));
    if (metrics_ != nullptr) metrics_->count_shared_cache_request(/*hit=*/false);
    return std::nullopt;
  }
  auto decoded = decode_cache_entry(value.text);
  if (!decoded.ok() || decoded->cache_key() != key) {
    drop_corrupt_entry(std::move(connection), key,
                       decoded.ok() ? "entry holds another key" : decoded.status().message());
    if (metrics_ != nullptr) metrics_->count_shared_cache_request(/*hit=*/false);
    return std::nullopt;
  }
  release(std::move(connection));
  if (metrics_ != nullptr) metrics_->count_shared_cache_request(/*hit=*/true);
  return std::make_shared<const v1::CompileResponse>(std::move(decoded).value());
}

void SharedCache::drop_corrupt_entry(std::unique_ptr<RedisConnection> connection,
                                     const std::string& key, const std::string& error) {
  if (metrics_ != nullptr) metrics_->count_shared_cache_error("get", "corrupt");
  if (log_ != nullptr) {
    log_->event("cache_entry_dropped",
                {{"tier", "shared"},
                 {"cache_key", key},
                 {"error", error},
                 {"message", "a damaged shared cache entry was deleted and not served"}});
  }
  // Best effort: if the DEL fails, the next reader drops the entry again.
  auto deleted = connection->command({"DEL", shared_cache_redis_key(key)});
  if (deleted.ok() && !deleted.value().is_error()) release(std::move(connection));
}

void SharedCache::put(const std::string& key, CachedResult value) {
  const auto bytes = static_cast<int64_t>(value->ByteSizeLong());
  {
    std::lock_guard lock(mutex_);
    if (pending_bytes_ + bytes <= config_.max_pending_put_bytes) {
      pending_bytes_ += bytes;
      queue_.push_back({key, std::move(value), bytes});
      wake_writer_.notify_one();
      return;
    }
  }
  if (metrics_ != nullptr) metrics_->count_shared_cache_error("put", "queue_full");
}

void SharedCache::write(const PendingPut& put) {
  const std::string entry = encode_cache_entry(*put.value);
  const std::string ttl = std::to_string(config_.ttl.count());
  std::unique_ptr<RedisConnection> connection;
  Stopwatch watch;
  auto reply = call({"SET", shared_cache_redis_key(put.key), entry, "EX", ttl}, connection);
  if (!reply) return;  // skipped while backing off, or connecting failed (counted)
  if (metrics_ != nullptr) metrics_->observe_shared_cache_latency("put", watch.elapsed_ms() / 1000);
  if (!reply->ok()) return failed("put", reply->error());
  if (reply->value().is_error()) return failed("put", error_reply(reply->value(), "SET"));
  succeeded();
  release(std::move(connection));
}

void SharedCache::probe() {
  std::unique_ptr<RedisConnection> connection;
  auto reply = call({"PING"}, connection);
  if (!reply) return;
  if (!reply->ok()) return failed("connect", reply->error());
  if (reply->value().is_error()) return failed("connect", error_reply(reply->value(), "PING"));
  succeeded();
  release(std::move(connection));
}

void SharedCache::run_writer() {
  std::unique_lock lock(mutex_);
  const auto has_work = [this] { return stopping_ || !queue_.empty(); };
  for (;;) {
    if (!queue_.empty()) {
      PendingPut next = std::move(queue_.front());
      queue_.pop_front();
      writing_ = true;
      lock.unlock();
      write(next);
      lock.lock();
      writing_ = false;
      pending_bytes_ -= next.bytes;
      if (queue_.empty()) writer_idle_.notify_all();
      continue;
    }
    if (stopping_) return;
    if (backoff_.available()) {
      wake_writer_.wait(lock, [&] { return has_work() || !backoff_.available(); });
    } else if (Clock::now() < backoff_.retry_at()) {
      wake_writer_.wait_until(lock, backoff_.retry_at(), has_work);
    } else {
      // Without traffic nothing else would notice that Redis is back (or, at start, that it is
      // there at all).
      lock.unlock();
      probe();
      lock.lock();
      if (!backoff_.available()) wake_writer_.wait_for(lock, kProbeRecheck, has_work);
    }
  }
}

void SharedCache::wait_until_idle() {
  std::unique_lock lock(mutex_);
  writer_idle_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

}  // namespace ramiel::server
