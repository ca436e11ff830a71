#include "server/request_log.h"

#include <chrono>
#include <ctime>

#include "proto/grpc_code_name.h"

namespace ramiel::server {
namespace {

// RFC 3339 in UTC with milliseconds, the form log collectors parse without configuration.
std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  char result[48];
  std::snprintf(result, sizeof(result), "%.*s.%03dZ", static_cast<int>(n), text,
                static_cast<int>(millis));
  return result;
}

}  // namespace

void RequestLog::request(const RequestRecord& record) {
  if (!log_requests_) return;
  nlohmann::json line = {
      {"event", "request"},
      {"method", record.method},
      {"peer", record.peer},
      {"model_sha256", record.model_sha256},
      {"cache", record.cache},
      {"model_bytes", record.model_bytes},
      {"duration_ms", record.duration_ms},
      {"status", api::grpc_code_name(record.status.error_code())},
  };
  if (!record.status.ok()) line["message"] = record.status.error_message();
  write(std::move(line));
}

void RequestLog::event(std::string_view name, nlohmann::json fields) {
  fields["event"] = name;
  write(std::move(fields));
}

void RequestLog::write(nlohmann::json line) {
  line["ts"] = utc_timestamp();
  // Invalid UTF-8 (a peer name, a model's error text) is replaced rather than thrown on.
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mutex_);
  out_ << text << '\n';
  out_.flush();
}

}  // namespace ramiel::server
