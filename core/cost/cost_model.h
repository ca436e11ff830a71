// Per-node and per-edge cost estimates in microseconds, from shapes and a device profile.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/cost/device_profile.h"
#include "core/ir/graph.h"

namespace ramiel::cost {

struct NodeCost {
  double flops = 0;       // arithmetic operations
  double bytes = 0;       // bytes read (constants included) and written
  double us = 0;          // predicted run time on one thread
  double wide_us = 0;     // predicted run time with all the profile's cores (never above `us`)
  bool measured = false;  // the times came from MeasuredCosts, not from the estimate
};

// A node's measured run times (from the generated program's --profile); a negative or
// non-finite time is unknown and left to the estimate.
struct MeasuredCost {
  double us = -1;       // one intra-op thread
  double wide_us = -1;  // all cores
  // The node's cluster traced (frozen or prepacked, the faster) over eager, as measured with it:
  // what the node costs in a traced cluster, whose nodes cannot be timed one by one, relative
  // to its eager times.
  double frozen_scale = 1;
};
// Measured run times by node name, which replace the static estimate for the nodes they name.
// The profiled program may have had nodes split in two (core/ir/split_parts.h) where this graph
// has them whole, or the other way round: a whole node measured as two parts costs their sum,
// a part of a node measured whole costs its share of it.
using MeasuredCosts = std::map<std::string, MeasuredCost>;

// How the generated program runs a node (core/codegen/engines.h).
struct Execution {
  bool traced = false;             // in a cluster load() traces (frozen, prepacked)
  bool prepacked_weights = false;  // its weights reordered once at load: reads_prepacked_weights
  bool fused = false;              // computed inside its producer's kernel: fused_into_producer
  double copied_share = 1;         // of its output, what it copies: concat_copied_share
  bool separable_pool = false;     // pooled as row and column passes: pools_separably
};

class CostModel {
 public:
  explicit CostModel(DeviceProfile profile, MeasuredCosts measured = {})
      : profile_(std::move(profile)), measured_(std::move(measured)) {}

  // flops and bytes come from the op's cost function (core/cost/op_cost.h); the time is
  //   max(flops / peak, bytes / bandwidth, pool windows / pool rate,
  //       matrix-vector bytes / matrix-vector rate) + dispatch overhead,
  // a roofline plus the fixed cost every op pays in the generated program (dispatch_us), plus, for
  // nodes that touch string tensors, a per-element Python loop (OpWork::python_elements). The
  // wide time scales the roofline part by the profile's intra-op speedup (see DeviceProfile).
  //
  // A control-flow node (If, Loop, Scan) is one task: its cost is that of its body (the sum of
  // its nodes' costs, nested bodies included) times the number of times the body runs:
  //   If:   the dearer branch. Which branch runs is known only at run time, and a schedule
  //         planned for the cheaper one would put the node's successors on the critical path
  //         too early; overestimating only costs a little balance.
  //   Loop: the trip count M when it is a constant; otherwise a guess, kGuessedLoopTrips
  //         (a loop bounded by its condition alone, or by a count computed at run time).
  //   Scan: the length of the scanned axis when the first scan input's shape knows it (Scan-8:
  //         batch times sequence length), else kGuessedLoopTrips.
  // The result is never below one op's overhead.
  //
  // `execution` says how the program runs the node. Measured costs are eager ones; in a traced
  // cluster they are scaled by their frozen_scale (which holds what fusion saved). A node whose
  // oneDNN kernel reorders its constant weights once at load pays no weight term on each call;
  // an estimated node fused into its producer costs nothing, and one that copies a share of its
  // output that share of its roofline time.
  NodeCost node_cost(const ir::Node& node, Execution execution = {}) const;
  static constexpr double kGuessedLoopTrips = 10;
  // The one-thread time of an op whose roofline part takes `roofline_us`, spread over all cores;
  // a compute-bound op's by the profile's compute_intra_op_half_us; `traced`: dispatched in a
  // traced cluster (dispatch_us).
  double wide_time_us(double roofline_us, bool compute_bound = false, bool traced = false) const;
  // One op's fixed dispatch cost: from Python (op_overhead_us), or in a traced cluster's
  // TorchScript graph (traced_op_overhead_us).
  double dispatch_us(bool traced) const;
  // Cost of handing `value` from one worker to another: latency + bytes / transfer bandwidth.
  double transfer_cost_us(const ir::Value& value) const;
  const DeviceProfile& profile() const { return profile_; }

 private:
  // The estimate for a node with bodies (see node_cost).
  NodeCost control_flow_cost(const ir::Node& node) const;
  // The measurement that stands for `node`, matched across splits (see MeasuredCosts).
  std::optional<MeasuredCost> measurement_of(const ir::Node& node) const;

  DeviceProfile profile_;
  MeasuredCosts measured_;
};

}  // namespace ramiel::cost
