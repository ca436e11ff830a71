#include "server/upload_watchdog.h"

#include <algorithm>

namespace ramiel::server {

UploadWatchdog::UploadWatchdog(std::chrono::milliseconds idle_timeout)
    : idle_timeout_(idle_timeout), thread_([this] { run(); }) {}

UploadWatchdog::~UploadWatchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

uint64_t UploadWatchdog::watch(OnIdle on_idle) {
  std::lock_guard lock(mutex_);
  const uint64_t id = next_id_++;
  uploads_.emplace(id, Upload{Clock::now(), std::move(on_idle)});
  return id;
}

void UploadWatchdog::touch(uint64_t id) {
  std::lock_guard lock(mutex_);
  if (const auto it = uploads_.find(id); it != uploads_.end())
    it->second.last_progress = Clock::now();
}

void UploadWatchdog::forget(uint64_t id) {
  std::lock_guard lock(mutex_);
  uploads_.erase(id);
}

void UploadWatchdog::run() {
  // Checking a few times per timeout bounds how late an idle upload is ended.
  const auto period = std::max(std::chrono::milliseconds(10), idle_timeout_ / 4);
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, period);
    const auto now = Clock::now();
    for (auto it = uploads_.begin(); it != uploads_.end();) {
      if (now - it->second.last_progress < idle_timeout_) {
        ++it;
        continue;
      }
      OnIdle on_idle = std::move(it->second.on_idle);
      it = uploads_.erase(it);
      on_idle();
    }
  }
}

}  // namespace ramiel::server
