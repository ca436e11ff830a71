#include "core/passes/pass_registry.h"

#include <array>

#include "core/passes/clone_nodes.h"
#include "core/passes/eliminate_dead_code.h"
#include "core/passes/fold_constants.h"
#include "core/passes/fuse_ops.h"
#include "core/passes/pool_before_conv.h"
#include "core/passes/remove_noops.h"
#include "core/passes/split_branches.h"

namespace ramiel::passes {
namespace {

struct Entry {
  std::string_view name;
  PassFunction function;
};

// The one list of passes, in the order compile() runs them: folding first (it exposes dead code
// and no-ops), then no-op removal, then dead-code elimination (of what both left behind), fusion
// of what is left, pooling moved before pointwise convolutions, branch splitting, and cloning
// last so that dead consumers cause no copies.
constexpr std::array kPasses = {
    Entry{"fold-constants", fold_constants},
    Entry{"remove-noops", remove_noops},
    Entry{"eliminate-dead-code", eliminate_dead_code},
    Entry{"fuse-ops", fuse_ops},
    Entry{"pool-before-conv", pool_before_conv},
    Entry{"split-branches", split_branches},
    Entry{"clone-nodes", clone_nodes},
};

}  // namespace

std::vector<std::string> registered_pass_names() {
  std::vector<std::string> names;
  for (const Entry& entry : kPasses) names.emplace_back(entry.name);
  return names;
}

StatusOr<std::unique_ptr<Pass>> create_pass(std::string_view name) {
  for (const Entry& entry : kPasses) {
    if (entry.name == name) {
      return std::unique_ptr<Pass>(new FunctionPass(std::string(name), entry.function));
    }
  }
  std::string known;
  for (const Entry& entry : kPasses) known += (known.empty() ? "" : ", ") + std::string(entry.name);
  return invalid_argument("unknown pass \"" + std::string(name) + "\" (known: " + known + ")");
}

}  // namespace ramiel::passes
