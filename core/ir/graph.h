// The dataflow IR: a Graph owns Nodes and the Values (tensors, and the lists of tensors and
// optionals of ONNX's sequence and optional types: see TypeKind) flowing between them.
//
// As in ONNX's ir.h and MLIR: every Value has one producer (a node, a graph input or a constant)
// and a use list; only Graph and Node::set_input change edges, so use lists stay consistent.
// Ids are dense and never reused, so analyses index vectors by id; nodes() is kept in a
// topological order.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ir/attributes.h"
#include "core/ir/op_kind.h"
#include "core/ir/tensor.h"
#include "core/support/name_supply.h"

namespace ramiel::ir {

using NodeId = int32_t;
using ValueId = int32_t;

class Graph;
class Node;

enum class ValueKind { kGraphInput, kConstant, kNodeOutput };

// Where a constant's contents live at run time.
enum class ConstantOrigin {
  kModel,   // an initializer or Constant node of the model file, loaded from there by name
  kFolded,  // computed by the compiler; its (small) contents travel with the generated program
};

struct Use {
  Node* user;
  int input_index;
  bool operator==(const Use&) const = default;
};

class Value {
 public:
  ValueId id() const { return id_; }
  const std::string& name() const { return name_; }
  ValueKind kind() const { return kind_; }
  const TensorType& type() const { return type_; }
  void set_type(TensorType type) { type_ = std::move(type); }

  // The producing node and which of its outputs this is (kNodeOutput only).
  Node* producer() const { return producer_; }
  int producer_output() const { return producer_output_; }
  const std::vector<Use>& uses() const { return uses_; }
  bool has_uses() const { return !uses_.empty(); }

  bool is_constant() const { return kind_ == ValueKind::kConstant; }
  bool is_graph_input() const { return kind_ == ValueKind::kGraphInput; }
  // The constant's contents (kConstant only; may be data-less, see Tensor).
  const Tensor* constant() const { return is_constant() ? &constant_ : nullptr; }
  ConstantOrigin constant_origin() const { return origin_; }
  bool is_graph_output() const { return graph_output_count_ > 0; }

 private:
  friend class Graph;
  friend class Node;
  Value(ValueId id, std::string name, ValueKind kind, TensorType type)
      : id_(id), name_(std::move(name)), kind_(kind), type_(std::move(type)) {}

  ValueId id_;
  std::string name_;
  ValueKind kind_;
  TensorType type_;
  Node* producer_ = nullptr;
  int producer_output_ = -1;
  std::vector<Use> uses_;
  Tensor constant_;
  ConstantOrigin origin_ = ConstantOrigin::kModel;
  int graph_output_count_ = 0;
};

class Node {
 public:
  NodeId id() const { return id_; }
  OpKind op() const { return op_; }
  std::string_view op_type() const { return op_name(op_); }
  // The opset the node was written for: ai.onnx's, or for the training optimizers
  // (ir::is_training_op) ai.onnx.preview.training's. Its operands always have the newest layout
  // (the import normalises them: frontend/normalize_operands.h), so code reads this only where
  // an op's meaning changed between opsets.
  int opset() const { return opset_; }
  const std::string& name() const { return name_; }

  // Inputs may be null: an omitted optional input.
  size_t num_inputs() const { return inputs_.size(); }
  Value* input(size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  const std::vector<Value*>& inputs() const { return inputs_; }
  size_t num_outputs() const { return outputs_.size(); }
  Value* output(size_t i) const { return outputs_.at(i); }
  const std::vector<Value*>& outputs() const { return outputs_; }
  // Whether an input or output is a string tensor (few ops take them; see codegen and cost).
  bool touches_strings() const;

  Attributes& attributes() { return attributes_; }
  const Attributes& attributes() const { return attributes_; }

  // Rewires input `i` (which must exist) to `value` (may be null), keeping use lists right.
  void set_input(size_t i, Value* value);
  // As set_input, first adding omitted (null) inputs up to `i`: for the import's normalisation,
  // which turns parameters that older opsets gave as attributes into inputs.
  void set_or_add_input(size_t i, Value* value);
  // For the import's normalisation only: an op ONNX renamed without changing its meaning
  // (Resize-10 is Upsample-9).
  void rename_op(OpKind op) { op_ = op; }

  // --- control flow (If, Loop, Scan) ----------------------------------------------------------
  // The bodies a control-flow node owns, by attribute name (If: then_branch and else_branch;
  // Loop and Scan: body). A body is a self-contained Graph ("isolated from above", as in MLIR):
  // every outer value it reads, directly or in a nested body, is one of the node's last
  // num_captures() inputs, after its ONNX operands, and the matching input of every body, after
  // the body's ONNX inputs (in the same order). Dataflow, scheduling, dead-code elimination and
  // the cost model so see the dependency as an ordinary input.
  bool has_subgraphs() const { return !subgraphs_.empty(); }
  const std::map<std::string, std::unique_ptr<Graph>>& subgraphs() const { return subgraphs_; }
  Graph* subgraph(const std::string& attribute) const;
  void set_subgraph(const std::string& attribute, std::unique_ptr<Graph> body);
  // Takes a body away from the node (a pass that inlines it).
  std::unique_ptr<Graph> release_subgraph(const std::string& attribute);
  size_t num_captures() const { return num_captures_; }
  size_t num_operands() const { return inputs_.size() - num_captures_; }
  // Appends `value` as a captured input (the import; every body gets the matching input).
  void add_capture(Value* value);
  // Removes captured input `k` (0-based among the captures), which no body may still read; the
  // caller removes the matching body inputs.
  void remove_capture(size_t k);
  ~Node();

 private:
  friend class Graph;
  Node(NodeId id, OpKind op, int opset, std::string name)
      : id_(id), op_(op), opset_(opset), name_(std::move(name)) {}

  NodeId id_;
  OpKind op_;
  int opset_;
  std::string name_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  Attributes attributes_;
  std::list<Node*>::iterator position_;
  std::map<std::string, std::unique_ptr<Graph>> subgraphs_;
  size_t num_captures_ = 0;
};

// An output to create with a node: its name and static type.
struct OutputSpec {
  std::string name;
  TensorType type;
};

class Graph {
 public:
  Graph() = default;
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  // Facts about the model the graph came from.
  std::string name;
  int64_t ir_version = 0;
  int opset = 0;  // ai.onnx opset of the model

