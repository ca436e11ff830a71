// Per-op emitters: each turns one IR node into Python statements through an EmitContext.
//
// The table of emitters is indexed by ir::OpKind and filled by one registration function per op
// family (emitters_*.cc); adding an op is adding one function and one table entry there.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/codegen/python/ast.h"
#include "core/ir/graph.h"
#include "core/support/status.h"

namespace ramiel::codegen {

// What the lowering provides to emitters: names of values and access to module-level things.
class EmitEnvironment {
 public:
  virtual ~EmitEnvironment() = default;
  // The local variable holding a graph input or node output.
  virtual std::string variable(const ir::Value& value) = 0;
  // The expression reading a constant at run time (an attribute of the constants object).
  virtual StatusOr<py::ExprPtr> constant(const ir::Value& value) = 0;
  // A helper function of runtime/helpers.py, copied into the program when used.
  virtual StatusOr<py::ExprPtr> helper(std::string_view name) = 0;
  // A fresh local variable for an intermediate result.
  virtual std::string temporary(std::string_view hint) = 0;
  // An expression that stands for `value` (a control-flow body's input bound to an outer
  // variable or constant, see control_flow.h), or null: read it as variable() or constant().
  virtual py::ExprPtr bound(const ir::Value& /*value*/) { return nullptr; }
  // Whether the one reader of `value` may overwrite it (see overwrite.h); by default never.
  virtual bool overwritable(const ir::Value& /*value*/) { return false; }
  // A constant load() computes once from other constants as `recipe` says (an expression over
  // constant() expressions), and the expression reading it at run time; null where there is
  // nowhere to put one (an emitter then computes the value itself, on every run).
  virtual py::ExprPtr derived_constant(std::string_view /*hint*/, py::ExprPtr /*recipe*/) {
    return nullptr;
  }
};

class EmitContext {
 public:
  EmitContext(const ir::Node& node, EmitEnvironment& environment)
      : node_(node), env_(environment) {}

  const ir::Node& node() const { return node_; }
  int opset() const { return node_.opset(); }
  const ir::Attributes& attributes() const { return node_.attributes(); }
  // "node 'conv1' (Conv, opset 13)": how every message about this node starts.
  std::string describe() const;

  // --- inputs ---------------------------------------------------------------------------------
  bool has_input(size_t i) const { return node_.input(i) != nullptr; }
  // The expression reading input i; INVALID_ARGUMENT when the input is missing.
  StatusOr<py::ExprPtr> input(size_t i);
  // Like input(), or None for an omitted optional input.
  StatusOr<py::ExprPtr> input_or_none(size_t i);
  // A rank-0 constant with known contents as a Python number (torch treats a number operand
  // like a tensor of the other operand's dtype); otherwise the same as input().
  StatusOr<py::ExprPtr> scalar_or_input(size_t i);
  const ir::TensorType* input_type(size_t i) const;
  // The static shape, when at least the rank is known (dims may be ir::kUnknownDim).
  std::optional<ir::Shape> input_shape(size_t i) const;
  std::optional<int64_t> input_rank(size_t i) const;
  // Contents known at compile time (a constant with data), else null.
  const ir::Tensor* input_data(size_t i) const;
  // Contents as integers when known at compile time, else nullopt.
  std::optional<std::vector<int64_t>> input_ints(size_t i) const;
  // Whether this node may compute its result in input i's storage (an in-place op): nothing
  // else can see that tensor (see overwrite.h).
  bool may_overwrite_input(size_t i) const;

  // --- outputs --------------------------------------------------------------------------------
  size_t num_outputs() const { return node_.num_outputs(); }
  // Whether anything reads output i (a node or the graph's outputs).
  bool output_used(size_t i) const;
  const ir::TensorType& output_type(size_t i) const { return node_.output(i)->type(); }
  std::optional<ir::Shape> output_shape(size_t i) const;
  // INVALID_ARGUMENT unless output i exists; UNIMPLEMENTED when it is used, for outputs the
  // emitter does not produce (training statistics, indices...).
  Status require_unused_output(size_t i, std::string_view what) const;

