// Per-node and per-edge cost estimates in microseconds, from shapes and a device profile.
#pragma once

#include <map>
#include <string>

#include "core/cost/device_profile.h"
#include "core/ir/graph.h"

namespace ramiel::cost {

struct NodeCost {
  double flops = 0;       // arithmetic operations
  double bytes = 0;       // bytes read (constants included) and written
  double us = 0;          // predicted run time on the profile
  bool measured = false;  // `us` came from MeasuredCosts, not from the estimate
};

// Measured run times by node name (from the generated program's --profile), which replace
// the static estimate for the nodes they name. Negative or non-finite entries are ignored.
using MeasuredCosts = std::map<std::string, double>;

class CostModel {
 public:
  explicit CostModel(DeviceProfile profile, MeasuredCosts measured = {})
      : profile_(std::move(profile)), measured_(std::move(measured)) {}

  // flops and bytes come from the op's cost function (core/cost/op_cost.h); the time is
  //   max(flops / peak, bytes / bandwidth, pool windows / pool rate) + dispatch overhead,
  // a roofline plus the fixed Python cost every op pays in the generated program.
  NodeCost node_cost(const ir::Node& node) const;
  // Cost of handing `value` from one worker to another: latency + bytes / transfer bandwidth.
  double transfer_cost_us(const ir::Value& value) const;
  const DeviceProfile& profile() const { return profile_; }

 private:
  DeviceProfile profile_;
  MeasuredCosts measured_;
};

}  // namespace ramiel::cost
