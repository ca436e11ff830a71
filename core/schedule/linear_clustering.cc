#include "core/schedule/linear_clustering.h"

#include <algorithm>

namespace ramiel::schedule {

std::vector<std::vector<int32_t>> linear_clusters(const DataflowGraph& graph,
                                                  const std::vector<double>& bottom,
                                                  const std::vector<int32_t>& order) {
  const auto n = static_cast<size_t>(graph.size());
  // A node's predecessors come before it in `order`, so a path head is never reached before
  // all its predecessors are in paths: paths start where the remaining graph starts.
  std::vector<bool> clustered(n, false);
  std::vector<std::vector<int32_t>> paths;
  for (int32_t head : order) {
    if (clustered[static_cast<size_t>(head)]) continue;
    std::vector<int32_t>& path = paths.emplace_back();
    for (int32_t v = head; v >= 0;) {
      clustered[static_cast<size_t>(v)] = true;
      path.push_back(v);
      int32_t next = -1;
      double best = -1;
      for (const Edge& e : graph.succ[static_cast<size_t>(v)]) {
        if (clustered[static_cast<size_t>(e.node)]) continue;
        const double weight = e.cost_us + bottom[static_cast<size_t>(e.node)];
        if (weight > best || (weight == best && e.node < next)) {
          best = weight;
          next = e.node;
        }
      }
      v = next;
    }
  }
  return paths;
}

}  // namespace ramiel::schedule
