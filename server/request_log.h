// RequestLog: one JSON object per line on a stream, for every request and server event.
#pragma once

#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include <grpcpp/support/status.h>
#include <nlohmann/json.hpp>

namespace ramiel::server {

struct RequestRecord {
  std::string method;  // "Compile", "Lookup"
  std::string peer;
  std::string model_sha256;
  std::string cache;  // "hit", "miss", "coalesced", "none"
  int64_t model_bytes = 0;
  double duration_ms = 0;
  grpc::Status status;
};

class RequestLog {
 public:
  RequestLog(std::ostream& out, bool log_requests) : out_(out), log_requests_(log_requests) {}

  void request(const RequestRecord& record);
  // Server life-cycle lines ("listening", "draining", "stopped"); always written.
  void event(std::string_view name, nlohmann::json fields = nlohmann::json::object());

 private:
  void write(nlohmann::json line);

  std::ostream& out_;
  const bool log_requests_;
  std::mutex mutex_;
};

}  // namespace ramiel::server
