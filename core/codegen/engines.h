// Which engine runs each cluster of the generated program (model.py's ENGINES table): "eager"
// runs the cluster's Python function as written; "frozen" has load() trace it once, then run it
// through torch.jit.freeze and optimize_for_inference (runtime/engines.py).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/schedule/dataflow_graph.h"
#include "core/schedule/schedule.h"

namespace ramiel::codegen {

// Node name -> the engine its cluster ran best with in a profiled run (`model.py --profile`).
using MeasuredEngines = std::map<std::string, std::string>;

// One engine per cluster. Where `measured` names some of a cluster's nodes (a split part is
// looked up by the whole node's name too), the engine their one-thread costs vote for; else
// the op-mix rule (engines.cc).
std::vector<std::string> choose_engines(const schedule::DataflowGraph& dataflow,
                                        const schedule::Schedule& schedule,
                                        const MeasuredEngines& measured);

}  // namespace ramiel::codegen
