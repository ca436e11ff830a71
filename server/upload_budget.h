// UploadBudget: caps the model bytes that all uploads in progress may hold in memory at once.
#pragma once

#include <cstdint>
#include <mutex>

namespace ramiel::server {

class UploadBudget {
 public:
  explicit UploadBudget(int64_t capacity_bytes) : capacity_(capacity_bytes) {}

  // Reserves `bytes` (a model's declared size) or returns false when that would exceed the cap.
  bool try_reserve(int64_t bytes) {
    std::lock_guard lock(mutex_);
    if (bytes > capacity_ - used_) return false;
    used_ += bytes;
    return true;
  }
  void release(int64_t bytes) {
    std::lock_guard lock(mutex_);
    used_ -= bytes;
  }

 private:
  const int64_t capacity_;
  std::mutex mutex_;
  int64_t used_ = 0;
};

}  // namespace ramiel::server
