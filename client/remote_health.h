// `ramiel-client health --server HOST:PORT`: asks grpc.health.v1 whether the server is SERVING.
#pragma once

#include <string>

#include "client/remote_channel.h"

namespace ramiel::client {

struct HealthRequest {
  std::string server;
  std::string service;  // empty: the whole server
  double deadline_seconds = 5;
  bool quiet = false;
  ChannelSecurity security;
};

// Prints the serving status (or the error) and returns the exit code: 0 only for SERVING,
// 4 when the server is unreachable or not serving, 6 when it refuses the credentials.
int check_health(const HealthRequest& request);

}  // namespace ramiel::client
