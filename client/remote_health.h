// `ramiel-client health --server HOST:PORT`: asks grpc.health.v1 whether the server is SERVING.
#pragma once

#include <string>

namespace ramiel::client {

struct HealthRequest {
  std::string server;
  std::string service;  // empty: the whole server
  double deadline_seconds = 5;
  bool quiet = false;
};

// Prints the serving status (or the error) and returns the exit code: 0 only for SERVING,
// 4 when the server is unreachable or not serving.
int check_health(const HealthRequest& request);

}  // namespace ramiel::client
