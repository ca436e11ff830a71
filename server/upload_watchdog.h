// UploadWatchdog: ends uploads that stall. gRPC has no per-message timeout, and a client that sends
// a header and then nothing would otherwise hold its upload slot (and a connection) until its own
// deadline, which it chooses.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace ramiel::server {

class UploadWatchdog {
 public:
  using Clock = std::chrono::steady_clock;
  // `on_idle` runs on the watchdog's thread, at most once per upload, with the watchdog's lock
  // held: forget() waits for it, so it never runs after forget() returns.
  using OnIdle = std::function<void()>;

  explicit UploadWatchdog(std::chrono::milliseconds idle_timeout);
  ~UploadWatchdog();
  UploadWatchdog(const UploadWatchdog&) = delete;
  UploadWatchdog& operator=(const UploadWatchdog&) = delete;

  // Starts watching; returns the upload's id.
  uint64_t watch(OnIdle on_idle);
  // The upload made progress.
  void touch(uint64_t id);
  // Stops watching (the upload ended); safe to call more than once.
  void forget(uint64_t id);

  std::chrono::milliseconds idle_timeout() const { return idle_timeout_; }

 private:
  struct Upload {
    Clock::time_point last_progress;
    OnIdle on_idle;
  };
  void run();

  const std::chrono::milliseconds idle_timeout_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<uint64_t, Upload> uploads_;
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ramiel::server
