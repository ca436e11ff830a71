// The schedule's predictions as the program's engines run it. Engines are chosen per cluster
// once the schedule is known (core/codegen/engines.h); a traced cluster's convolutions and
// matrix products read weights prepacked at load, and the ReLUs after its convolutions run
// inside them, so they cost less than the eager estimate the schedule was planned with
// (cost::CostModel::node_cost).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/cost/cost_model.h"
#include "core/ir/graph.h"
#include "core/schedule/dataflow_graph.h"
#include "core/schedule/schedule.h"
#include "core/support/status.h"

namespace ramiel::driver {

// The engine the serial program (run_serial) runs with, as load() decides
// (runtime/engines.py, _serial_engine): the traced engine whose clusters carry the most cost,
// when they carry more than half of it; else eager.
std::string serial_engine(const schedule::DataflowGraph& dataflow, const schedule::Schedule& plan,
                          const std::vector<std::string>& engines);

// `dataflow` costed as each node's cluster runs it (`engines`, one per cluster of `plan`), and
// `plan`'s serial time, makespan and critical path retimed with it (the serial time with every
// node as the serial program runs it); nullopt, and `plan` as it is, without a traced cluster:
// then the costs are `dataflow`'s.
StatusOr<std::optional<schedule::DataflowGraph>> cost_as_run(
    const ir::Graph& graph, const cost::CostModel& costs, const schedule::DataflowGraph& dataflow,
    const std::vector<std::string>& engines, schedule::Schedule& plan);

}  // namespace ramiel::driver
