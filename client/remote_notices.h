// What ramiel-client tells its user on stderr while a remote compile waits: retries and why, the
// server's queue, the compile, answers from the server's cache. Silent with --quiet.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/support/status.h>

namespace ramiel::client {

class RemoteNotices {
 public:
  RemoteNotices(std::FILE* out, bool enabled) : out_(out), enabled_(enabled) {}
  bool enabled() const { return enabled_; }

  void retrying(const grpc::Status& failed, std::chrono::milliseconds wait, int attempt,
                int max_attempts) const;
  void queued() const;
  void compiling(double queued_seconds) const;
  void cache_hit() const;

  // The texts, without the "ramiel-client: " prefix, for tests.
  static std::string retry_text(const grpc::Status& failed, std::chrono::milliseconds wait,
                                int attempt, int max_attempts);
  static std::string compiling_text(double queued_seconds);
  static const char* queued_text();
  static const char* cache_hit_text();

 private:
  void say(const std::string& text) const;

  std::FILE* out_;
  bool enabled_;
};

// Runs `say` after `delay` unless destroyed first: "still waiting" messages that only show when
// the wait is long enough to need one.
class DelayedNotice {
 public:
  DelayedNotice(std::chrono::milliseconds delay, std::function<void()> say);
  ~DelayedNotice();
  DelayedNotice(const DelayedNotice&) = delete;
  DelayedNotice& operator=(const DelayedNotice&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cancelled_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace ramiel::client
