#include "server/memory_trimmer.h"

#include <malloc.h>

namespace ramiel::server {

MemoryTrimmer::MemoryTrimmer(std::chrono::milliseconds period)
    : period_(period), thread_([this] { run(); }) {}

MemoryTrimmer::~MemoryTrimmer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void MemoryTrimmer::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
    lock.unlock();
    malloc_trim(0);  // takes each arena's lock briefly; a few milliseconds at most
    lock.lock();
  }
}

}  // namespace ramiel::server
