#include "core/codegen/engines.h"

#include <algorithm>

#include "core/ir/split_parts.h"

namespace ramiel::codegen {
namespace {

// The op-mix rule, for clusters no profile measured. Measured on the reference models at two
// threads (bench/compare_programs.py --engines eager frozen prepacked --engines-only, 25
// interleaved rounds; prepacked / eager, frozen / eager; core/codegen/README.md), on an AMD EPYC
// with AVX-512: ResNet-50 0.63, 0.73; DenseNet-121 0.82, 1.27; Inception-v3 0.75, 1.05;
// GoogLeNet 0.80, 1.56; SqueezeNet 0.80, 1.44; the Transformer encoder 0.73, 1.05 (its matrix
// products on oneDNN's kernels, twice as fast there as PyTorch's BLAS; on a CPU where the two
// ran alike, its three engines measured 8.1-8.4 ms). So prepacked where the weighted ops
// carry the cost: convolutions at least kConvShare of the predicted cost (their weights are no
// longer reordered on every call and no tensor changes layout, which beats frozen's
// conv+add+relu fusion on residual stacks too, and frozen loses where branches meet in Concat
// and MaxPool: a layout change around each oneDNN region), or, with no convolution, MatMul and
// Gemm at least kMatMulShare (and the many small ops around them pay Python's dispatch once
// per op eagerly, never traced). frozen is left for a profile to pick.
constexpr double kConvShare = 0.6;
constexpr double kMatMulShare = 0.5;

std::string op_mix_engine(const schedule::DataflowGraph& dataflow,
                          const std::vector<int32_t>& cluster) {
  double total = 0;
  double conv = 0;
  double matmul = 0;
  int convs = 0;
  for (int32_t v : cluster) {
    const ir::Node& node = dataflow.ir_node(v);
    total += dataflow.cost(v);
    if (node.op() == ir::OpKind::Conv) {
      conv += dataflow.cost(v);
      ++convs;
    } else if (node.op() == ir::OpKind::MatMul || node.op() == ir::OpKind::Gemm) {
      matmul += dataflow.cost(v);
    }
  }
  if (total <= 0) return std::string(kEager);
  if (convs > 0 && conv >= kConvShare * total) return std::string(kPrepacked);
  if (convs == 0 && matmul >= kMatMulShare * total) return std::string(kPrepacked);
  return std::string(kEager);
}

// The engine recorded for `node`: by its name, or for a split part by the whole node's.
const std::string* measured_engine(const MeasuredEngines& measured, const std::string& name) {
  auto it = measured.find(name);
  if (it == measured.end() && name.ends_with(ir::kSplitPartSuffix)) {
    it = measured.find(name.substr(0, name.size() - ir::kSplitPartSuffix.size()));
  }
  return it == measured.end() ? nullptr : &it->second;
}

// The shape of a float32 tensor value whose dims are all known, or null.
const ir::Shape* static_float_shape(const ir::Value* value) {
  if (value == nullptr || value->type().dtype != ir::DType::kFloat32 || !value->type().shape ||
      !ir::element_count(*value->type().shape)) {
    return nullptr;
  }
  return &*value->type().shape;
}

// A Concat of 4-D float32 tensors along the channels, of static sizes: what shared_concats.py
// takes.
bool joins_channels(const ir::Node& node) {
  if (node.op() != ir::OpKind::Concat || node.num_inputs() == 0 || node.num_outputs() != 1) {
    return false;
  }
  const int64_t axis = node.attributes().get_int("axis", 0);
  for (const ir::Value* value : node.inputs()) {
    const ir::Shape* shape = static_float_shape(value);
    if (shape == nullptr || shape->size() != 4) return false;
  }
  return axis == 1 || axis == -3;
}

// The Concat of the channels whose inputs are the longest proper beginning of `node`'s (every
// such Concat reads `node`'s first input), or null.
const ir::Node* extended_concat(const ir::Node& node) {
  const ir::Node* found = nullptr;
  for (const ir::Use& use : node.input(0)->uses()) {
    const ir::Node* other = use.user;
    if (other == &node || !joins_channels(*other) || other->num_inputs() >= node.num_inputs() ||
        !std::equal(other->inputs().begin(), other->inputs().end(), node.inputs().begin())) {
      continue;
    }
    if (found == nullptr || other->num_inputs() > found->num_inputs()) found = other;
  }
  return found;
}

// runtime/prepack_products.py's _MIN_ROWS and _MIN_MULTIPLY_ADDS, native_products.py's
// _MIN_ACTIVATION_MULTIPLY_ADDS: the products those passes take.
constexpr int64_t kMinProductRows = 2;
constexpr double kMinWeightedMultiplyAdds = 1 << 21;
constexpr double kMinActivationMultiplyAdds = 1 << 20;

// A MatMul by a constant [K, N] float32 weight of at least kMinProductRows rows and
// kMinWeightedMultiplyAdds, which the prepacked engine runs as a 1x1 convolution: its columns
// (N), else 0.
int64_t weighted_product_columns(const ir::Node& node) {
  if (node.op() != ir::OpKind::MatMul || node.num_inputs() != 2 || node.input(1) == nullptr ||
      !node.input(1)->is_constant()) {
    return 0;
  }
  const ir::Shape* a = static_float_shape(node.input(0));
  const ir::Shape* w = static_float_shape(node.input(1));
  if (a == nullptr || w == nullptr || a->empty() || w->size() != 2 || a->back() != (*w)[0]) {
    return 0;
  }
  const double rows = static_cast<double>(*ir::element_count(*a)) / static_cast<double>(a->back());
  const double multiply_adds = static_cast<double>(*ir::element_count(*a)) * (*w)[1];
  return rows >= kMinProductRows && multiply_adds >= kMinWeightedMultiplyAdds ? (*w)[1] : 0;
}

// A MatMul of two computed float32 tensors of one rank (2 or more), equal batch sizes and at
// least kMinActivationMultiplyAdds: ramiel::matmul_run where the operator library is loaded.
bool activation_product(const ir::Node& node) {
  if (node.op() != ir::OpKind::MatMul || node.num_inputs() != 2) return false;
  const ir::Shape* a = static_float_shape(node.input(0));
  const ir::Shape* b = static_float_shape(node.input(1));
  if (a == nullptr || b == nullptr || node.input(0)->is_constant() ||
      node.input(1)->is_constant() || a->size() < 2 || a->size() != b->size() ||
      !std::equal(a->begin(), a->end() - 2, b->begin()) || a->back() != (*b)[b->size() - 2]) {
    return false;
  }
  return static_cast<double>(*ir::element_count(*a)) * b->back() >= kMinActivationMultiplyAdds;
}

// A float32 constant of `count` elements whose last dim (if any) is `count`.
bool constant_of(const ir::Value* value, int64_t count, bool scalar) {
  const ir::Shape* shape = static_float_shape(value);
  if (shape == nullptr || !value->is_constant() || *ir::element_count(*shape) != count) {
    return false;
  }
  return scalar ? shape->empty() : !shape->empty() && shape->back() == count;
}

// The value `node` computes from that it alone reads, the rest of its inputs being constants:
// what it may fuse into. Null if there is none or more than one, or anything else reads it.
const ir::Value* only_computed_input(const ir::Node& node) {
  const ir::Value* found = nullptr;
  for (const ir::Value* input : node.inputs()) {
    if (input == nullptr || input->is_constant()) continue;
    if (found != nullptr || input->producer() == nullptr) return nullptr;
    found = input;
  }
  if (found == nullptr || found->uses().size() != 1 || found->is_graph_output()) return nullptr;
  return found;
}

// Whether the prepacked engine folds `node` into the product whose output only it reads: a
// bias Add (either operand order) into a weighted product's convolution (prepack_products.py's
// _bias_add), a division or multiplication by a constant scalar into an activation product
// (native_products.py).
bool folded_into_product(const ir::Node& node, const ir::Value& product_output) {
  const ir::Node& product = *product_output.producer();
  if (node.num_inputs() != 2) return false;
  if (node.op() == ir::OpKind::Add) {
    const ir::Value* bias = node.input(node.input(0) == &product_output ? 1 : 0);
    const int64_t columns = weighted_product_columns(product);
    return columns > 0 && constant_of(bias, columns, /*scalar=*/false);
  }
  return (node.op() == ir::OpKind::Div || node.op() == ir::OpKind::Mul) &&
         node.input(0) == &product_output && activation_product(product) &&
         constant_of(node.input(1), 1, /*scalar=*/true);
}

}  // namespace

bool is_traced(std::string_view engine) {
  return engine == kFrozen || engine == kPrepacked;
}

bool reads_prepacked_weights(std::string_view engine, ir::OpKind op) {
  return is_traced(engine) &&
         (op == ir::OpKind::Conv || op == ir::OpKind::MatMul || op == ir::OpKind::Gemm);
}

bool fused_into_producer(std::string_view engine, const ir::Node& node, bool same_cluster) {
  if (!is_traced(engine) || !same_cluster) return false;
  const ir::Value* input = only_computed_input(node);
  if (input == nullptr) return false;
  if (node.op() == ir::OpKind::Relu) return input->producer()->op() == ir::OpKind::Conv;
  return engine == kPrepacked && folded_into_product(node, *input);
}

double concat_copied_share(std::string_view engine, const ir::Node& node,
                           const std::function<bool(const ir::Node&)>& in_cluster) {
  if (engine != kPrepacked || !joins_channels(node)) return 1;
  const ir::Node* previous = extended_concat(node);
  if (previous == nullptr || !in_cluster(*previous)) return 1;
  // Two Concats extending the same one cannot both be its tensor: each then copies everything.
  int extending = 0;
  for (const ir::Use& use : node.input(0)->uses()) {
    if (use.user != previous && joins_channels(*use.user) &&
        extended_concat(*use.user) == previous) {
      ++extending;
    }
  }
  if (extending != 1) return 1;
  double copied = 0;
  double all = 0;
  for (size_t i = 0; i < node.num_inputs(); ++i) {
    const auto elements = static_cast<double>(*ir::element_count(*node.input(i)->type().shape));
    all += elements;
    if (i >= previous->num_inputs()) copied += elements;
  }
  return all > 0 ? copied / all : 1;
}

bool pools_separably(std::string_view engine, const ir::Node& node) {
  if (engine != kPrepacked || node.op() != ir::OpKind::MaxPool || node.num_outputs() != 1 ||
      node.num_inputs() != 1 || node.input(0) == nullptr) {
    return false;
  }
  const ir::Shape* shape = static_float_shape(node.input(0));
  if (shape == nullptr || shape->size() != 4 ||
      *ir::element_count(*shape) < kMinSeparablePoolElements) {
    return false;
  }
  const ir::Attributes& attributes = node.attributes();
  const std::vector<int64_t> kernel = attributes.get_ints("kernel_shape", {});
  const std::vector<int64_t> strides = attributes.get_ints("strides", {1, 1});
  const std::vector<int64_t> dilations = attributes.get_ints("dilations", {1, 1});
  if (kernel.size() != 2 || strides.size() != 2 || dilations != std::vector<int64_t>{1, 1}) {
    return false;
  }
  return kernel[0] > strides[0] || kernel[1] > strides[1];
}

std::vector<std::string> choose_engines(const schedule::DataflowGraph& dataflow,
                                        const schedule::Schedule& schedule,
                                        const MeasuredEngines& measured) {
  std::vector<std::string> engines;
  for (const std::vector<int32_t>& cluster : schedule.clusters) {
    std::map<std::string, double> votes;
    for (int32_t v : cluster) {
      const std::string* engine = measured_engine(measured, dataflow.ir_node(v).name());
      // A free node still votes: a cluster of only those keeps its measured engine.
      if (engine != nullptr) votes[*engine] += dataflow.cost(v) + 1e-3;
    }
    if (votes.empty()) {
      engines.push_back(op_mix_engine(dataflow, cluster));
      continue;
    }
    std::string winner(kEager);  // a tie stays eager, then frozen
    for (std::string_view engine : {kFrozen, kPrepacked}) {
      auto it = votes.find(std::string(engine));
      if (it != votes.end() && it->second > votes[winner]) winner = engine;
    }
    engines.push_back(winner);
  }
  return engines;
}

}  // namespace ramiel::codegen
