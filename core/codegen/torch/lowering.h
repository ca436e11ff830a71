// The lowering: decides the program's shape and calls the per-op emitters for the statements.
//
// It checks that the schedule covers the graph and cannot deadlock, names every tensor, emits
// each node once, then assembles one function per cluster (receiving cross-cluster tensors just
// before their first use, sending results right after they are made, deleting each local after
// its last use), the serial function, the tables the runtime reads, and prints the module.
#pragma once

#include <string>

#include "core/codegen/codegen.h"

namespace ramiel::codegen {

StatusOr<std::string> lower_program(const CodegenInput& input);

}  // namespace ramiel::codegen
