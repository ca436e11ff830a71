#include "server/settings.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>
#include <map>

#include "server/machine_resources.h"
#include "server/redis_endpoint.h"

#include <nlohmann/json.hpp>

#include "core/support/file_contents.h"

namespace ramiel::server {
namespace {

// "HOST:PORT" with a numeric port; IPv6 hosts are bracketed ("[::1]:50051").
Status validate_address(const std::string& flag, const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return invalid_argument(flag + " must be HOST:PORT, got '" + address + "'");
  }
  const std::string_view port(address.data() + colon + 1, address.size() - colon - 1);
  int value = -1;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (error != std::errc() || end != port.data() + port.size() || value < 0 || value > 65535) {
    return invalid_argument(flag + " has a bad port in '" + address + "'");
  }
  return ok_status();
}

Status check_positive(const std::string& name, int64_t value) {
  if (value <= 0) return invalid_argument(name + " must be positive, got " + std::to_string(value));
  return ok_status();
}

Status validate_redis(const ServerSettings& settings) {
  if (settings.redis.empty()) {
    if (!settings.redis_password_file.empty() || !settings.redis_tls_ca.empty()) {
      return invalid_argument("--redis-password-file and --redis-tls-ca need --redis");
    }
    return ok_status();
  }
  RAMIEL_ASSIGN_OR_RETURN(const RedisEndpoint endpoint, parse_redis_url(settings.redis));
  if (!endpoint.password.empty() && !settings.redis_password_file.empty()) {
    return invalid_argument(
        "--redis has a password and --redis-password-file gives another: give one");
  }
  if (!endpoint.tls && !settings.redis_tls_ca.empty()) {
    return invalid_argument("--redis-tls-ca needs a rediss:// URL in --redis");
  }
  // Redis stores the expiry in milliseconds; beyond this EX overflows there.
  constexpr int64_t kMaxTtlSeconds = std::numeric_limits<int32_t>::max();
  if (settings.redis_ttl_seconds < 1 || settings.redis_ttl_seconds > kMaxTtlSeconds) {
    return invalid_argument("--redis-ttl (redis_ttl_seconds) must be from 1 to " +
                            std::to_string(kMaxTtlSeconds) + ", got " +
                            std::to_string(settings.redis_ttl_seconds));
  }
  constexpr int kMaxTimeoutMs = 60000;
  if (settings.redis_timeout_ms < 1 || settings.redis_timeout_ms > kMaxTimeoutMs) {
    return invalid_argument("--redis-timeout-ms (redis_timeout_ms) must be from 1 to " +
                            std::to_string(kMaxTimeoutMs) + ", got " +
                            std::to_string(settings.redis_timeout_ms));
  }
  return ok_status();
}

}  // namespace

Status ServerSettings::validate() const {
  RAMIEL_RETURN_IF_ERROR(validate_address("listen", listen));
  if (!metrics_listen.empty())
    RAMIEL_RETURN_IF_ERROR(validate_address("metrics_listen", metrics_listen));
  if (cache_dir.empty()) return invalid_argument("cache_dir must not be empty");
  if (workers < 0) return invalid_argument("workers must be >= 0 (0: one per core)");
  if (queue_length < 0) return invalid_argument("queue_length must be >= 0");
  RAMIEL_RETURN_IF_ERROR(check_positive("io_threads", io_threads));
  RAMIEL_RETURN_IF_ERROR(check_positive("max_model_bytes", max_model_bytes));
  RAMIEL_RETURN_IF_ERROR(check_positive("max_upload_bytes_in_flight", max_upload_bytes_in_flight));
  if (max_upload_bytes_in_flight < max_model_bytes) {
    return invalid_argument("max_upload_bytes_in_flight must be at least max_model_bytes");
  }
  if (!(upload_idle_timeout_seconds > 0)) {
    return invalid_argument("upload_idle_timeout_seconds must be positive");
  }
  RAMIEL_RETURN_IF_ERROR(check_positive("max_compiles_per_peer", max_compiles_per_peer));
  RAMIEL_RETURN_IF_ERROR(check_positive("max_uploads_per_peer", max_uploads_per_peer));
  RAMIEL_RETURN_IF_ERROR(check_positive("max_streams_per_connection", max_streams_per_connection));
  if (memory_cache_bytes < 0) return invalid_argument("memory_cache_bytes must be >= 0");
  RAMIEL_RETURN_IF_ERROR(check_positive("disk_cache_bytes", disk_cache_bytes));
  if (!(drain_timeout_seconds >= 0)) return invalid_argument("drain_timeout_seconds must be >= 0");
  if (debug_compile_delay_ms < 0) return invalid_argument("debug_compile_delay_ms must be >= 0");
  if (compile_memory_bytes != 0 && compile_memory_bytes < (int64_t{64} << 20)) {
    return invalid_argument("compile_memory_bytes must be 0 (automatic) or at least 64 MiB");
  }
  RAMIEL_RETURN_IF_ERROR(check_positive("compile_cpu_seconds", compile_cpu_seconds));
  if (!debug_worker_fault.empty() && debug_worker_fault != "crash" && debug_worker_fault != "oom" &&
      debug_worker_fault != "spin") {
    return invalid_argument("debug_worker_fault must be crash, oom or spin");
  }
  RAMIEL_RETURN_IF_ERROR(validate_redis(*this));
  return ok_status();
}

