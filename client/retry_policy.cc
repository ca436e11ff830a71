#include "client/retry_policy.h"

#include <algorithm>
#include <cmath>

#include "proto/retry_metadata.h"

namespace ramiel::client {

bool RetryPolicy::retryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::RESOURCE_EXHAUSTED || code == grpc::StatusCode::UNAVAILABLE;
}

std::chrono::milliseconds RetryPolicy::backoff(int attempt, std::mt19937& random) const {
  if (attempt <= 1) return std::chrono::milliseconds(0);
  const double base =
      static_cast<double>(initial_backoff.count()) * std::pow(multiplier, attempt - 2);
  const double capped = std::min(base, static_cast<double>(max_backoff.count()));
  std::uniform_real_distribution<double> spread(1.0 - jitter, 1.0 + jitter);
  return std::chrono::milliseconds(static_cast<int64_t>(capped * spread(random)));
}

bool server_says_final(const std::multimap<grpc::string_ref, grpc::string_ref>& trailers) {
  const auto [first, last] = trailers.equal_range(api::kRetryMetadataKey);
  for (auto it = first; it != last; ++it) {
    if (it->second == api::kNoRetryMetadataValue) return true;
  }
  return false;
}

}  // namespace ramiel::client
