// Scheduler scaling: per-stage times on random DAGs of growing size and the fitted growth
// exponent (slope of log time against log nodes).
//
//   build-x/bench/schedule_scaling [--sizes 1000,10000,100000] [--runs 5] [--workers 4]
//                                  [--json FILE]
//
// Each size is scheduled --runs times (the same seeded graph) and every figure is the median.
// Besides wall-clock stage times it reports the CPU time of the whole call, which other
// processes on a busy machine disturb less, and fits the exponent to both.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/schedule/random_dag.h"
#include "core/schedule/schedule.h"
#include "core/support/stopwatch.h"

namespace {

using ramiel::schedule::DataflowGraph;
using ramiel::schedule::DataflowGraphBuilder;
using ramiel::schedule::Schedule;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t mid = v.size() / 2;
  return v.size() % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

// Least-squares slope of log(y) against log(x).
double loglog_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += std::log(x[i]) / static_cast<double>(n);
    my += std::log(y[i]) / static_cast<double>(n);
  }
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (std::log(x[i]) - mx) * (std::log(y[i]) - my);
    sxx += (std::log(x[i]) - mx) * (std::log(x[i]) - mx);
  }
  return sxx > 0 ? sxy / sxx : 0;
}

struct Row {
  int32_t nodes = 0;
  size_t edges = 0;
  int32_t linear_clusters = 0;
  size_t clusters = 0;
  double speedup = 0;
  // Median milliseconds per stage; "flatten" is building the snapshot from the edge list,
  // "total" that and the whole schedule_graph call.
  double flatten = 0, levels = 0, clustering = 0, merging = 0, verify = 0, total = 0;
  double cpu = 0;  // CPU time of the whole call
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Times the scheduler on random DAGs of growing size."};
  std::vector<int32_t> sizes = {1000, 10000, 100000};
  int runs = 5;
  int workers = 4;
  uint64_t seed = 1;
  std::string json_path;
  app.add_option("--sizes", sizes, "node counts")->delimiter(',');
  app.add_option("--runs", runs, "runs per size (medians are reported)")
      ->check(CLI::PositiveNumber);
  app.add_option("--workers", workers, "--workers of the schedule")->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "random DAG seed");
  app.add_option("--json", json_path, "also write the results as JSON to this file ('-': stdout)");
  CLI11_PARSE(app, argc, argv);

  std::vector<Row> rows;
  for (int32_t n : sizes) {
    ramiel::schedule::RandomDagOptions options;
    options.nodes = n;
    options.seed = seed;
    const DataflowGraphBuilder edges = ramiel::schedule::random_dag_edges(options);
    std::vector<double> flatten, levels, clustering, merging, verify, total, cpu;
    Schedule last;
    size_t num_edges = 0;
    for (int r = 0; r < runs; ++r) {
      const std::clock_t cpu_start = std::clock();
      ramiel::Stopwatch watch;
      auto graph = DataflowGraph::from_builder(edges);
      flatten.push_back(watch.elapsed_ms());
      if (!graph.ok()) {
        std::cerr << "random_dag_edges gave an invalid graph: " << graph.status().to_string()
                  << "\n";
        return 1;
      }
      num_edges = graph->num_edges();
      auto result = ramiel::schedule::schedule_graph(*graph, {workers, 1.05});
      total.push_back(watch.elapsed_ms());
      cpu.push_back(1e3 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
      if (!result.ok()) {
        std::cerr << "schedule_graph failed: " << result.status().to_string() << "\n";
        return 1;
      }
      last = std::move(result).value();
      levels.push_back(last.stats.levels_ms);
      clustering.push_back(last.stats.clustering_ms);
      merging.push_back(last.stats.merging_ms);
      verify.push_back(last.stats.verify_ms);
    }
    Row row;
    row.nodes = n;
    row.edges = num_edges;
    row.linear_clusters = last.stats.linear_clusters;
    row.clusters = last.clusters.size();
    row.speedup = last.speedup();
    row.flatten = median(flatten);
    row.levels = median(levels);
    row.clustering = median(clustering);
    row.merging = median(merging);
    row.verify = median(verify);
    row.total = median(total);
    row.cpu = median(cpu);
    rows.push_back(row);
  }

  std::vector<double> xs, wall, cpu;
  for (const Row& r : rows) {
    xs.push_back(r.nodes);
    wall.push_back(std::max(r.total, 1e-6));
    cpu.push_back(std::max(r.cpu, 1e-6));
  }
  const double exponent = rows.size() >= 2 ? loglog_slope(xs, wall) : 0;
  const double cpu_exponent = rows.size() >= 2 ? loglog_slope(xs, cpu) : 0;

  std::printf("random layered DAGs, %d workers, median of %d runs (ms)\n", workers, runs);
  std::printf("%8s %8s %8s %8s %8s %8s %8s %10s %8s %8s %9s %9s\n", "nodes", "edges", "paths",
              "clusters", "speedup", "flatten", "levels", "clustering", "merging", "verify",
              "total", "cpu");
  for (const Row& r : rows) {
    std::printf("%8d %8zu %8d %8zu %8.2f %8.2f %8.2f %10.2f %8.2f %8.2f %9.2f %9.2f\n", r.nodes,
                r.edges, r.linear_clusters, r.clusters, r.speedup, r.flatten, r.levels,
                r.clustering, r.merging, r.verify, r.total, r.cpu);
  }
  std::printf("growth exponent (log-log fit of total time): %.3f wall, %.3f cpu\n", exponent,
              cpu_exponent);

  if (!json_path.empty()) {
    nlohmann::json doc;
    doc["workers"] = workers;
    doc["runs"] = runs;
    doc["seed"] = seed;
    doc["exponent"] = exponent;
    doc["cpu_exponent"] = cpu_exponent;
    doc["sizes"] = nlohmann::json::array();
    for (const Row& r : rows) {
      doc["sizes"].push_back({{"nodes", r.nodes},
                              {"edges", r.edges},
                              {"linear_clusters", r.linear_clusters},
                              {"clusters", r.clusters},
                              {"speedup", r.speedup},
                              {"ms",
                               {{"flatten", r.flatten},
                                {"levels", r.levels},
                                {"clustering", r.clustering},
                                {"merging", r.merging},
                                {"verify", r.verify},
                                {"total", r.total},
                                {"cpu", r.cpu}}}});
    }
    if (json_path == "-") {
      std::cout << doc.dump(2) << "\n";
    } else {
      std::ofstream out(json_path);
      out << doc.dump(2) << "\n";
      if (!out) {
        std::cerr << "cannot write " << json_path << "\n";
        return 1;
      }
    }
  }
  return 0;
}