  // --- building -------------------------------------------------------------------------------
  // Names given here must be unique among values; use unique_value_name() when unsure.
  Value* add_input(std::string name, TensorType type);
  Value* add_constant(std::string name, Tensor contents, ConstantOrigin origin);
  // Appends a node at the end of the order (so it must come after its inputs' producers).
  Node* add_node(OpKind op, std::string name, const std::vector<Value*>& inputs,
                 const std::vector<OutputSpec>& outputs, Attributes attributes = {},
                 int opset = 0 /* 0: the graph's opset */);
  // A copy of `original` (same op, inputs, attributes), placed right after it in the order; never
  // a control-flow node (one with subgraphs), which passes leave uncloned.
  // Its outputs are new values named after the originals with `suffix`, with no uses.
  Node* clone_node(const Node* original, std::string_view suffix);
  void set_outputs(const std::vector<Value*>& outputs);
  // Reorders the graph inputs; `inputs` must hold the same values (a body's captures take the
  // order of its node's).
  void reorder_inputs(const std::vector<Value*>& inputs);
  // Removes graph input `index`, which must be unused and not a graph output.
  void remove_input(size_t index);
  // Moves `node` right before `anchor` in the order; the caller keeps the order topological.
  void move_before(Node* node, const Node* anchor);

  // --- rewriting -------------------------------------------------------------------------------
  // Points every use of `from`, including graph outputs, at `to`.
  void replace_all_uses(Value* from, Value* to);
  // Removes a node whose outputs are unused and not graph outputs; its input uses go away.
  void remove_node(Node* node);
  // Removes an unused constant that is not a graph output.
  void remove_constant(Value* value);
  // Gives `value` a new name, which must not name another live value. Passes use it so that a
  // replacement can take over a value's ONNX name (users read those names in the program).
  void rename_value(Value* value, std::string new_name);

  // --- queries ---------------------------------------------------------------------------------
  const std::list<Node*>& nodes() const { return order_; }  // topological order
  size_t num_nodes() const { return order_.size(); }
  // Nodes here and in every body below, recursively (the model's size).
  size_t num_nodes_nested() const;
  // Subgraph nesting below this graph: 0 without control flow.
  int nesting_depth() const;
  const std::vector<Value*>& inputs() const { return inputs_; }
  const std::vector<Value*>& outputs() const { return outputs_; }
  std::vector<Value*> constants() const;  // live constants, by id
  // Id bounds: every live node id is < node_id_bound() (for vectors indexed by id).
  NodeId node_id_bound() const { return static_cast<NodeId>(node_storage_.size()); }
  ValueId value_id_bound() const { return static_cast<ValueId>(value_storage_.size()); }
  Node* node(NodeId id) const { return node_storage_.at(static_cast<size_t>(id)).get(); }
  Value* value(ValueId id) const { return value_storage_.at(static_cast<size_t>(id)).get(); }
  Value* find_value(std::string_view name) const;
  Node* find_node(std::string_view name) const;

  std::string unique_value_name(std::string_view base) { return value_names_.fresh(base); }
  std::string unique_node_name(std::string_view base) { return node_names_.fresh(base); }

 private:
  Value* new_value(std::string name, ValueKind kind, TensorType type);

  std::vector<std::unique_ptr<Node>> node_storage_;    // by id; null once removed
  std::vector<std::unique_ptr<Value>> value_storage_;  // by id; null once removed
  std::list<Node*> order_;
  std::vector<Value*> inputs_;
  std::vector<Value*> outputs_;
  std::unordered_map<std::string, Value*> value_by_name_;
  std::unordered_map<std::string, Node*> node_by_name_;
  NameSupply value_names_;
  NameSupply node_names_;
};

}  // namespace ramiel::ir
