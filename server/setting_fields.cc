#include "server/setting_fields.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

namespace ramiel::server {
namespace {

using Kind = Limit::Kind;
using S = ServerSettings;

Limit address() {
  return {.kind = Kind::kAddress};
}
Limit optional_address() {
  return {.kind = Kind::kAddress, .optional = true};
}
Limit not_empty() {
  return {.kind = Kind::kNotEmpty};
}
Limit at_least_zero(std::string_view note = {}) {
  return {.kind = Kind::kAtLeastZero, .note = note};
}
Limit positive() {
  return {.kind = Kind::kPositive};
}
Limit zero_or_at_least(int64_t low) {
  return {.kind = Kind::kZeroOrAtLeast, .low = low};
}
Limit one_of(std::span<const std::string_view> choices) {
  return {.kind = Kind::kOneOf, .choices = choices};
}
// The Redis settings are read only with --redis.
bool uses_redis(const ServerSettings& settings) {
  return !settings.redis.empty();
}
Limit redis_between(int64_t low, int64_t high) {
  return {.kind = Kind::kBetween, .low = low, .high = high, .applies = uses_redis};
}

constexpr std::string_view kWorkerFaults[] = {"crash", "oom", "spin"};
// Redis stores the expiry in milliseconds; beyond this EX overflows there.
constexpr int64_t kMaxRedisTtlSeconds = std::numeric_limits<int32_t>::max();
constexpr int64_t kMaxRedisTimeoutMs = 60000;

const std::vector<SettingField>& table() {
  static const std::vector<SettingField> fields = {
      {"listen", "--listen", "gRPC address HOST:PORT (port 0: any free)", &S::listen, address()},
      {"metrics_listen", "--metrics-listen",
       "Prometheus /metrics address HOST:PORT; empty disables it", &S::metrics_listen,
       optional_address()},
      {"cache_dir", "--cache-dir", "directory of the on-disk result cache", &S::cache_dir,
       not_empty()},
      {"workers", "--workers",
       "compile threads (0: one per CPU this process may use: affinity, cgroup quota)", &S::workers,
       at_least_zero(" (0: one per core)")},
      {"queue_length", "--queue-length",
       "compiles that may wait for a worker; beyond that, RESOURCE_EXHAUSTED", &S::queue_length,
       at_least_zero()},
      {"io_threads", "--io-threads", "threads reading the on-disk cache", &S::io_threads,
       positive()},
      {"max_model_bytes", "--max-model-bytes", "largest model accepted (INVALID_ARGUMENT beyond)",
       &S::max_model_bytes, positive()},
      {"max_upload_bytes_in_flight", "--max-upload-bytes-in-flight",
       "model bytes all uploads together may hold (RESOURCE_EXHAUSTED beyond)",
       &S::max_upload_bytes_in_flight, positive()},
      {"upload_idle_timeout_seconds", "--upload-idle-timeout",
       "seconds an upload may send nothing before the server ends it",
       &S::upload_idle_timeout_seconds, positive()},
      {"max_compiles_per_peer", "--max-compiles-per-peer",
       "Compile calls one client address may have open (RESOURCE_EXHAUSTED beyond)",
       &S::max_compiles_per_peer, positive()},
      {"max_uploads_per_peer", "--max-uploads-per-peer",
       "uploads one client address may have in progress (RESOURCE_EXHAUSTED beyond)",
       &S::max_uploads_per_peer, positive()},
      {"max_streams_per_connection", "--max-streams-per-connection",
       "concurrent calls on one HTTP/2 connection (more wait in the client)",
       &S::max_streams_per_connection, positive()},
      {"memory_cache_bytes", "--memory-cache-bytes", "size bound of the in-memory LRU cache",
       &S::memory_cache_bytes, at_least_zero()},
      {"disk_cache_bytes", "--disk-cache-bytes", "size bound of the on-disk cache",
       &S::disk_cache_bytes, positive()},
      {"drain_timeout_seconds", "--drain-timeout",
       "seconds in-flight compiles may run after SIGTERM", &S::drain_timeout_seconds,
       at_least_zero()},
      {"reflection", "--reflection", "serve gRPC server reflection", &S::reflection},
      {"tls_cert", "--tls-cert", "PEM certificate chain: serve gRPC over TLS", &S::tls_cert},
      {"tls_key", "--tls-key", "PEM private key of --tls-cert", &S::tls_key},
      {"tls_client_ca", "--tls-client-ca",
       "PEM CA bundle: require client certificates it signed (mTLS)", &S::tls_client_ca},
      {"auth_token_file", "--auth-token-file",
       "bearer tokens, one per line (# comments), reread on SIGHUP; Compile and Lookup need one, "
       "health does not",
       &S::auth_token_file},
      {"insecure", "--insecure",
       "allow a non-loopback --listen without TLS and authentication (logs a warning)",
       &S::insecure},
      {"redis", "--redis",
       "shared cache tier behind memory and disk: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or "
       "rediss:// (TLS); prefer --redis-password-file to a password in the URL",
       &S::redis},
      {"redis_password_file", "--redis-password-file", "file holding the Redis password (one line)",
       &S::redis_password_file},
      {"redis_tls_ca", "--redis-tls-ca",
       "PEM CA bundle that verifies a rediss:// server (default: the system's)", &S::redis_tls_ca},
      {"redis_ttl_seconds", "--redis-ttl",
       "seconds a shared cache entry lives after it was written (SET ... EX)",
       &S::redis_ttl_seconds, redis_between(1, kMaxRedisTtlSeconds)},
      {"redis_timeout_ms", "--redis-timeout-ms",
       "connect and per-operation timeout for Redis; past it Redis is skipped for a while",
       &S::redis_timeout_ms, redis_between(1, kMaxRedisTimeoutMs)},
      {"log_requests", "!--no-request-log", "do not write a JSON line per request",
       &S::log_requests},
      {"compile_memory_bytes", "--compile-memory-bytes",
       "address-space limit of one compile worker (0: memory / (workers + 1), 1-8 GiB)",
       &S::compile_memory_bytes, zero_or_at_least(int64_t{64} << 20)},
      {"compile_cpu_seconds", "--compile-cpu-seconds",
       "CPU-time limit of one compile (RESOURCE_EXHAUSTED beyond)", &S::compile_cpu_seconds,
       positive()},
      {"compile_worker", "--compile-worker",
       "the ramiel-compile-worker executable (default: beside ramiel-server)", &S::compile_worker},
      {"compile_in_process", "--compile-in-process",
       "debugging only: compile inside the server (a hostile model can crash it)",
       &S::compile_in_process},
      {"debug_worker_fault", "--debug-worker-fault",
       "tests only: every worker injects crash, oom or spin", &S::debug_worker_fault,
       one_of(kWorkerFaults), /*hidden=*/true},
      {"debug_compile_delay_ms", "--debug-compile-delay-ms",
       "tests only: sleep before every compile", &S::debug_compile_delay_ms, at_least_zero(),
       /*hidden=*/true},
  };
  return fields;
}

// "HOST:PORT" with a numeric port; IPv6 hosts are bracketed ("[::1]:50051").
Status check_address(std::string_view key, const std::string& address) {
  const std::string name(key);
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return invalid_argument(name + " must be HOST:PORT, got '" + address + "'");
  }
  const std::string_view port(address.data() + colon + 1, address.size() - colon - 1);
  int value = -1;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (error != std::errc() || end != port.data() + port.size() || value < 0 || value > 65535) {
    return invalid_argument(name + " has a bad port in '" + address + "'");
  }
  return ok_status();
}

Status check_text(const SettingField& field, const Limit& limit, const std::string& value) {
  const std::string key(field.key);
  switch (limit.kind) {
    case Kind::kAddress:
      if (limit.optional && value.empty()) return ok_status();
      return check_address(field.key, value);
    case Kind::kNotEmpty:
      if (value.empty()) return invalid_argument(key + " must not be empty");
      return ok_status();
    case Kind::kOneOf: {
      if (value.empty() ||
          std::find(limit.choices.begin(), limit.choices.end(), value) != limit.choices.end()) {
        return ok_status();
      }
      std::string list;
      for (size_t i = 0; i < limit.choices.size(); ++i) {
        list += i == 0 ? "" : i + 1 == limit.choices.size() ? " or " : ", ";
        list += limit.choices[i];
      }
      return invalid_argument(key + " must be " + list);
    }
    default:
      return ok_status();
  }
}

// Integers say what they got; seconds (doubles) do not, and NaN fails every bound.
template <typename T>
Status check_number(const SettingField& field, const Limit& limit, T value) {
  const std::string key(field.key);
  const auto got = [&] {
    if constexpr (std::is_integral_v<T>) return ", got " + std::to_string(value);
    return std::string();
  };
  switch (limit.kind) {
    case Kind::kAtLeastZero:
      if (!(value >= 0)) return invalid_argument(key + " must be >= 0" + std::string(limit.note));
      return ok_status();
    case Kind::kPositive:
      if (!(value > 0)) return invalid_argument(key + " must be positive" + got());
      return ok_status();
    case Kind::kBetween:
      if (!(value >= limit.low && value <= limit.high)) {
        return invalid_argument(std::string(flag_name(field)) + " (" + key + ") must be from " +
                                std::to_string(limit.low) + " to " + std::to_string(limit.high) +
                                got());
      }
      return ok_status();
    case Kind::kZeroOrAtLeast:
      if (value != 0 && !(value >= limit.low)) {
        return invalid_argument(key + " must be 0 (automatic) or at least " +
                                std::to_string(limit.low >> 20) + " MiB");
      }
      return ok_status();
    default:
      return ok_status();
  }
}

}  // namespace

std::span<const SettingField> setting_fields() {
  return table();
}

std::string_view flag_name(const SettingField& field) {
  return field.flag.starts_with('!') ? field.flag.substr(1) : field.flag;
}

Status check_limit(const SettingField& field, const ServerSettings& settings) {
  const Limit& limit = field.limit;
  if (limit.kind == Kind::kNone || (limit.applies != nullptr && !limit.applies(settings))) {
    return ok_status();
  }
  return std::visit(
      [&](auto member) -> Status {
        const auto& value = settings.*member;
        using T = std::remove_cvref_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return check_text(field, limit, value);
        } else if constexpr (std::is_same_v<T, bool>) {
          return ok_status();
        } else {
          return check_number(field, limit, value);
        }
      },
      field.member);
}

}  // namespace ramiel::server
