// The pass interface: a pass rewrites a Graph in place and says whether it changed anything.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/ir/graph.h"
#include "core/support/status.h"

namespace ramiel::passes {

// What passes may read besides the graph, and where they report what they did.
struct PassContext {
  // Largest tensor (in elements) constant folding may create; bigger results stay as nodes.
  int64_t max_folded_elements = 4096;

  // Estimated cost of running a node and of moving a value between workers, in microseconds.
  // Set by the driver from the cost model; node cloning needs both and does nothing without them.
  std::function<double(const ir::Node&)> node_cost_us;
  std::function<double(const ir::Value&)> transfer_cost_us;

  // Counters passes add to; the driver reports "folded", "removed" and "cloned".
  std::map<std::string, int64_t> counters;
  void count(const std::string& counter, int64_t n = 1) { counters[counter] += n; }
};

class Pass {
 public:
  virtual ~Pass() = default;
  // Stable kebab-case name used in pipelines, timings and --print-after.
  virtual std::string_view name() const = 0;
  // Returns whether the graph changed, or why the pass could not run.
  virtual StatusOr<bool> run(ir::Graph& graph, PassContext& context) = 0;
};

}  // namespace ramiel::passes
