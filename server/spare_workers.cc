#include "server/spare_workers.h"

namespace ramiel::server {

SpareWorkers::SpareWorkers(std::vector<std::string> argv, size_t count)
    : argv_(std::move(argv)), count_(count) {
  std::lock_guard lock(mutex_);
  while (spares_.size() < count_) {
    auto child = ChildProcess::spawn(argv_);
    if (!child.ok()) break;  // take() reports the error when a compile needs a worker
    spares_.push_back(std::move(*child));
  }
}

StatusOr<ChildProcess> SpareWorkers::take() {
  std::lock_guard lock(mutex_);
  while (!spares_.empty()) {
    ChildProcess spare = std::move(spares_.front());
    spares_.pop_front();
    // A spare that died while it waited (killed by an operator or the OOM killer) is replaced.
    if (!spare.exited()) {
      if (auto next = ChildProcess::spawn(argv_); next.ok()) spares_.push_back(std::move(*next));
      return spare;
    }
  }
  return ChildProcess::spawn(argv_);
}

}  // namespace ramiel::server
