#include "core/schedule/random_dag.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/support/check.h"

namespace ramiel::schedule {
namespace {

// splitmix64: tiny, fast and fully specified, unlike std:: distributions, whose output differs
// between standard libraries.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  // Uniform in [0, n).
  int32_t below(int32_t n) {
    return static_cast<int32_t>(next() % static_cast<uint64_t>(std::max(n, 1)));
  }
  double log_uniform(double lo, double hi) {
    if (!(lo > 0) || !(hi > lo)) return std::max(lo, 0.0);
    return lo * std::exp(uniform() * std::log(hi / lo));
  }

 private:
  uint64_t state_;
};

}  // namespace

DataflowGraphBuilder random_dag_edges(const RandomDagOptions& options) {
  Random random(options.seed);
  const int32_t n = std::max(options.nodes, 0);
  DataflowGraphBuilder graph;
  if (n == 0) return graph;
  int32_t layers =
      options.layers > 0 ? options.layers : static_cast<int32_t>(std::lround(std::sqrt(n)));
  layers = std::clamp(layers, 1, n);

  // Layer sizes: one node each, the rest scattered at random.
  std::vector<int32_t> layer_size(static_cast<size_t>(layers), 1);
  for (int32_t i = layers; i < n; ++i) ++layer_size[static_cast<size_t>(random.below(layers))];

  std::vector<int32_t> layer_begin;  // first node of each layer
  std::vector<int32_t> preds;
  for (int32_t layer = 0; layer < layers; ++layer) {
    layer_begin.push_back(graph.size());
    for (int32_t i = 0; i < layer_size[static_cast<size_t>(layer)]; ++i) {
      const double cost = random.log_uniform(options.min_node_us, options.max_node_us);
      const int32_t v =
          options.max_wide_speedup > 1
              ? graph.add_node(cost, cost / random.log_uniform(1.0, options.max_wide_speedup))
              : graph.add_node(cost);
      if (layer == 0) continue;
      const int32_t fan_in = 1 + random.below(std::max(options.max_fan_in, 1));
      preds.clear();
      for (int32_t k = 0; k < fan_in; ++k) {
        const bool skip = layer >= 2 && random.uniform() < options.skip_probability;
        const int32_t from_layer = skip ? random.below(layer - 1) : layer - 1;
        const int32_t begin = layer_begin[static_cast<size_t>(from_layer)];
        const int32_t p = begin + random.below(layer_size[static_cast<size_t>(from_layer)]);
        if (std::find(preds.begin(), preds.end(), p) != preds.end()) continue;
        preds.push_back(p);
      }
      std::sort(preds.begin(), preds.end());
      for (int32_t p : preds) {
        graph.add_edge(p, v, random.log_uniform(options.min_edge_us, options.max_edge_us));
      }
    }
  }
  return graph;
}

DataflowGraph random_dag(const RandomDagOptions& options) {
  StatusOr<DataflowGraph> graph = DataflowGraph::from_builder(random_dag_edges(options));
  RAMIEL_CHECK(graph.ok());  // add_node and add_edge keep every promise
  return std::move(graph).value();
}

}  // namespace ramiel::schedule
