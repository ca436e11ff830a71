// SpareWorkers: compile workers started ahead of need. A worker's start-up (loading onnx and
// protobuf, registering every operator schema) takes tens of milliseconds; a spare has done it
// by the time a compile arrives. Each worker still serves exactly one compile.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "core/support/status.h"
#include "server/child_process.h"

namespace ramiel::server {

class SpareWorkers {
 public:
  // Keeps `count` started copies of `argv` waiting on their stdin.
  SpareWorkers(std::vector<std::string> argv, size_t count);

  // A started worker: a spare when one is alive (a replacement starts at once), else a new one.
  StatusOr<ChildProcess> take();

 private:
  const std::vector<std::string> argv_;
  const size_t count_;
  std::mutex mutex_;
  std::deque<ChildProcess> spares_;
};

}  // namespace ramiel::server
