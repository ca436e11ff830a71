// Small graphs with control flow for the unit tests of passes, cost and schedule: bodies built by
// hand the way the import builds them (captures as the node's last inputs and the bodies' last
// inputs, see ir::Node::subgraphs).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/ir/graph.h"

namespace ramiel::ir::testing {

inline TensorType float_type(Shape shape) {
  return {DType::kFloat32, std::move(shape)};
}

// A body reading `inputs` (their names; the last ones are the captures) whose one output is a
// chain of `ops` applied to the first input.
inline std::unique_ptr<Graph> chain_body(const std::vector<std::string>& inputs,
                                         const std::vector<OpKind>& ops, Shape shape) {
  auto body = std::make_unique<Graph>();
  body->opset = 13;
  std::vector<Value*> values;
  for (const std::string& name : inputs) values.push_back(body->add_input(name, float_type(shape)));
  Value* v = values.front();
  for (size_t i = 0; i < ops.size(); ++i) {
    v = body->add_node(ops[i], "op" + std::to_string(i), {v},
                       {{"v" + std::to_string(i), float_type(shape)}})
            ->output(0);
  }
  body->set_outputs({v});
  return body;
}

// y = If(cond) with then = chain of `then_ops` and else = chain of `else_ops` on the outer x,
// which both bodies capture.
inline Node* add_if(Graph& g, Value* cond, Value* x, const std::vector<OpKind>& then_ops,
                    const std::vector<OpKind>& else_ops) {
  Node* node = g.add_node(OpKind::If, "if", {cond}, {{"y", x->type()}});
  node->add_capture(x);
  node->set_subgraph("then_branch", chain_body({"x"}, then_ops, *x->type().shape));
  node->set_subgraph("else_branch", chain_body({"x"}, else_ops, *x->type().shape));
  return node;
}

// h = Loop(M, "", h0) whose body carries h through `ops` (inputs: iter, cond, h; outputs:
// cond passed through, h).
inline Node* add_loop(Graph& g, Value* trip_count, Value* h0, const std::vector<OpKind>& ops) {
  auto body = std::make_unique<Graph>();
  body->opset = 13;
  body->add_input("i", {DType::kInt64, Shape{}});
  Value* cond = body->add_input("cond_in", {DType::kBool, Shape{}});
  Value* v = body->add_input("h_in", h0->type());
  for (size_t i = 0; i < ops.size(); ++i) {
    v = body->add_node(ops[i], "op" + std::to_string(i), {v},
                       {{"v" + std::to_string(i), h0->type()}})
            ->output(0);
  }
  body->set_outputs({cond, v});
  Node* node = g.add_node(OpKind::Loop, "loop", {trip_count, nullptr, h0}, {{"h", h0->type()}});
  node->set_subgraph("body", std::move(body));
  return node;
}

}  // namespace ramiel::ir::testing
