// Per-node and per-edge cost estimates in microseconds, from shapes and a device profile.
#pragma once

#include <map>
#include <string>

#include "core/cost/device_profile.h"
#include "core/ir/graph.h"

namespace ramiel::cost {

struct NodeCost {
  double flops = 0;  // arithmetic operations
  double bytes = 0;  // bytes read and written
  double us = 0;     // predicted run time on the profile
};

// Measured run times by node name (from the generated program's --profile), which replace
// the static estimate for the nodes they name.
using MeasuredCosts = std::map<std::string, double>;

class CostModel {
 public:
  explicit CostModel(DeviceProfile profile, MeasuredCosts measured = {})
      : profile_(std::move(profile)), measured_(std::move(measured)) {}

  NodeCost node_cost(const ir::Node& node) const;
  // Cost of handing `value` from one worker to another.
  double transfer_cost_us(const ir::Value& value) const;
  const DeviceProfile& profile() const { return profile_; }

 private:
  DeviceProfile profile_;
  MeasuredCosts measured_;
};

}  // namespace ramiel::cost
