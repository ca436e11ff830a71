// RamielServer: assembles settings, metrics, caches, broker and gRPC into a running daemon, and
// shuts it down by draining.
#pragma once

#include <memory>
#include <ostream>

#include "core/support/status.h"
#include "server/compile_broker.h"
#include "server/settings.h"

namespace ramiel::server {

// grpc.health.v1 service names for orchestrators, beside the whole-server "" service. Liveness is
// SERVING while the process runs, through the drain (a restart would only cut the drain short);
// readiness, like "", turns NOT_SERVING when the drain begins, so no new work is routed here.
inline constexpr const char* kLivenessService = "ramiel.liveness";
inline constexpr const char* kReadinessService = "ramiel.readiness";

class RamielServer {
 public:
  // Validates `settings`, opens the cache, binds both addresses and starts serving; health is
  // SERVING when this returns. Log lines go to `log`, starting with {"event":"listening",...}.
  static StatusOr<std::unique_ptr<RamielServer>> start(const ServerSettings& settings,
                                                       CompileBroker::CompileFn compile,
                                                       std::string compiler_version,
                                                       std::ostream& log);
  ~RamielServer();
  RamielServer(const RamielServer&) = delete;
  RamielServer& operator=(const RamielServer&) = delete;

  // Rereads settings.auth_token_file (on SIGHUP) and logs how many tokens it holds. On failure the
  // previous tokens stay and an error line is logged. Does nothing without a token file.
  Status reload_auth_tokens();

  int grpc_port() const;
  int metrics_port() const;  // 0 when the exporter is disabled

  // Health ("" and readiness) turns NOT_SERVING, new requests get UNAVAILABLE, work in flight may
  // finish until settings.drain_timeout_seconds, then the rest is cancelled and gRPC stops.
  // Idempotent. Returns true when nothing had to be cancelled.
  bool shutdown();

 private:
  struct Parts;
  explicit RamielServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace ramiel::server
