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

// The counters the driver reports (passes may add others, e.g. "removed-constants").
inline constexpr const char* kFoldedCounter = "folded";    // nodes replaced by constants
inline constexpr const char* kRemovedCounter = "removed";  // nodes deleted (DCE, no-op removal)
inline constexpr const char* kClonedCounter = "cloned";    // nodes created by cloning

// What passes may read besides the graph, and where they report what they did.
struct PassContext {
  // Workers the schedule may use; passes that only help parallel runs check it.
  int workers = 1;

  // Largest tensor (in elements) constant folding may create; bigger results stay as nodes.
  int64_t max_folded_elements = 4096;

  // Estimated cost of running a node and of moving a value between workers, in microseconds.
  // Set by the driver from the cost model; node cloning needs both and does nothing without them.
  std::function<double(const ir::Node&)> node_cost_us;
  std::function<double(const ir::Value&)> transfer_cost_us;

  // Counters passes add to; the driver reports "folded", "removed" and "cloned".
  std::map<std::string, int64_t> counters;
  void count(const std::string& counter, int64_t n = 1) { counters[counter] += n; }
  int64_t counter(const std::string& name) const {
    auto it = counters.find(name);
    return it == counters.end() ? 0 : it->second;
  }
};

class Pass {
 public:
  virtual ~Pass() = default;
  // Stable kebab-case name used in pipelines, timings and --print-after.
  virtual std::string_view name() const = 0;
  // Returns whether the graph changed, or why the pass could not run.
  virtual StatusOr<bool> run(ir::Graph& graph, PassContext& context) = 0;
};

// The algorithm of a pass as a plain function, which tests call directly.
using PassFunction = StatusOr<bool> (*)(ir::Graph& graph, PassContext& context);

// A Pass that runs one PassFunction (every pass of Ramiel is one).
class FunctionPass final : public Pass {
 public:
  FunctionPass(std::string name, PassFunction function)
      : name_(std::move(name)), function_(function) {}
  std::string_view name() const override { return name_; }
  StatusOr<bool> run(ir::Graph& graph, PassContext& context) override {
    return function_(graph, context);
  }

 private:
  std::string name_;
  PassFunction function_;
};

}  // namespace ramiel::passes
