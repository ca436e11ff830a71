#include "core/codegen/torch/lowering.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/codegen/engines.h"
#include "core/codegen/placement.h"
#include "core/codegen/python/names.h"
#include "core/codegen/python/printer.h"
#include "core/codegen/runtime_library.h"
#include "core/codegen/torch/control_flow.h"
#include "core/codegen/torch/emitter.h"
#include "core/codegen/torch/memory_format.h"
#include "core/codegen/torch/overwrite.h"
#include "core/codegen/torch/tensor_literal.h"

namespace ramiel::codegen {
namespace {

constexpr const char* kConstantsParam = "c";
constexpr const char* kIoParam = "io";
constexpr const char* kSerialFunction = "run_serial";

// Generated code has long identifiers (from ONNX names); at 120 columns most statements of a
// conv net fit on one line.
constexpr int kLineWidth = 120;

// Every global model.py defines (the lowering's tables and functions, and those of
// runtime/model_head.py and model_tail.py): no local may hide one.
constexpr const char* kModelGlobals[] = {"MODEL_NAME",
                                         "MODEL_SHA256",
                                         "COMPILER_VERSION",
                                         "OPTIONS",
                                         "INPUTS",
                                         "OUTPUTS",
                                         "MODEL_CONSTANTS",
                                         "CONSTANT_OUTPUTS",
                                         "TRANSFERS",
                                         "VALUE_KINDS",
                                         "CLUSTERS",
                                         "CLUSTER_THREADS",
                                         "ENGINES",
                                         "CHANNELS_LAST_CONSTANTS",
                                         "PREDICTED_SPEEDUP",
                                         "NODE_LINES",
                                         "STAGED",
                                         "RUNTIME_VERSION",
                                         "MODEL",
                                         "NodeError",
                                         "ModelMismatchError",
                                         "load",
                                         "folded_constants",
                                         "derived_constants",
                                         "run_serial",
                                         "importlib",
                                         "os",
                                         "sys",
                                         "_import_runtime",
                                         "ramiel",
                                         "torch",
                                         "F",
                                         "c",
                                         "io"};

// One node's statements, and the variables they read and assign.
struct NodeCode {
  std::vector<py::Stmt> statements;
  std::vector<const ir::Value*> reads;     // in the order of the node's inputs
  std::vector<const ir::Value*> assigned;  // in the order of the node's outputs
  std::vector<std::string> temporaries;
};

std::string cluster_function_name(size_t cluster) {
  return "cluster_" + std::to_string(cluster);
}

// `value` to `digits` decimals, as the double nearest that decimal (scaling up, not down by a
// unit like 0.1, which prints as 45924.700000000004).
double round_to(double value, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

py::Stmt tagged(py::Stmt s, std::string label, std::string category) {
  s.tag = py::LineTag{std::move(label), std::move(category)};
  return s;
}

class Lowering : public EmitEnvironment, public BodyLowering {
 public:
  explicit Lowering(const CodegenInput& input)
      : in_(input), graph_(*input.graph), vars_(true), attrs_(false) {}

  StatusOr<std::string> run() {
    RAMIEL_ASSIGN_OR_RETURN(placement_, place_nodes(graph_, *in_.dataflow, *in_.schedule));
    formats_ = plan_memory_formats(graph_);
    overwritable_ = overwritable_values(graph_, placement_);
    assign_names();
    RAMIEL_RETURN_IF_ERROR(emit_nodes());
    return assemble();
  }

  // --- EmitEnvironment ------------------------------------------------------------------------
  std::string variable(const ir::Value& value) override {
    auto body = body_vars_.find(&value);
    if (body != body_vars_.end()) return body->second;
    return var_names_[static_cast<size_t>(value.id())];
  }

  py::ExprPtr bound(const ir::Value& value) override {
    auto it = bound_.find(&value);
    return it == bound_.end() ? nullptr : it->second;
  }

  StatusOr<py::ExprPtr> constant(const ir::Value& value) override {
    const ir::Tensor& t = *value.constant();
    auto body = body_attrs_.find(&value);
    if (body != body_attrs_.end()) {  // a body's constant: always folded into the program
      if (!t.has_data()) return internal_error("constant '" + value.name() + "' has no contents");
      if (used_body_constant_set_.insert(&value).second) used_body_constants_.push_back(&value);
      return py::attr(py::name(kConstantsParam), body->second);
    }
    const std::string where = "constant '" + value.name() + "'";
    if (t.dtype() == ir::DType::kString && value.constant_origin() != ir::ConstantOrigin::kModel) {
      return unimplemented(where + " holds strings the compiler computed");
    }
    if (t.dtype() != ir::DType::kString && !torch_dtype_name(t.dtype())) {
      return unimplemented(where + " is of type " + std::string(ir::dtype_name(t.dtype())) +
                           ", which PyTorch lacks");
    }
    if (value.constant_origin() == ir::ConstantOrigin::kFolded && !t.has_data()) {
      return internal_error(where + " was folded but has no contents");
    }
    used_constants_.insert(value.id());
    return py::attr(py::name(kConstantsParam), attr_names_[static_cast<size_t>(value.id())]);
  }

  StatusOr<py::ExprPtr> helper(std::string_view name) override {
    if (!is_runtime_helper(name)) {
      return internal_error("no runtime helper named '" + std::string(name) + "'");
    }
    return py::attr(py::name(std::string(kRuntimeAlias)), std::string(name));
  }

  std::string temporary(std::string_view hint) override {
    std::string name = vars_.fresh(hint);
    current_temporaries_.push_back(name);
    return name;
  }

  py::ExprPtr derived_constant(std::string_view hint, py::ExprPtr recipe) override {
    std::string attr = attrs_.fresh(hint);
    derived_.emplace_back(py::str_lit(attr), std::move(recipe));
    return py::attr(py::name(kConstantsParam), std::move(attr));
  }

  bool overwritable(const ir::Value& value) override {
    if (body_vars_.count(&value) || bound_.count(&value))
      return body_overwritable_.count(&value) > 0;
    return overwritable_[static_cast<size_t>(value.id())];
  }

  // --- BodyLowering (control flow) --------------------------------------------------------------
  void bind(const ir::Value& body_input, py::ExprPtr expr) override {
    bound_[&body_input] = std::move(expr);
  }

  std::string fresh_name(std::string_view hint) override { return vars_.fresh(hint); }

  StatusOr<std::vector<py::Stmt>> lower(const ir::Graph& body) override {
    for (const ir::Node* n : body.nodes()) {
      for (const ir::Value* v : n->outputs()) {
        body_vars_[v] = vars_.fresh(py::tensor_name_base(v->name()));
      }
    }
    for (const ir::Value* v : body.constants()) body_attrs_[v] = attrs_.fresh(v->name());
    Placement one_cluster;
    one_cluster.cluster_of.assign(static_cast<size_t>(body.node_id_bound()), 0);
    const std::vector<bool> overwritable = overwritable_values(body, one_cluster);
    for (const ir::Node* n : body.nodes()) {
      for (const ir::Value* v : n->outputs()) {
        if (overwritable[static_cast<size_t>(v->id())]) body_overwritable_.insert(v);
      }
    }
    std::vector<NodeCode> codes;
    const std::vector<std::string> enclosing_temporaries = current_temporaries_;
    for (const ir::Node* n : body.nodes()) {
      RAMIEL_ASSIGN_OR_RETURN(NodeCode code, lower_node(*n));
      codes.push_back(std::move(code));
    }
    current_temporaries_ = enclosing_temporaries;
    // Inside the block, as in a function: release each body value after its last reader. Body
    // inputs are never released (captures and loop state live on), nor are body outputs, which
    // the control-flow statements read after the body (release_outputs).
    auto releasable = [&](const ir::Value* v) {
      return v->producer() != nullptr && !v->is_graph_output();
    };
    std::map<const ir::Value*, size_t> last_read;
    for (size_t k = 0; k < codes.size(); ++k) {
      for (const ir::Value* v : codes[k].reads) last_read[v] = k;
    }
    std::vector<py::Stmt> out;
    for (size_t k = 0; k < codes.size(); ++k) {
      for (py::Stmt& s : codes[k].statements) out.push_back(std::move(s));
      std::vector<std::string> dead;
      for (const ir::Value* v : codes[k].reads) {
        if (last_read[v] == k && releasable(v)) dead.push_back(variable(*v));
      }
      for (const std::string& t : codes[k].temporaries) dead.push_back(t);
      for (const ir::Value* v : codes[k].assigned) {
        auto it = last_read.find(v);
        if (releasable(v) && (it == last_read.end() || it->second <= k))
          dead.push_back(variable(*v));
      }
      if (!dead.empty()) out.push_back(py::del_stmt(std::move(dead)));
    }
    return out;
  }

  StatusOr<py::ExprPtr> output(const ir::Value& body_output) override {
    if (py::ExprPtr e = bound(body_output)) return e;
    if (body_output.is_constant()) return constant(body_output);
    if (!body_vars_.count(&body_output)) {
      return internal_error("body output '" + body_output.name() + "' has no variable");
    }
    return py::name(variable(body_output));
  }

  std::vector<py::Stmt> release_outputs(const ir::Graph& body) override {
    std::vector<std::string> names;
    for (const ir::Value* v : body.outputs()) {
      if (!v->producer()) continue;
      const std::string& name = body_vars_.at(v);
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    std::vector<py::Stmt> out;
    if (!names.empty()) out.push_back(py::del_stmt(std::move(names)));
    return out;
  }

 private:
  // --- naming ---------------------------------------------------------------------------------
  void assign_names() {
    for (const char* name : kModelGlobals) vars_.reserve(name);
    for (size_t c = 0; c < in_.schedule->clusters.size(); ++c)
      vars_.reserve(cluster_function_name(c));
    var_names_.assign(static_cast<size_t>(graph_.value_id_bound()), "");
    attr_names_.assign(static_cast<size_t>(graph_.value_id_bound()), "");
    for (const ir::Value* v : graph_.inputs()) {
      var_names_[static_cast<size_t>(v->id())] = vars_.fresh(py::tensor_name_base(v->name()));
    }
    for (const ir::Node* n : graph_.nodes()) {
      for (const ir::Value* v : n->outputs()) {
        var_names_[static_cast<size_t>(v->id())] = vars_.fresh(py::tensor_name_base(v->name()));
      }
    }
    for (const ir::Value* v : graph_.constants()) {
      attr_names_[static_cast<size_t>(v->id())] = attrs_.fresh(v->name());
    }
  }

  // --- emission -------------------------------------------------------------------------------
  Status emit_nodes() {
    const auto& nodes = in_.dataflow->ir_nodes();
    code_.resize(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
      const ir::Node& node = *nodes[i];
      RAMIEL_ASSIGN_OR_RETURN(code_[i], lower_node(node));
      // A control-flow node's body lines are its own: one tag for the whole compound statement.
      for (py::Stmt& s : code_[i].statements) {
        s = tagged(std::move(s), node.name(), std::string(node.op_type()));
      }
    }
    return ok_status();
  }

  // One node's statements (untagged), the values they read and assign and their temporaries.
  StatusOr<NodeCode> lower_node(const ir::Node& node) {
    current_temporaries_.clear();
    EmitContext ctx(node, *this);
    if (node.has_subgraphs()) {
      RAMIEL_RETURN_IF_ERROR(emit_control_flow(ctx, *this));
    } else {
      RAMIEL_RETURN_IF_ERROR(emit_node(ctx));
    }
    NodeCode code;
    code.statements = std::move(ctx.statements());
    for (const ir::Value* v : node.inputs()) {
      if (v && ctx.read_values().count(v) &&
          std::find(code.reads.begin(), code.reads.end(), v) == code.reads.end()) {
        code.reads.push_back(v);
      }
    }
    for (const ir::Value* v : node.outputs()) {
      if (ctx.assigned_outputs().count(v)) code.assigned.push_back(v);
    }
    code.temporaries = current_temporaries_;
    return code;
  }

  int32_t cluster_of(const ir::Node* n) const {
    return placement_.cluster_of[static_cast<size_t>(n->id())];
  }

  // Whether statements of a cluster other than `cluster` read `v`.
  bool read_elsewhere(const ir::Value* v, int32_t cluster) const {
    for (const ir::Use& use : v->uses()) {
      const NodeCode& code = code_[static_cast<size_t>(in_.dataflow->index_of(*use.user))];
      if (cluster_of(use.user) != cluster &&
          std::find(code.reads.begin(), code.reads.end(), v) != code.reads.end()) {
        return true;
      }
    }
    return false;
  }

  // One function body: `cluster` < 0 for the serial function (the whole graph in index order).
  StatusOr<std::vector<py::Stmt>> function_body(const std::vector<int32_t>& indices,
                                                int32_t cluster, std::vector<std::string>& receives,
                                                std::vector<std::string>& sends) {
    std::map<const ir::Value*, size_t> last_read;
    for (size_t k = 0; k < indices.size(); ++k) {
      for (const ir::Value* v : code_[static_cast<size_t>(indices[k])].reads) last_read[v] = k;
    }
    std::set<const ir::Value*> local;
    std::vector<py::Stmt> body;
    for (size_t k = 0; k < indices.size(); ++k) {
      const ir::Node& node = in_.dataflow->ir_node(indices[k]);
      const NodeCode& code = code_[static_cast<size_t>(indices[k])];
      for (const ir::Value* v : code.reads) {
        if (local.count(v)) continue;
        const bool from_outside =
            v->is_graph_input() || (cluster >= 0 && cluster_of(v->producer()) != cluster);
        if (!from_outside) {
          return internal_error("node '" + node.name() + "' reads '" + v->name() +
                                "' before its cluster computes it");
        }
        const std::string& name = variable(*v);
        body.push_back(tagged(
            py::assign(py::name(name), py::method(py::name(kIoParam), "recv", {py::str_lit(name)})),
            "recv " + v->name(), "recv"));
        if (v->is_graph_input() && formats_.is_channels_last(*v)) {  // see memory_format.h
          body.push_back(
              tagged(py::assign(py::name(name), py::method(py::name(name), "contiguous", {},
                                                           {{"memory_format", channels_last()}})),
                     "recv " + v->name(), "recv"));
        }
        receives.push_back(name);
        local.insert(v);
      }
      for (const py::Stmt& s : code.statements) body.push_back(s);
      // Release what this node was the last to need (the hand-off keeps its own reference to
      // anything sent): inputs and temporaries first, then outputs nobody here reads later.
      std::vector<std::string> dead;
      for (const ir::Value* v : code.reads) {
        if (last_read[v] == k) dead.push_back(variable(*v));
      }
      for (const std::string& t : code.temporaries) dead.push_back(t);
      if (!dead.empty()) body.push_back(py::del_stmt(std::move(dead)));
      for (const ir::Value* v : code.assigned) {
        local.insert(v);
        if (!v->is_graph_output() && !(cluster >= 0 && read_elsewhere(v, cluster))) continue;
        const std::string& name = variable(*v);
        body.push_back(tagged(py::expr_stmt(py::method(py::name(kIoParam), "send",
                                                       {py::str_lit(name), py::name(name)})),
                              "send " + v->name(), "send"));
        sends.push_back(name);
      }
      std::vector<std::string> unread;
      for (const ir::Value* v : code.assigned) {
        auto it = last_read.find(v);
        if (it == last_read.end() || it->second <= k) unread.push_back(variable(*v));
      }
      if (!unread.empty()) body.push_back(py::del_stmt(std::move(unread)));
    }
    for (const ir::Value* out : graph_.outputs()) {
      if (out->producer() && (cluster < 0 || cluster_of(out->producer()) == cluster) &&
          !local.count(out)) {
        return internal_error("graph output '" + out->name() + "' is never assigned");
      }
    }
    return body;
  }

  // --- module ---------------------------------------------------------------------------------
  // The dtype in the tables: torch's, or `str` for string tensors (numpy arrays of str).
  StatusOr<py::ExprPtr> dtype_expr(const ir::Value& v) const {
    if (v.type().dtype == ir::DType::kString) return py::name("str");
    auto spelled = torch_dtype_name(v.type().dtype);
    if (!spelled) {
      return unimplemented("value '" + v.name() + "' is of type " +
                           std::string(ir::dtype_name(v.type().dtype)) + ", which PyTorch lacks");
    }
    return py::attr(py::name("torch"), std::string(*spelled));
  }

  static py::ExprPtr channels_last() { return py::dotted("torch.channels_last"); }

  py::ExprPtr memory_format_expr(const ir::Value& v) const {
    return formats_.is_channels_last(v) ? channels_last() : py::dotted("torch.contiguous_format");
  }

  static py::ExprPtr shape_expr(const ir::Value& v) {
    if (!v.type().shape) return py::none();
    std::vector<py::ExprPtr> dims;
    for (int64_t d : *v.type().shape) dims.push_back(d >= 0 ? py::int_lit(d) : py::none());
    return py::tuple(std::move(dims));
  }

  std::string model_name() const { return in_.model_name.empty() ? graph_.name : in_.model_name; }

  std::vector<py::Stmt> header() const {
    const schedule::Schedule& s = *in_.schedule;
    char line[256];
    std::vector<py::Stmt> out;
    auto add = [&](const std::string& text) { out.push_back(py::comment(text)); };
    add("model.py: the parallel PyTorch program Ramiel compiled from the ONNX model \"" +
        model_name() + "\".");
    add("Generated code: do not edit it, compile the model again instead.");
    add("");
    add("Model:     sha256 " + in_.model_sha256);
    add("Compiler:  Ramiel " + in_.compiler_version);
    add("Options:   " +
        (in_.options_summary.empty() ? std::string("(defaults)") : in_.options_summary));
    std::snprintf(line, sizeof(line),
                  "Schedule:  %zu clusters; predicted serial %.1f us, critical path %.1f us, "
                  "makespan %.1f us (%.2fx)",
                  s.clusters.size(), s.serial_us, s.critical_path_us, s.makespan_us, s.speedup());
    add(line);
    for (size_t c = 0; c < s.clusters.size(); ++c) {
      std::snprintf(line, sizeof(line), "  cluster %zu: %zu nodes, %.1f us, threads %d", c,
                    s.clusters[c].size(), cluster_cost(c), cluster_threads(c));
      add(line);
    }
    add("");
    add("It needs Python 3, PyTorch (1.13 to 2.x), the onnx package, which reads the weights");
    add("from the model file, and ramiel_runtime.py beside it (the code every program shares,");
    add("which this one calls as ramiel.*).");
    add("");
    add("  python3 model.py --onnx MODEL.onnx --check         parallel against serial, random "
        "inputs");
    add("  python3 model.py --onnx MODEL.onnx --bench         median latency, serial and parallel");
    add("  python3 model.py --onnx MODEL.onnx --profile FILE  every node's time, for --costs FILE");
    add("  python3 model.py --onnx MODEL.onnx --trace FILE    Chrome/Perfetto trace of one run");
    add("");
    add("  import model");
    add("  with model.load(\"MODEL.onnx\", workers=None, mode=\"thread\") as program:");
    add("      outputs = program(*inputs)  # inputs in INPUTS order -> outputs in OUTPUTS order");
    return out;
  }

  int cluster_threads(size_t cluster) const {
    const auto& threads = in_.schedule->cluster_threads;
    return cluster < threads.size() ? threads[cluster] : 1;
  }

  double cluster_cost(size_t cluster) const {
    double total = 0;
    const auto& costs = in_.dataflow->costs();
    for (int32_t index : in_.schedule->clusters[cluster]) {
      if (static_cast<size_t>(index) < costs.size()) total += costs[static_cast<size_t>(index)];
    }
    return total;
  }

  StatusOr<std::string> assemble() {
    const auto& clusters = in_.schedule->clusters;
    std::vector<py::Stmt> functions;
    std::vector<py::ExprPtr> cluster_rows;
    std::set<std::string> transfer_keys;
    for (size_t c = 0; c < clusters.size(); ++c) {
      std::vector<std::string> receives, sends;
      RAMIEL_ASSIGN_OR_RETURN(auto body,
                              function_body(clusters[c], static_cast<int32_t>(c), receives, sends));
      char doc[128];
      std::snprintf(doc, sizeof(doc), "Cluster %zu: %zu nodes, predicted %.1f us.", c,
                    clusters[c].size(), cluster_cost(c));
      functions.push_back(py::function_def(cluster_function_name(c), {kConstantsParam, kIoParam},
                                           doc, std::move(body)));
      functions.push_back(py::blank());
      functions.push_back(py::blank());
      std::vector<py::ExprPtr> r, s;
      for (const std::string& n : receives) r.push_back(py::str_lit(n));
      for (const std::string& n : sends) s.push_back(py::str_lit(n));
      transfer_keys.insert(receives.begin(), receives.end());
      transfer_keys.insert(sends.begin(), sends.end());
      cluster_rows.push_back(py::tuple({py::name(cluster_function_name(c)),
                                        py::float_lit(round_to(cluster_cost(c), 1)),
                                        py::tuple(std::move(r)), py::tuple(std::move(s))}));
    }
    if (clusters.size() == 1) {
      functions.push_back(py::comment("One cluster: the serial run (workers=1) is that function."));
      functions.push_back(
          py::assign(py::name(kSerialFunction), py::name(cluster_function_name(0))));
    } else {
      std::vector<int32_t> all(in_.dataflow->ir_nodes().size());
      for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int32_t>(i);
      std::vector<std::string> serial_receives, serial_sends;
      RAMIEL_ASSIGN_OR_RETURN(auto serial_body,
                              function_body(all, -1, serial_receives, serial_sends));
      functions.push_back(py::function_def(
          kSerialFunction, {kConstantsParam, kIoParam},
          "The whole graph in one function, nodes in graph order: what workers=1 runs.",
          std::move(serial_body)));
    }

    // Tables the runtime reads.
    std::vector<py::Stmt> tables;
    auto table = [&](const std::string& comment_text, const std::string& name, py::ExprPtr value) {
      tables.push_back(py::comment(comment_text));
      tables.push_back(py::assign(py::name(name), std::move(value)));
    };
    std::map<std::string, const ir::Value*> by_key;
    for (const ir::Value* v : graph_.inputs()) by_key[variable(*v)] = v;
    for (const ir::Node* n : graph_.nodes()) {
      for (const ir::Value* v : n->outputs()) by_key[variable(*v)] = v;
    }
    std::vector<py::ExprPtr> inputs;
    for (const ir::Value* v : graph_.inputs()) {
      RAMIEL_ASSIGN_OR_RETURN(auto dtype, dtype_expr(*v));
      inputs.push_back(
          py::tuple({py::str_lit(v->name()), py::str_lit(variable(*v)), dtype, shape_expr(*v)}));
    }
    std::vector<py::ExprPtr> outputs;
    std::vector<std::pair<py::ExprPtr, py::ExprPtr>> constant_outputs;
    for (const ir::Value* v : graph_.outputs()) {
      std::string key =
          v->is_constant() ? "c." + attr_names_[static_cast<size_t>(v->id())] : variable(*v);
      if (v->is_constant()) {
        RAMIEL_RETURN_IF_ERROR(constant(*v).status());
        constant_outputs.emplace_back(py::str_lit(key),
                                      py::str_lit(attr_names_[static_cast<size_t>(v->id())]));
      } else {
        transfer_keys.insert(key);
      }
      RAMIEL_ASSIGN_OR_RETURN(auto dtype, dtype_expr(*v));
      outputs.push_back(
          py::tuple({py::str_lit(v->name()), py::str_lit(key), dtype, shape_expr(*v)}));
    }
    std::vector<std::pair<py::ExprPtr, py::ExprPtr>> model_constants, folded;
    for (ir::ValueId id : used_constants_) {
      const ir::Value& v = *graph_.value(id);
      const std::string& attr = attr_names_[static_cast<size_t>(id)];
      if (v.constant_origin() == ir::ConstantOrigin::kModel) {
        RAMIEL_ASSIGN_OR_RETURN(auto dtype, dtype_expr(v));
        model_constants.emplace_back(py::str_lit(attr), py::tuple({py::str_lit(v.name()), dtype}));
      } else {
        auto literal =
            tensor_literal(*v.constant(), [&](std::string_view name) { return helper(name); });
        if (!literal.ok())
          return literal.status().with_context("folded constant '" + v.name() + "'");
        folded.emplace_back(py::str_lit(attr), *literal);
      }
    }
    for (const ir::Value* v : used_body_constants_) {
      auto literal =
          tensor_literal(*v->constant(), [&](std::string_view name) { return helper(name); });
      if (!literal.ok()) return literal.status().with_context("constant '" + v->name() + "'");
      folded.emplace_back(py::str_lit(body_attrs_.at(v)), *literal);
    }
    std::vector<std::pair<py::ExprPtr, py::ExprPtr>> transfers;
    for (const std::string& key : transfer_keys) {
      const ir::Value* v = by_key.at(key);
      RAMIEL_ASSIGN_OR_RETURN(auto dtype, dtype_expr(*v));
      transfers.emplace_back(py::str_lit(key),
                             py::tuple({dtype, shape_expr(*v), memory_format_expr(*v)}));
    }

    table("The model this program was compiled from; load() refuses any other file.", "MODEL_NAME",
          py::str_lit(model_name()));
    tables.push_back(py::assign(py::name("MODEL_SHA256"), py::str_lit(in_.model_sha256)));
    tables.push_back(py::assign(py::name("COMPILER_VERSION"), py::str_lit(in_.compiler_version)));
    tables.push_back(py::assign(py::name("OPTIONS"), py::str_lit(in_.options_summary)));
    tables.push_back(py::blank());
    table("Graph inputs and outputs, in order: (ONNX name, variable, dtype, shape).", "INPUTS",
          py::tuple(std::move(inputs)));
    tables.push_back(py::assign(py::name("OUTPUTS"), py::tuple(std::move(outputs))));
    table("Outputs that are constants: variable -> attribute of the constants object.",
          "CONSTANT_OUTPUTS", py::dict(std::move(constant_outputs)));
    std::vector<std::pair<py::ExprPtr, py::ExprPtr>> value_kinds;
    for (const auto& [key, v] : by_key) {
      if (v->type().is_tensor()) continue;
      value_kinds.emplace_back(py::str_lit(key), py::str_lit(ir::type_kind_name(v->type().kind)));
    }
    if (!value_kinds.empty()) {  // programs of tensors alone have no such table
      tables.push_back(
          py::comment("Values that are not tensors, variable -> kind (the dtypes and "
                      "shapes above are their tensors'):"));
      table("a sequence is a list of tensors; an optional its tensor or list, or None.",
            "VALUE_KINDS", py::packed(py::dict(std::move(value_kinds))));
    }
    tables.push_back(py::blank());
    table("Weights read from the model file: attribute -> (initializer or Constant name, dtype).",
          "MODEL_CONSTANTS", py::packed(py::dict(std::move(model_constants))));
    tables.push_back(py::blank());
    std::vector<py::ExprPtr> channels_last_constants;
    for (ir::ValueId id : used_constants_) {
      if (formats_.is_channels_last(*graph_.value(id))) {
        channels_last_constants.push_back(py::str_lit(attr_names_[static_cast<size_t>(id)]));
      }
    }
    table("Convolution weights, kept channels-last like the activations they meet.",
          "CHANNELS_LAST_CONSTANTS", py::packed(py::tuple(std::move(channels_last_constants))));
    tables.push_back(py::blank());
    tables.push_back(py::blank());
    std::vector<py::Stmt> folded_body;
    folded_body.push_back(py::return_stmt(py::one_per_line(py::dict(std::move(folded)))));
    tables.push_back(py::function_def(
        "folded_constants", {}, "Constants the compiler computed, which the model file lacks.",
        std::move(folded_body)));
    if (!derived_.empty()) {  // programs without such constants have no such function
      std::vector<py::Stmt> derived_body;
      derived_body.push_back(py::return_stmt(py::one_per_line(py::dict(derived_))));
      tables.push_back(py::blank());
      tables.push_back(py::blank());
      tables.push_back(py::function_def(
          "derived_constants", {std::string(kConstantsParam)},
          "Constants load() computes once from the others, so that runs do not recompute them.",
          std::move(derived_body)));
    }

    std::vector<py::Stmt> module = header();
    module.push_back(py::blank());
    // Read by the runtime before it imports torch: a staged program limits OpenMP's spinning.
    const bool staged = in_.schedule->wide_cluster >= 0 && in_.schedule->clusters.size() > 1;
    module.push_back(py::comment("A wide worker runs beside narrow ones (a staged schedule)."));
    module.push_back(py::assign(py::name("STAGED"), py::bool_lit(staged)));
    module.push_back(py::comment("The ramiel_runtime.py this program was compiled with."));
    module.push_back(py::assign(py::name("RUNTIME_VERSION"),
                                py::str_lit(runtime_version(in_.compiler_version))));
    module.push_back(py::blank());
    module.push_back(py::raw(std::string(model_head_source())));
    // After the runtime, which sets OpenMP's environment before torch loads.
    module.push_back(py::raw("import torch  # noqa: E402\n"));
    if (py::mentions_name(functions, "F") || py::mentions_name(tables, "F")) {
      module.push_back(py::raw("import torch.nn.functional as F  # noqa: E402\n"));
    }
    module.push_back(py::blank());
    for (py::Stmt& s : tables) module.push_back(std::move(s));
    module.push_back(py::blank());
    module.push_back(py::blank());
    for (py::Stmt& s : functions) module.push_back(std::move(s));
    module.push_back(py::blank());
    module.push_back(py::blank());
    module.push_back(py::comment(
        "The schedule: (function, predicted us, tensors it receives, tensors it sends)."));
    module.push_back(
        py::assign(py::name("CLUSTERS"), py::one_per_line(py::tuple(std::move(cluster_rows)))));
    std::vector<py::ExprPtr> threads;
    for (int32_t t : in_.schedule->cluster_threads) threads.push_back(py::int_lit(t));
    module.push_back(py::comment(
        "Intra-op threads of each cluster's worker, set once per worker; () divides the cores"));
    module.push_back(py::comment("among the workers."));
    module.push_back(py::assign(py::name("CLUSTER_THREADS"), py::tuple(std::move(threads))));
    std::vector<py::ExprPtr> engines;
    for (const std::string& engine :
         in_.engines.empty() ? choose_engines(*in_.dataflow, *in_.schedule, {}) : in_.engines) {
      engines.push_back(py::str_lit(engine));
    }
    module.push_back(
        py::comment("How load() runs each cluster by default: \"eager\" (its function), "
                    "\"frozen\" or \"prepacked\""));
    module.push_back(py::comment(
        "(traced once and frozen at load, runtime/engines.py); measured by --profile, else"));
    module.push_back(py::comment("from the op mix (core/codegen/engines.cc)."));
    module.push_back(py::assign(py::name("ENGINES"), py::tuple(std::move(engines))));
    module.push_back(
        py::comment("Tensors handed between clusters or to the caller: variable -> "
                    "(dtype, shape, memory format)."));
    module.push_back(
        py::assign(py::name("TRANSFERS"), py::one_per_line(py::dict(std::move(transfers)))));
    module.push_back(py::assign(py::name("PREDICTED_SPEEDUP"),
                                py::float_lit(round_to(in_.schedule->speedup(), 2))));
    module.push_back(py::blank());
    module.push_back(py::blank());

    py::Printer printer(kLineWidth);
    py::PrintedCode body = printer.statements(module);
    std::vector<py::Stmt> tail;
    tail.push_back(
        py::comment("Line -> (node, op) whose statements start there and run to the next entry "
                    "(the dels after"));
    tail.push_back(
        py::comment("them included); errors and --trace name nodes with it. Hand-offs read (\"recv "
                    "x\", \"recv\")."));
    tail.push_back(py::assign(py::name("NODE_LINES"), node_line_starts(body.tagged_lines)));
    tail.push_back(py::blank());
    tail.push_back(py::blank());
    tail.push_back(py::raw(std::string(model_tail_source())));
    py::PrintedCode end = printer.statements(tail, body.line_count + 1);
    return body.text + end.text;
  }

  // The first line of each run of lines with one tag (untagged lines, the dels, join the run
  // before them), as line -> (node, op).
  static py::ExprPtr node_line_starts(const std::vector<std::pair<int, py::LineTag>>& tagged) {
    std::vector<std::pair<py::ExprPtr, py::ExprPtr>> starts;
    const py::LineTag* previous = nullptr;
    for (const auto& [line, tag] : tagged) {
      if (previous && *previous == tag) continue;
      starts.emplace_back(py::int_lit(line),
                          py::tuple({py::str_lit(tag.label), py::str_lit(tag.category)}));
      previous = &tag;
    }
    return py::packed(py::dict(std::move(starts)));
  }

  const CodegenInput& in_;
  const ir::Graph& graph_;
  py::Namer vars_;
  py::Namer attrs_;
  Placement placement_;
  std::vector<std::string> var_names_;   // by value id
  std::vector<std::string> attr_names_;  // by value id (constants)
  std::vector<NodeCode> code_;           // by node index
  MemoryFormatPlan formats_;
  std::vector<bool> overwritable_;  // by value id
  std::set<ir::ValueId> used_constants_;
  std::vector<std::pair<py::ExprPtr, py::ExprPtr>> derived_;  // attribute -> recipe
  std::vector<std::string> current_temporaries_;
  // Control-flow bodies: their values' variables and constants' attributes (by pointer: a
  // body's ids are its own), body inputs bound to expressions, and the constants they use.
  std::map<const ir::Value*, std::string> body_vars_;
  std::map<const ir::Value*, std::string> body_attrs_;
  std::map<const ir::Value*, py::ExprPtr> bound_;
  std::set<const ir::Value*> body_overwritable_;
  std::vector<const ir::Value*> used_body_constants_;
  std::set<const ir::Value*> used_body_constant_set_;
};

}  // namespace

StatusOr<std::string> lower_program(const CodegenInput& input) {
  if (!input.graph || !input.dataflow || !input.schedule) {
    return internal_error("generate_python needs a graph, its scheduling snapshot and a schedule");
  }
  return Lowering(input).run();
}

}  // namespace ramiel::codegen