int ServerSettings::resolved_workers() const {
  return workers > 0 ? workers : available_cpus();
}

int64_t ServerSettings::resolved_compile_memory_bytes() const {
  if (compile_memory_bytes > 0) return compile_memory_bytes;
  constexpr int64_t kMin = int64_t{1} << 30;
  constexpr int64_t kMax = int64_t{8} << 30;
  return std::clamp(available_memory_bytes() / (resolved_workers() + 1), kMin, kMax);
}

Status apply_json_settings(std::string_view json_text, ServerSettings& settings) {
  const nlohmann::json json = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return invalid_argument("config is not valid JSON");
  if (!json.is_object()) return invalid_argument("config must be a JSON object");

  using Setter = std::function<bool(const nlohmann::json&)>;
  auto string_field = [](std::string& field) -> Setter {
    return [&field](const nlohmann::json& v) {
      if (!v.is_string()) return false;
      field = v.get<std::string>();
      return true;
    };
  };
  auto int_field = [](auto& field) -> Setter {
    return [&field](const nlohmann::json& v) {
      using T = std::remove_reference_t<decltype(field)>;
      if (!v.is_number_integer()) return false;
      const auto wide = v.get<int64_t>();
      if (wide < std::numeric_limits<T>::min() || wide > std::numeric_limits<T>::max())
        return false;
      field = static_cast<T>(wide);
      return true;
    };
  };
  auto bool_field = [](bool& field) -> Setter {
    return [&field](const nlohmann::json& v) {
      if (!v.is_boolean()) return false;
      field = v.get<bool>();
      return true;
    };
  };
  auto seconds_field = [](double& field) -> Setter {
    return [&field](const nlohmann::json& v) {
      if (!v.is_number()) return false;
      field = v.get<double>();
      return true;
    };
  };
  const std::map<std::string, Setter> setters = {
      {"listen", string_field(settings.listen)},
      {"metrics_listen", string_field(settings.metrics_listen)},
      {"cache_dir", string_field(settings.cache_dir)},
      {"workers", int_field(settings.workers)},
      {"queue_length", int_field(settings.queue_length)},
      {"io_threads", int_field(settings.io_threads)},
      {"max_model_bytes", int_field(settings.max_model_bytes)},
      {"max_upload_bytes_in_flight", int_field(settings.max_upload_bytes_in_flight)},
      {"upload_idle_timeout_seconds", seconds_field(settings.upload_idle_timeout_seconds)},
      {"max_compiles_per_peer", int_field(settings.max_compiles_per_peer)},
      {"max_uploads_per_peer", int_field(settings.max_uploads_per_peer)},
      {"max_streams_per_connection", int_field(settings.max_streams_per_connection)},
      {"memory_cache_bytes", int_field(settings.memory_cache_bytes)},
      {"disk_cache_bytes", int_field(settings.disk_cache_bytes)},
      {"drain_timeout_seconds", seconds_field(settings.drain_timeout_seconds)},
      {"reflection", bool_field(settings.reflection)},
      {"log_requests", bool_field(settings.log_requests)},
      {"debug_compile_delay_ms", int_field(settings.debug_compile_delay_ms)},
      {"compile_memory_bytes", int_field(settings.compile_memory_bytes)},
      {"compile_cpu_seconds", int_field(settings.compile_cpu_seconds)},
      {"compile_worker", string_field(settings.compile_worker)},
      {"compile_in_process", bool_field(settings.compile_in_process)},
      {"debug_worker_fault", string_field(settings.debug_worker_fault)},
      {"tls_cert", string_field(settings.tls_cert)},
      {"tls_key", string_field(settings.tls_key)},
      {"tls_client_ca", string_field(settings.tls_client_ca)},
      {"auth_token_file", string_field(settings.auth_token_file)},
      {"insecure", bool_field(settings.insecure)},
      {"redis", string_field(settings.redis)},
      {"redis_password_file", string_field(settings.redis_password_file)},
      {"redis_tls_ca", string_field(settings.redis_tls_ca)},
      {"redis_ttl_seconds", int_field(settings.redis_ttl_seconds)},
      {"redis_timeout_ms", int_field(settings.redis_timeout_ms)},
  };
  for (const auto& [key, value] : json.items()) {
    const auto it = setters.find(key);
    if (it == setters.end()) return invalid_argument("config has an unknown key '" + key + "'");
    if (!it->second(value)) return invalid_argument("config key '" + key + "' has the wrong type");
  }
  return ok_status();
}

Status load_settings_file(const std::string& path, ServerSettings& settings) {
  const std::optional<std::string> text = file_contents(path);
  if (!text) return not_found("cannot read config file '" + path + "'");
  return apply_json_settings(*text, settings).with_context("in " + path);
}

}  // namespace ramiel::server
