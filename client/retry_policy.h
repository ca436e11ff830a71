// RetryPolicy: which gRPC failures ramiel-client retries, and how long it waits between tries.
#pragma once

#include <chrono>
#include <map>
#include <random>

#include <grpcpp/support/status.h>
#include <grpcpp/support/string_ref.h>

namespace ramiel::client {

// Exponential backoff with jitter, bounded both in attempts and by the caller's deadline, so an
// unreachable server fails in seconds rather than at the end of a long compile deadline.
struct RetryPolicy {
  int max_attempts = 8;
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{8000};
  double multiplier = 2.0;
  double jitter = 0.2;  // each wait is scaled by a random factor in [1 - jitter, 1 + jitter]

  // RESOURCE_EXHAUSTED (queue full, too many uploads) and UNAVAILABLE (unreachable, draining):
  // the same request may succeed later or on another replica. Nothing else is retried.
  static bool retryable(grpc::StatusCode code);

  // The wait before attempt `attempt` (1-based; attempt 1 has none).
  std::chrono::milliseconds backoff(int attempt, std::mt19937& random) const;
};

// True when the server's trailing metadata says that retrying cannot change the answer
// (ramiel-retry: never, sent with a compile that hit its limits).
bool server_says_final(const std::multimap<grpc::string_ref, grpc::string_ref>& trailers);

}  // namespace ramiel::client
