// SharedCacheBackoff: when the shared cache may talk to Redis, so that an outage costs one
// timeout per back-off period instead of one per request. Not thread-safe; the caller locks.
#pragma once

#include <chrono>

namespace ramiel::server {

class SharedCacheBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  // What a report changed, so that each change is logged once.
  enum class Change { kNone, kBecameAvailable, kBecameUnavailable };

  SharedCacheBackoff(Clock::duration initial, Clock::duration maximum)
      : initial_(initial), maximum_(maximum), delay_(initial) {}

  // Whether an operation may use Redis at `now`. While backing off: no until the retry time, then
  // yes for one caller (the probe) and no for the others until that one reports.
  bool may_try(Clock::time_point now);
  // Reports of an operation's outcome. A failure while available starts backing off for the
  // initial delay; a failed probe doubles the delay up to the maximum; a success ends the back-off
  // and resets the delay. A failure of an operation that started before the outage was noticed
  // (neither available nor the probe) changes nothing.
  Change succeeded();
  Change failed(Clock::time_point now);

  // Until the first report: not known, reported as unavailable.
  bool available() const { return state_ == State::kAvailable; }
  Clock::time_point retry_at() const { return retry_at_; }
  Clock::duration delay() const { return delay_; }

 private:
  enum class State { kUnknown, kAvailable, kBackingOff };
  const Clock::duration initial_;
  const Clock::duration maximum_;
  State state_ = State::kUnknown;
  Clock::duration delay_;
  Clock::time_point retry_at_{};
  bool probing_ = false;
};

}  // namespace ramiel::server
