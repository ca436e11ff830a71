#include "core/codegen/engines.h"

#include "core/ir/split_parts.h"

namespace ramiel::codegen {
namespace {

// The op-mix rule, for clusters no profile measured. Measured on the reference models at one
// core (bench/compare_programs.py --engines eager frozen --engines-only, taskset -c 1, medians
// of 12 interleaved runs; frozen / eager): ResNet-50 0.76, Transformer encoder 0.78,
// Inception-v3 0.98, DenseNet-121 1.02, SqueezeNet 1.27, GoogLeNet 1.33. So frozen where
// - convolutions carry at least kConvShare of the predicted cost and residual Adds (an Add of
//   two computed tensors) number at least kAddsPerConv of the convolutions: oneDNN's prepacked
//   weights and conv+add+relu fusion pay, where branches joined by Concat and MaxPool lose to
//   the layout changes around each oneDNN region; or
// - there are no convolutions and MatMul/Gemm carry at least kMatMulShare of the cost: the
//   many small ops around them pay Python's dispatch once per op eagerly, never frozen.
constexpr double kConvShare = 0.6;
constexpr double kAddsPerConv = 0.2;
constexpr double kMatMulShare = 0.5;

bool computed(const ir::Value* value) {
  return value != nullptr && value->producer() != nullptr;
}

std::string op_mix_engine(const schedule::DataflowGraph& dataflow,
                          const std::vector<int32_t>& cluster) {
  double total = 0;
  double conv = 0;
  double matmul = 0;
  int convs = 0;
  int residual_adds = 0;
  for (int32_t v : cluster) {
    const ir::Node& node = dataflow.ir_node(v);
    total += dataflow.cost(v);
    if (node.op() == ir::OpKind::Conv) {
      conv += dataflow.cost(v);
      ++convs;
    } else if (node.op() == ir::OpKind::MatMul || node.op() == ir::OpKind::Gemm) {
      matmul += dataflow.cost(v);
    } else if (node.op() == ir::OpKind::Add && node.num_inputs() == 2 && computed(node.input(0)) &&
               computed(node.input(1))) {
      ++residual_adds;
    }
  }
  if (total <= 0) return "eager";
  const bool residual_convs =
      conv >= kConvShare * total && convs > 0 && residual_adds >= kAddsPerConv * convs;
  const bool matmul_bound = convs == 0 && matmul >= kMatMulShare * total;
  return residual_convs || matmul_bound ? "frozen" : "eager";
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
