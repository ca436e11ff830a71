// The explicit bounds on what a model may ask of the compiler. Models come from devices Ramiel
// does not control, so every count and size taken from a model is checked against one of these
// before anything is allocated or any ONNX library code runs; a model over a limit is refused
// with INVALID_ARGUMENT naming the limit and its value (see limit_text()).
//
// The defaults sit far above what real models use (the six reference models, and models up to
// the server's 256 MiB upload limit) and far below what would exhaust a compile's memory or
// time. They are documented in README.md ("What Ramiel accepts").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ramiel::ir {

struct ModelLimits {
  // Elements of one tensor: an initializer, a constant, or any value whose shape is known
  // (2^34: 64 GiB of float32). Dims whose product overflows int64 are always refused.
  int64_t max_tensor_elements = int64_t{1} << 34;
  // Dims of one tensor or value (PyTorch's own limit; the six reference models use at most 5).
  int64_t max_tensor_rank = 64;
  // Nodes in the whole model: main graph, subgraphs and function bodies together.
  int64_t max_nodes = 100'000;
  // Subgraph nesting below the main graph (If/Loop/Scan bodies, GRAPH and GRAPHS attributes).
  int64_t max_graph_depth = 16;
  // Calls from model-local function to model-local function, counted from the main graph.
  // Recursion (a function that reaches itself) is refused at any depth.
  int64_t max_function_depth = 16;
  // One list attribute as the compiler holds it: 8 bytes per int, 4 per float, a string's
  // length. A tensor attribute is a tensor and is bounded as one.
  int64_t max_attribute_bytes = int64_t{64} << 20;
  // One string: a string attribute, or one element of a string tensor.
  int64_t max_string_bytes = int64_t{64} << 10;
  // Any name: nodes, values, initializers, graphs, functions, attributes, op types, domains.
  int64_t max_name_bytes = 4096;
  // Inputs and outputs of one node. Inputs are held lower: the Python emitted for an n-input
  // Max or Min nests n calls deep, and printing it grows faster than n^2 (1024 inputs: 2.6 s).
  int64_t max_node_inputs = 1024;
  int64_t max_node_outputs = 4096;
  // Largest tensor constant folding creates; a bigger result (a huge Expand, Tile,
  // ConstantOfShape or broadcast) is not an error: the node stays and runs at run time.
  int64_t max_folded_elements = 4096;
};

// "the limit max_nodes=100000": how every refusal names the limit it hit.
inline std::string limit_text(std::string_view name, int64_t value) {
  return "the limit " + std::string(name) + "=" + std::to_string(value);
}

}  // namespace ramiel::ir
