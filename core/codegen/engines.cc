#include "core/codegen/engines.h"

#include "core/ir/split_parts.h"

namespace ramiel::codegen {
namespace {

// The op-mix rule, for clusters no profile measured: frozen when convolutions carry at least
// kFrozenConvShare of the cluster's predicted one-thread cost and residual Adds (an Add of two
// computed tensors) make up at least kFrozenAddsPerConv of its convolutions: then oneDNN's
// prepacked weights and its conv+add+relu fusion pay. Without residual Adds, branches joined by
// Concat and MaxPool pay for the layout changes around each oneDNN region. Measured on the
// reference models (bench/compare_programs.py --engines eager frozen, see README.md).
constexpr double kFrozenConvShare = 0.6;
constexpr double kFrozenAddsPerConv = 0.2;

bool computed(const ir::Value* value) {
  return value != nullptr && value->producer() != nullptr;
}

std::string op_mix_engine(const schedule::DataflowGraph& dataflow,
                          const std::vector<int32_t>& cluster) {
  double total = 0;
  double conv = 0;
  int convs = 0;
  int residual_adds = 0;
  for (int32_t v : cluster) {
    const ir::Node& node = dataflow.ir_node(v);
    total += dataflow.cost(v);
    if (node.op() == ir::OpKind::Conv) {
      conv += dataflow.cost(v);
      ++convs;
    } else if (node.op() == ir::OpKind::Add && node.num_inputs() == 2 &&
               computed(node.input(0)) && computed(node.input(1))) {
      ++residual_adds;
    }
  }
  const bool conv_heavy = total > 0 && conv >= kFrozenConvShare * total;
  const bool residual = convs > 0 && residual_adds >= kFrozenAddsPerConv * convs;
  return conv_heavy && residual ? "frozen" : "eager";
}

// The engine recorded for `node`: by its name, or for a split part by the whole node's.
const std::string* measured_engine(const MeasuredEngines& measured, const std::string& name) {
  auto it = measured.find(name);
  if (it == measured.end() && name.ends_with(ir::kSplitPartSuffix)) {
    it = measured.find(name.substr(0, name.size() - ir::kSplitPartSuffix.size()));
  }
  return it == measured.end() ? nullptr : &it->second;
}

}  // namespace

std::vector<std::string> choose_engines(const schedule::DataflowGraph& dataflow,
                                        const schedule::Schedule& schedule,
                                        const MeasuredEngines& measured) {
  std::vector<std::string> engines;
  for (const std::vector<int32_t>& cluster : schedule.clusters) {
    double frozen = 0;
    double eager = 0;
    for (int32_t v : cluster) {
      const std::string* engine = measured_engine(measured, dataflow.ir_node(v).name());
      if (engine == nullptr) continue;
      // A free node still votes: a cluster of only those keeps its measured engine.
      (*engine == "frozen" ? frozen : eager) += dataflow.cost(v) + 1e-3;
    }
    if (frozen + eager > 0) {
      engines.push_back(frozen > eager ? "frozen" : "eager");
    } else {
      engines.push_back(op_mix_engine(dataflow, cluster));
    }
  }
  return engines;
}

}  // namespace ramiel::codegen
