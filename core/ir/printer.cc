#include "core/ir/printer.h"

#include <sstream>

#include "core/support/indented_stream.h"

namespace ramiel::ir {
namespace {

std::string format_float(float v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

template <typename T, typename F>
std::string join_list(const std::vector<T>& items, F format) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += format(items[i]);
  }
  return out + "]";
}

std::string value_ref(const Value* v) {
  return v ? "%" + v->name() : "<none>";
}

}  // namespace

std::string print_attribute(const AttributeValue& value) {
  struct Visitor {
    std::string operator()(int64_t v) const { return std::to_string(v); }
    std::string operator()(float v) const { return format_float(v); }
    std::string operator()(const std::string& v) const { return "\"" + v + "\""; }
    std::string operator()(const Tensor& t) const { return "tensor<" + t.type().to_string() + ">"; }
    std::string operator()(const std::vector<int64_t>& v) const {
      return join_list(v, [](int64_t x) { return std::to_string(x); });
    }
    std::string operator()(const std::vector<float>& v) const { return join_list(v, format_float); }
    std::string operator()(const std::vector<std::string>& v) const {
      return join_list(v, [](const std::string& x) { return "\"" + x + "\""; });
    }
  };
  return std::visit(Visitor{}, value);
}

static void print_graph_into(const Graph& graph, IndentedStream& out);

std::string print_graph(const Graph& graph) {
  IndentedStream out;
  print_graph_into(graph, out);
  return out.str();
}

static void print_graph_into(const Graph& graph, IndentedStream& out) {
  out.line("graph \"" + graph.name + "\" (opset " + std::to_string(graph.opset) + ") {");
  {
    IndentedStream::Scope scope(out);
    for (const Value* in : graph.inputs()) {
      out.line("input " + value_ref(in) + ": " + in->type().to_string());
    }
    for (const Value* c : graph.constants()) {
      const char* origin = c->constant_origin() == ConstantOrigin::kModel ? "model" : "folded";
      out.line("const " + value_ref(c) + ": " + c->type().to_string() + " (" + origin + ")");
    }
    for (const Node* node : graph.nodes()) {
      std::string line;
      for (size_t i = 0; i < node->num_outputs(); ++i) {
        line += (i ? ", " : "") + value_ref(node->output(i));
      }
      line += " = " + std::string(node->op_type()) + "(";
      for (size_t i = 0; i < node->num_inputs(); ++i) {
        line += (i ? ", " : "") + value_ref(node->input(i));
      }
      line += ")";
      if (!node->attributes().empty()) {
        line += " {";
        bool first = true;
        for (const auto& [name, value] : node->attributes().all()) {
          line += (first ? "" : ", ") + name + "=" + print_attribute(value);
          first = false;
        }
        line += "}";
      }
      line += " : ";
      for (size_t i = 0; i < node->num_outputs(); ++i) {
        line += (i ? ", " : "") + node->output(i)->type().to_string();
      }
      line += "  # " + node->name();
      if (node->num_captures() > 0) {
        line += " (captures the last " + std::to_string(node->num_captures()) + " inputs)";
      }
      out.line(line);
      IndentedStream::Scope body_scope(out);
      for (const auto& [attribute, body] : node->subgraphs()) {
        out.line(attribute + ":");
        print_graph_into(*body, out);
      }
    }
    std::string outputs = "output ";
    for (size_t i = 0; i < graph.outputs().size(); ++i) {
      outputs += (i ? ", " : "") + value_ref(graph.outputs()[i]);
    }
    out.line(outputs);
  }
  out.line("}");
}

}  // namespace ramiel::ir
