// The registry of passes a pipeline may name.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/passes/pass.h"

namespace ramiel::passes {

// Every registered pass name, in the order the default pipeline runs them.
std::vector<std::string> registered_pass_names();

// A new instance of the named pass; INVALID_ARGUMENT naming the known passes when unknown.
StatusOr<std::unique_ptr<Pass>> create_pass(std::string_view name);

}  // namespace ramiel::passes
