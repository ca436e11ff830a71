// What the cost model knows about the machine that will run the generated program.
#pragma once

#include <string>
#include <string_view>

#include "core/support/status.h"

namespace ramiel::cost {

struct DeviceProfile {
  std::string name = "default";
  // Sustained throughput of one worker (one core) on large kernels.
  double peak_gflops = 50.0;
  double memory_gbps = 10.0;
  // Fixed cost of dispatching one operator from Python through PyTorch.
  double op_overhead_us = 10.0;
  // Cost of handing a tensor to another worker: latency plus bytes at transfer bandwidth.
  double transfer_latency_us = 20.0;
  double transfer_gbps = 5.0;

  // The built-in profile, measured on the reference machine (see README).
  static DeviceProfile defaults() { return {}; }
  // Starts from defaults() and overrides the keys the JSON object names; unknown keys and
  // non-positive numbers are INVALID_ARGUMENT.
  static StatusOr<DeviceProfile> from_json(std::string_view json_text);
  std::string to_json() const;
};

}  // namespace ramiel::cost
