#include "server/shared_cache_backoff.h"

#include <algorithm>

namespace ramiel::server {

bool SharedCacheBackoff::may_try(Clock::time_point now) {
  if (state_ != State::kBackingOff) return true;
  if (probing_ || now < retry_at_) return false;
  probing_ = true;
  return true;
}

SharedCacheBackoff::Change SharedCacheBackoff::succeeded() {
  const bool was_available = state_ == State::kAvailable;
  state_ = State::kAvailable;
  delay_ = initial_;
  probing_ = false;
  return was_available ? Change::kNone : Change::kBecameAvailable;
}

SharedCacheBackoff::Change SharedCacheBackoff::failed(Clock::time_point now) {
  if (state_ == State::kBackingOff) {
    if (!probing_) return Change::kNone;
    probing_ = false;
    delay_ = std::min(delay_ * 2, maximum_);
    retry_at_ = now + delay_;
    return Change::kNone;
  }
  state_ = State::kBackingOff;
  delay_ = initial_;
  retry_at_ = now + delay_;
  return Change::kBecameUnavailable;
}

}  // namespace ramiel::server
