#include "core/ir/graph.h"

#include <algorithm>

#include "core/support/check.h"

namespace ramiel::ir {

bool Node::touches_strings() const {
  auto is_string = [](const Value* v) { return v && v->type().dtype == DType::kString; };
  return std::any_of(inputs_.begin(), inputs_.end(), is_string) ||
         std::any_of(outputs_.begin(), outputs_.end(), is_string);
}

void Node::set_input(size_t i, Value* value) {
  RAMIEL_CHECK(i < inputs_.size());
  const Use use{this, static_cast<int>(i)};
  if (Value* previous = inputs_[i]) {
    auto it = std::find(previous->uses_.begin(), previous->uses_.end(), use);
    RAMIEL_CHECK(it != previous->uses_.end());
    previous->uses_.erase(it);
  }
  inputs_[i] = value;
  if (value) value->uses_.push_back(use);
}

void Node::set_or_add_input(size_t i, Value* value) {
  if (inputs_.size() <= i) inputs_.resize(i + 1, nullptr);
  set_input(i, value);
}

Node::~Node() = default;
Graph::~Graph() = default;

Graph* Node::subgraph(const std::string& attribute) const {
  auto it = subgraphs_.find(attribute);
  return it == subgraphs_.end() ? nullptr : it->second.get();
}

void Node::set_subgraph(const std::string& attribute, std::unique_ptr<Graph> body) {
  subgraphs_[attribute] = std::move(body);
}

std::unique_ptr<Graph> Node::release_subgraph(const std::string& attribute) {
  auto it = subgraphs_.find(attribute);
  if (it == subgraphs_.end()) return nullptr;
  std::unique_ptr<Graph> body = std::move(it->second);
  subgraphs_.erase(it);
  return body;
}

void Node::add_capture(Value* value) {
  RAMIEL_CHECK(value != nullptr);
  inputs_.push_back(nullptr);
  set_input(inputs_.size() - 1, value);
  ++num_captures_;
}

void Node::remove_capture(size_t k) {
  RAMIEL_CHECK(k < num_captures_);
  const size_t index = num_operands() + k;
  set_input(index, nullptr);
  // Later captures move down one place; their uses record the new index.
  for (size_t i = index + 1; i < inputs_.size(); ++i) {
    Value* v = inputs_[i];
    set_input(i, nullptr);
    inputs_[i - 1] = v;
    if (v) v->uses_.push_back(Use{this, static_cast<int>(i - 1)});
  }
  inputs_.pop_back();
  --num_captures_;
}

size_t Graph::num_nodes_nested() const {
  size_t total = order_.size();
  for (const Node* n : order_) {
    for (const auto& [name, body] : n->subgraphs()) total += body->num_nodes_nested();
  }
  return total;
}

int Graph::nesting_depth() const {
  int depth = 0;
  for (const Node* n : order_) {
    for (const auto& [name, body] : n->subgraphs())
      depth = std::max(depth, 1 + body->nesting_depth());
  }
  return depth;
}

void Graph::reorder_inputs(const std::vector<Value*>& inputs) {
  RAMIEL_CHECK(inputs.size() == inputs_.size());
  RAMIEL_CHECK(std::is_permutation(inputs.begin(), inputs.end(), inputs_.begin()));
  inputs_ = inputs;
}

void Graph::remove_input(size_t index) {
  RAMIEL_CHECK(index < inputs_.size());
  Value* value = inputs_[index];
  RAMIEL_CHECK(!value->has_uses() && !value->is_graph_output());
  inputs_.erase(inputs_.begin() + static_cast<std::ptrdiff_t>(index));
  value_by_name_.erase(value->name());
  value_storage_[static_cast<size_t>(value->id())].reset();
}

Value* Graph::new_value(std::string name, ValueKind kind, TensorType type) {
  RAMIEL_CHECK(!name.empty());
  RAMIEL_CHECK(value_by_name_.count(name) == 0);
  value_names_.reserve(name);
  auto id = static_cast<ValueId>(value_storage_.size());
  value_storage_.emplace_back(new Value(id, name, kind, std::move(type)));
  Value* value = value_storage_.back().get();
  value_by_name_.emplace(std::move(name), value);
  return value;
}

Value* Graph::add_input(std::string name, TensorType type) {
  Value* value = new_value(std::move(name), ValueKind::kGraphInput, std::move(type));
  inputs_.push_back(value);
  return value;
}

Value* Graph::add_constant(std::string name, Tensor contents, ConstantOrigin origin) {
  Value* value = new_value(std::move(name), ValueKind::kConstant, contents.type());
  value->constant_ = std::move(contents);
  value->origin_ = origin;
  return value;
}

Node* Graph::add_node(OpKind op, std::string name, const std::vector<Value*>& inputs,
                      const std::vector<OutputSpec>& outputs, Attributes attributes, int opset) {
  RAMIEL_CHECK(!name.empty());
  RAMIEL_CHECK(node_by_name_.count(name) == 0);
  node_names_.reserve(name);
  auto id = static_cast<NodeId>(node_storage_.size());
  node_storage_.emplace_back(new Node(id, op, opset > 0 ? opset : this->opset, name));
  Node* node = node_storage_.back().get();
  node_by_name_.emplace(std::move(name), node);
  node->attributes_ = std::move(attributes);
  node->inputs_.resize(inputs.size(), nullptr);
  for (size_t i = 0; i < inputs.size(); ++i) node->set_input(i, inputs[i]);
  for (const OutputSpec& spec : outputs) {
    Value* value = new_value(spec.name, ValueKind::kNodeOutput, spec.type);
    value->producer_ = node;
    value->producer_output_ = static_cast<int>(node->outputs_.size());
    node->outputs_.push_back(value);
  }
  node->position_ = order_.insert(order_.end(), node);
  return node;
}

Node* Graph::clone_node(const Node* original, std::string_view suffix) {
  RAMIEL_CHECK(!original->has_subgraphs());
  std::vector<OutputSpec> outputs;
  for (const Value* out : original->outputs()) {
    outputs.push_back({unique_value_name(out->name() + std::string(suffix)), out->type()});
  }
  Node* clone = add_node(original->op(), unique_node_name(original->name() + std::string(suffix)),
                         original->inputs(), outputs, original->attributes(), original->opset());
  // add_node appended it; move it right behind the original so the order stays topological.
  order_.erase(clone->position_);
  clone->position_ = order_.insert(std::next(original->position_), clone);
  return clone;
}

void Graph::move_before(Node* node, const Node* anchor) {
  order_.erase(node->position_);
  node->position_ = order_.insert(anchor->position_, node);
}

void Graph::set_outputs(const std::vector<Value*>& outputs) {
  for (Value* v : outputs_) --v->graph_output_count_;
  outputs_ = outputs;
  for (Value* v : outputs_) ++v->graph_output_count_;
}

void Graph::replace_all_uses(Value* from, Value* to) {
  RAMIEL_CHECK(from != to);
  const std::vector<Use> uses = from->uses();  // copy: set_input edits the list
  for (const Use& use : uses) use.user->set_input(static_cast<size_t>(use.input_index), to);
  for (Value*& out : outputs_) {
    if (out == from) {
      out = to;
      --from->graph_output_count_;
      ++to->graph_output_count_;
    }
  }
}

void Graph::remove_node(Node* node) {
  for (Value* out : node->outputs_) {
    RAMIEL_CHECK(!out->has_uses() && !out->is_graph_output());
  }
  for (size_t i = 0; i < node->inputs_.size(); ++i) node->set_input(i, nullptr);
  for (Value* out : node->outputs_) {
    value_by_name_.erase(out->name());
    value_storage_[static_cast<size_t>(out->id())].reset();
  }
  order_.erase(node->position_);
  node_by_name_.erase(node->name());
  node_storage_[static_cast<size_t>(node->id())].reset();
}

void Graph::remove_constant(Value* value) {
  RAMIEL_CHECK(value->is_constant() && !value->has_uses() && !value->is_graph_output());
  value_by_name_.erase(value->name());
  value_storage_[static_cast<size_t>(value->id())].reset();
}

void Graph::rename_value(Value* value, std::string new_name) {
  RAMIEL_CHECK(!new_name.empty());
  if (new_name == value->name_) return;
  RAMIEL_CHECK(value_by_name_.count(new_name) == 0);
  value_names_.reserve(new_name);
  value_by_name_.erase(value->name_);
  value->name_ = std::move(new_name);
  value_by_name_.emplace(value->name_, value);
}

std::vector<Value*> Graph::constants() const {
  std::vector<Value*> out;
  for (const auto& v : value_storage_) {
    if (v && v->is_constant()) out.push_back(v.get());
  }
  return out;
}

Value* Graph::find_value(std::string_view name) const {
  auto it = value_by_name_.find(std::string(name));
  return it == value_by_name_.end() ? nullptr : it->second;
}

Node* Graph::find_node(std::string_view name) const {
  auto it = node_by_name_.find(std::string(name));
  return it == node_by_name_.end() ? nullptr : it->second;
}

}  // namespace ramiel::ir
