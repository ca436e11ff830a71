#include "core/schedule/levels.h"

#include <algorithm>
#include <utility>

namespace ramiel::schedule {

std::vector<double> bottom_levels(const DataflowGraph& graph) {
  std::vector<double> bottom(static_cast<size_t>(graph.size()), 0.0);
  for (int32_t v = graph.size() - 1; v >= 0; --v) {
    double tail = 0;
    for (const Edge& e : graph.succ(v)) {
      tail = std::max(tail, e.cost_us + bottom[static_cast<size_t>(e.node)]);
    }
    bottom[static_cast<size_t>(v)] = graph.cost(v) + tail;
  }
  return bottom;
}

std::vector<double> top_levels(const DataflowGraph& graph) {
  std::vector<double> top(static_cast<size_t>(graph.size()), 0.0);
  for (int32_t v = 0; v < graph.size(); ++v) {
    double head = 0;
    for (const Edge& e : graph.pred(v)) {
      head = std::max(head, top[static_cast<size_t>(e.node)] + graph.cost(e.node) + e.cost_us);
    }
    top[static_cast<size_t>(v)] = head;
  }
  return top;
}

std::vector<int32_t> level_order(const std::vector<double>& bottom) {
  std::vector<std::pair<double, int32_t>> keyed(bottom.size());
  for (size_t v = 0; v < bottom.size(); ++v) keyed[v] = {-bottom[v], static_cast<int32_t>(v)};
  std::sort(keyed.begin(), keyed.end());
  std::vector<int32_t> order(bottom.size());
  for (size_t i = 0; i < keyed.size(); ++i) order[i] = keyed[i].second;
  return order;
}

double critical_path_us(const std::vector<double>& bottom) {
  return bottom.empty() ? 0.0 : *std::max_element(bottom.begin(), bottom.end());
}

}  // namespace ramiel::schedule
