#include "core/schedule/linear_clustering.h"

namespace ramiel::schedule {

LinearClusters linear_clusters(const DataflowGraph& graph, const std::vector<double>& bottom,
                               const std::vector<int32_t>& order) {
  const auto n = static_cast<size_t>(graph.size());
  LinearClusters paths;
  paths.nodes.reserve(n);
  paths.path_of.assign(n, -1);
  // A node's predecessors come before it in `order`, so a path head is never reached before
  // all its predecessors are in paths: paths start where the remaining graph starts.
  for (int32_t head : order) {
    if (paths.path_of[static_cast<size_t>(head)] >= 0) continue;
    const int32_t p = paths.count();
    for (int32_t v = head; v >= 0;) {
      paths.path_of[static_cast<size_t>(v)] = p;
      paths.nodes.push_back(v);
      int32_t next = -1;
      double best = -1;
      for (const Edge& e : graph.succ(v)) {
        if (paths.path_of[static_cast<size_t>(e.node)] >= 0) continue;
        const double weight = e.cost_us + bottom[static_cast<size_t>(e.node)];
        if (weight > best || (weight == best && e.node < next)) {
          best = weight;
          next = e.node;
        }
      }
      v = next;
    }
    paths.begin.push_back(static_cast<int32_t>(paths.nodes.size()));
  }
  return paths;
}

}  // namespace ramiel::schedule
