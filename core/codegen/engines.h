// Which engine runs each cluster of the generated program (model.py's ENGINES table): "eager"
// runs the cluster's Python function as written; "frozen" and "prepacked" have load() trace it
// once and run it through torch.jit.freeze, then optimize_for_inference ("frozen": oneDNN's
// layout, residual Adds fused into convolutions) or with the weights of its convolutions and
// large matrix products packed for oneDNN once, ReLUs and biases fused, on the program's own
// tensors ("prepacked") (runtime/engines.py, runtime/prepack.py, runtime/prepack_products.py,
// runtime/shared_concats.py).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/ir/graph.h"
#include "core/ir/op_kind.h"

#include "core/schedule/dataflow_graph.h"
#include "core/schedule/schedule.h"

namespace ramiel::codegen {

// Node name -> the engine its cluster ran best with in a profiled run (`model.py --profile`).
using MeasuredEngines = std::map<std::string, std::string>;

inline constexpr std::string_view kEager = "eager";
inline constexpr std::string_view kFrozen = "frozen";
inline constexpr std::string_view kPrepacked = "prepacked";

// Whether load() traces a cluster run by `engine` (frozen, prepacked), which then runs as one
// call: no node in it can be timed, none hands a tensor over before the cluster ends.
bool is_traced(std::string_view engine);

// Whether a node of kind `op` in a cluster run by `engine` reads weights packed once at load
// rather than on every call: a traced cluster's convolutions and matrix products (a prepacked
// cluster leaves a matrix-vector product to BLAS, which reads its weights as they are anyway).
bool reads_prepacked_weights(std::string_view engine, ir::OpKind op);

// Whether `node` runs inside its producer's kernel in a cluster run by `engine`, being the
// only reader of its one computed input (the others constants), whose producer runs in the
// same traced cluster (`same_cluster`): a Relu after a Conv, as the
// prepacked engine's conv2d_run and optimize_for_inference fuse it; and in a prepacked cluster
// a bias Add after a MatMul by a constant weight (prepack_products.py), and a Div or Mul by a
// constant scalar after a MatMul of two computed tensors (native_products.py, which assumes
// the program finds Ramiel's operator library, as a compiled program does beside it).
bool fused_into_producer(std::string_view engine, const ir::Node& node, bool same_cluster);

// The share of a node's output that a cluster run by `engine` copies on each run: 1 but for a
// Concat that the prepacked engine makes a view of a tensor shared with the Concat before it
// (runtime/shared_concats.py: in a chain of Concats along the channels, each beginning with all
// of the previous one's inputs, each input is copied once), which copies only the inputs that
// Concat lacks. `in_cluster` says whether a node runs in `node`'s cluster.
double concat_copied_share(std::string_view engine, const ir::Node& node,
                           const std::function<bool(const ir::Node&)>& in_cluster);

// Whether the prepacked engine runs `node` as a max over rows, then over columns
// (runtime/separable_pools.py): a 2-D MaxPool without indices, undilated, with windows that
// overlap, of a float32 input of at least kMinSeparablePoolElements elements.
inline constexpr int64_t kMinSeparablePoolElements = 100'000;  // separable_pools.py's minimum
bool pools_separably(std::string_view engine, const ir::Node& node);

// One engine per cluster. Where `measured` names some of a cluster's nodes (a split part is
// looked up by the whole node's name too), the engine their one-thread costs vote for; else
// the op-mix rule (engines.cc).
std::vector<std::string> choose_engines(const schedule::DataflowGraph& dataflow,
                                        const schedule::Schedule& schedule,
                                        const MeasuredEngines& measured);

}  // namespace ramiel::codegen