  // --- statements -----------------------------------------------------------------------------
  // `output0 = value`.
  void assign(py::ExprPtr value) { assign_output(0, std::move(value)); }
  void assign_output(size_t i, py::ExprPtr value);
  // `out0, out1, ... = value` for the first `count` outputs; unused ones become `_`.
  void assign_outputs(size_t count, py::ExprPtr value);
  // The variable of output i, marked assigned, for emitters that assign it themselves in nested
  // blocks (control flow).
  std::string output_variable(size_t i);
  void emit(py::Stmt statement) { statements_.push_back(std::move(statement)); }
  // A temporary variable, assigned `value` here, for emitters that need several statements.
  py::ExprPtr let(std::string_view hint, py::ExprPtr value);

  // --- module-level names ---------------------------------------------------------------------
  StatusOr<py::ExprPtr> helper(std::string_view name) { return env_.helper(name); }
  // "torch.float32" for the dtype (the carrier for uint16/32/64, see torch_dtype_name);
  // UNIMPLEMENTED for dtypes torch lacks (string, ...).
  StatusOr<py::ExprPtr> dtype(ir::DType dtype) const;

  // --- attributes (an attribute of the wrong type is INVALID_ARGUMENT) ------------------------
  StatusOr<int64_t> int_attr(const std::string& name, int64_t fallback) const;
  StatusOr<float> float_attr(const std::string& name, float fallback) const;
  StatusOr<std::string> string_attr(const std::string& name, const std::string& fallback) const;
  StatusOr<std::optional<std::vector<int64_t>>> ints_attr(const std::string& name) const;
  StatusOr<std::optional<std::vector<float>>> floats_attr(const std::string& name) const;
  StatusOr<std::optional<std::vector<std::string>>> strings_attr(const std::string& name) const;

  // --- errors ---------------------------------------------------------------------------------
  // UNIMPLEMENTED: "node 'x' (Op, opset N): attribute name=value is not supported[: why]".
  Status unsupported_attribute(const std::string& name, const std::string& value,
                               const std::string& why = "") const;
  // UNIMPLEMENTED / INVALID_ARGUMENT with the node described first.
  Status unsupported(const std::string& what) const;
  Status invalid(const std::string& what) const;

  // --- for the lowering -----------------------------------------------------------------------
  std::vector<py::Stmt>& statements() { return statements_; }
  EmitEnvironment& environment() { return env_; }
  // Values whose variables the statements read, and outputs they assign.
  const std::set<const ir::Value*>& read_values() const { return read_; }
  const std::set<const ir::Value*>& assigned_outputs() const { return assigned_; }

 private:
  const ir::Node& node_;
  EmitEnvironment& env_;
  std::vector<py::Stmt> statements_;
  std::set<const ir::Value*> read_;
  std::set<const ir::Value*> assigned_;
};

using Emitter = Status (*)(EmitContext& ctx);
using EmitterTable = std::array<Emitter, ir::kNumOpKinds>;

// The table of every emitter (null where an op has none).
const EmitterTable& emitter_table();

// Emits one node: UNIMPLEMENTED naming node, op and opset when the op has no emitter. A node
// that reads or makes a string tensor goes to the string emitters (emitters/strings.cc)
// instead: string tensors are numpy arrays of str at run time, which no torch op takes.
Status emit_node(EmitContext& ctx);

// Spelling helpers shared by the emitter families.
py::ExprPtr torch_fn(std::string_view name);  // torch.<name>
py::ExprPtr nn_fn(std::string_view name);     // F.<name> (torch.nn.functional)
// The torch spelling of a dtype ("float32"), or nullopt when torch has none.
//
// torch 1.13 has no uint16, uint32 or uint64. Their tensors live in a signed carrier: uint16 in
// int32 and uint32 in int64, holding the same values; uint64 in int64, holding the same 64 bits
// (values from 2^63 on read as negative). Graph inputs and outputs of those types are carrier
// tensors too. Sums, products and shifts in the carrier are the ONNX results modulo 2^n once
// masked (emit_node masks them, see unsigned_wrap_mask); for uint64 the carrier wraps at 2^64
// by itself, comparisons, Max and Min flip the top bit to order it, but Div, Mod, the reductions,
// ArgMax/ArgMin, TopK and casts to floats treat values from 2^63 on as negative.
std::optional<std::string_view> torch_dtype_name(ir::DType dtype);
// 2^n - 1 for uint16 and uint32, whose carriers are wider than they; nullopt for other types.
std::optional<int64_t> unsigned_wrap_mask(ir::DType dtype);

}  // namespace ramiel::codegen
