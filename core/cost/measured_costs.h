// Measured node costs as JSON: the generated program's `--profile` output, read back for a
// profile-guided compile (`--costs`).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/cost/cost_model.h"
#include "core/support/status.h"

namespace ramiel::cost {

// Accepts {"nodes": {"name": {"us_1": a, "us_T": b, "frozen_scale": s}}, "untraced_scale":
// {"us_1": f, "us_T": g}} (what `model.py --profile` writes; us_T, frozen_scale and
// untraced_scale optional; node times are multiplied by untraced_scale's) or a plain
// {"name": microseconds} table. Empty text: no measurements. INVALID_ARGUMENT naming the node
// whose entry is not a non-negative time or whose frozen_scale is not a positive number, or
// for an untraced_scale that is not positive numbers.
StatusOr<MeasuredCosts> parse_measured_costs(std::string_view json_text);

// The engine each node ran best with where the program's `--profile` compared them:
// {"nodes": {"name": {"engine": "eager" | "frozen" | "prepacked", ...}}}. Nodes without one are
// left out; empty text or a plain table: none. INVALID_ARGUMENT naming the node of any other
// engine.
using MeasuredEngines = std::map<std::string, std::string>;
StatusOr<MeasuredEngines> parse_measured_engines(std::string_view json_text);

}  // namespace ramiel::cost
