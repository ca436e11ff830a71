// ramiel_codegen_tool: compiles an ONNX file to model.py with a schedule given by hand, for the
// Python tests (they write small models with onnx.helper and choose the clusters).
//
//   ramiel_codegen_tool --onnx M.onnx --out DIR [--clusters "a,b;c"] [--threads "2,1"]
//                       [--fold-initializers]
//
// --clusters lists node names per cluster (';' between clusters); default: one cluster.
// --threads gives each cluster's intra-op threads (Schedule::cluster_threads); default: none.
// --fold-initializers marks every initializer with known contents as folded, so the program
// carries it as a literal instead of loading it (exercising the folded-constant paths).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/codegen/codegen.h"
#include "core/frontend/onnx_import.h"
#include "core/schedule/simulate.h"
#include "core/support/sha256.h"
#include "tests/codegen/scheduled_graph.h"

namespace ramiel::codegen::testing {
namespace {

void fold_initializers(ir::Graph& graph) {
  for (ir::Value* c : graph.constants()) {
    if (!c->constant()->has_data() || c->constant()->dtype() == ir::DType::kString) continue;
    const std::string name = c->name();
    ir::Value* folded = graph.add_constant(graph.unique_value_name(name + "_folded"),
                                           *c->constant(), ir::ConstantOrigin::kFolded);
    graph.replace_all_uses(c, folded);
    graph.remove_constant(c);
    graph.rename_value(folded, name);
  }
}

int run(int argc, char** argv) {
  std::string onnx_path, out_dir, clusters, threads;
  bool fold = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--onnx") {
      onnx_path = value();
    } else if (arg == "--out") {
      out_dir = value();
    } else if (arg == "--clusters") {
      clusters = value();
    } else if (arg == "--threads") {
      threads = value();
    } else if (arg == "--fold-initializers") {
      fold = true;
    } else {
      std::cerr << "unknown argument " << arg << "\n";
      return 2;
    }
  }
  if (onnx_path.empty() || out_dir.empty()) {
    std::cerr << "usage: ramiel_codegen_tool --onnx M.onnx --out DIR [--clusters SPEC] "
                 "[--threads SPEC] [--fold-initializers]\n";
    return 2;
  }
  std::ifstream in(onnx_path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string model = bytes.str();
  frontend::ImportOptions options;
  options.model_dir = std::filesystem::absolute(onnx_path).parent_path();
  auto imported = frontend::import_onnx(model, options);
  if (!imported.ok()) {
    std::cerr << "error: " << imported.status().to_string() << "\n";
    return 1;
  }
  if (fold) fold_initializers(*imported->graph);
  auto scheduled = schedule_by_name(std::move(imported->graph), parse_clusters(clusters));
  if (!scheduled.ok()) {
    std::cerr << "error: " << scheduled.status().to_string() << "\n";
    return 1;
  }
  std::stringstream thread_counts(threads);
  for (std::string count; std::getline(thread_counts, count, ',');) {
    scheduled->schedule.cluster_threads.push_back(std::stoi(count));
  }
  if (!scheduled->schedule.cluster_threads.empty() &&
      scheduled->schedule.cluster_threads.size() != scheduled->schedule.clusters.size()) {
    std::cerr << "error: --threads needs one count per cluster\n";
    return 1;
  }
  CodegenInput input = scheduled->input(sha256_hex(model));
  input.options_summary = "clusters=" + (clusters.empty() ? std::string("(one)") : clusters);
  auto files = generate_python(input);
  if (!files.ok()) {
    std::cerr << "error: " << files.status().to_string() << "\n";
    return 1;
  }
  // A hand-written schedule is not verified (its times are made up), but one that deadlocks
  // must not become a program that hangs: the scheduler's simulation refuses it.
  const schedule::Schedule& plan = scheduled->schedule;
  auto simulated = schedule::simulate_clusters(scheduled->dataflow, plan.cluster_of, plan.clusters);
  if (!simulated.ok()) {
    std::cerr << "error: " << simulated.status().to_string() << "\n";
    return 1;
  }
  std::filesystem::create_directories(out_dir);
  for (const auto& [name, contents] : *files) {
    std::ofstream(std::filesystem::path(out_dir) / name, std::ios::binary) << contents;
  }
  return 0;
}

}  // namespace
}  // namespace ramiel::codegen::testing

int main(int argc, char** argv) {
  return ramiel::codegen::testing::run(argc, argv);
}
