// Sequences and optionals: a sequence is a Python list of tensors, an optional a tensor or a list
// that may be None. Lists are never changed once made (a node that inserts or erases builds a
// new list), so one list may be read by any number of nodes and workers.
#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

// A scalar integer tensor of Python's `value` (torch.tensor of an int is int64).
py::ExprPtr scalar_tensor(py::ExprPtr value) {
  return py::call(torch_fn("tensor"), {std::move(value)});
}

Status emit_sequence_empty(EmitContext& ctx) {
  ctx.assign(py::list({}));
  return ok_status();
}

Status emit_sequence_construct(EmitContext& ctx) {
  std::vector<py::ExprPtr> items;
  for (size_t i = 0; i < ctx.node().num_inputs(); ++i) {
    RAMIEL_ASSIGN_OR_RETURN(auto item, ctx.input(i));
    items.push_back(item);
  }
  ctx.assign(py::list(std::move(items)));
  return ok_status();
}

// ONNX and Python agree on positions: a negative one counts from the back, and inserting at p
// puts the tensor before the element now at p. The helper refuses a position out of range,
// which slicing would clamp.
Status emit_sequence_insert(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto sequence, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto tensor, ctx.input(1));
  if (!ctx.has_input(2)) {  // at the back
    ctx.assign(py::binop("+", sequence, py::list({tensor})));
    return ok_status();
  }
  RAMIEL_ASSIGN_OR_RETURN(auto position, int_input(ctx, 2));
  RAMIEL_ASSIGN_OR_RETURN(auto inserted,
                          helper_call(ctx, "onnx_sequence_insert", {sequence, tensor, position}));
  ctx.assign(inserted);
  return ok_status();
}

Status emit_sequence_at(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto sequence, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(auto position, int_input(ctx, 1));
  ctx.assign(py::subscript(sequence, position));
  return ok_status();
}

// A copy without the element at the position (the last one by default).
Status emit_sequence_erase(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto sequence, ctx.input(0));
  py::ExprPtr position = py::int_lit(-1);
  if (ctx.has_input(1)) {
    RAMIEL_ASSIGN_OR_RETURN(position, int_input(ctx, 1));
  }
  ctx.assign(py::call(py::name("list"), {sequence}));
  const std::string out = ctx.environment().variable(*ctx.node().output(0));
  ctx.emit(py::expr_stmt(py::method(py::name(out), "pop", {position})));
  return ok_status();
}

Status emit_sequence_length(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto sequence, ctx.input(0));
  ctx.assign(scalar_tensor(py::call(py::name("len"), {sequence})));
  return ok_status();
}

// torch.split and torch.unbind return tuples; the sequence is a list.
Status emit_split_to_sequence(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", 0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t keepdims, ctx.int_attr("keepdims", 1));
  auto dim = py::int_lit(axis);
  auto as_list = [](py::ExprPtr parts) { return py::call(py::name("list"), {std::move(parts)}); };
  if (!ctx.has_input(1)) {  // pieces of length 1, squeezed unless keepdims
    if (keepdims == 0) {
      ctx.assign(as_list(py::call(torch_fn("unbind"), {x, dim})));
    } else {
      ctx.assign(as_list(py::call(torch_fn("split"), {x, py::int_lit(1), dim})));
    }
    return ok_status();
  }
  const std::optional<int64_t> split_rank = ctx.input_rank(1);
  if (!split_rank || *split_rank > 1) {
    return ctx.unsupported("a split input that is not known to be a scalar or 1-D");
  }
  py::ExprPtr sizes;
  if (*split_rank == 0) {  // equal pieces of this length, the last one shorter
    RAMIEL_ASSIGN_OR_RETURN(sizes, int_input(ctx, 1));
  } else if (auto known_sizes = ctx.input_ints(1)) {
    sizes = py::ints_list(*known_sizes);
  } else {
    RAMIEL_ASSIGN_OR_RETURN(auto split, ctx.input(1));
    sizes = py::method(split, "tolist", {});
  }
  ctx.assign(as_list(py::call(torch_fn("split"), {x, sizes, dim})));
  return ok_status();
}

Status emit_concat_from_sequence(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto sequence, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t axis, ctx.int_attr("axis", 0));
  RAMIEL_ASSIGN_OR_RETURN(int64_t new_axis, ctx.int_attr("new_axis", 0));
  if (new_axis != 0 && new_axis != 1) {
    return ctx.unsupported_attribute("new_axis", std::to_string(new_axis), "it must be 0 or 1");
  }
  ctx.assign(py::call(torch_fn(new_axis == 1 ? "stack" : "cat"), {sequence, py::int_lit(axis)}));
  return ok_status();
}

// Optional(x) is x; Optional() with only a type is None.
Status emit_optional(EmitContext& ctx) {
  if (!ctx.has_input(0)) {
    ctx.assign(py::none());
    return ok_status();
  }
  RAMIEL_ASSIGN_OR_RETURN(auto value, ctx.input(0));
  ctx.assign(value);
  return ok_status();
}

// An omitted input is an empty optional; a tensor or a sequence (opset 18) is always there.
Status emit_optional_has_element(EmitContext& ctx) {
  const ir::TensorType* type = ctx.input_type(0);
  if (!type || !type->is_optional()) {
    ctx.assign(scalar_tensor(py::bool_lit(type != nullptr)));
    return ok_status();
  }
  RAMIEL_ASSIGN_OR_RETURN(auto value, ctx.input(0));
  ctx.assign(scalar_tensor(py::binop("is not", value, py::none())));
  return ok_status();
}

// The optional's tensor or list, an error when it is empty; on a tensor or a sequence (opset 18)
// that value itself.
Status emit_optional_get_element(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto value, ctx.input(0));
  const ir::TensorType* type = ctx.input_type(0);
  if (type && type->is_optional()) {
    RAMIEL_ASSIGN_OR_RETURN(value, helper_call(ctx, "onnx_optional_get_element", {value}));
  }
  ctx.assign(value);
  return ok_status();
}

}  // namespace

void register_sequence(EmitterTable& table) {
  set(table, OpKind::SequenceEmpty, emit_sequence_empty);
  set(table, OpKind::SequenceConstruct, emit_sequence_construct);
  set(table, OpKind::SequenceInsert, emit_sequence_insert);
  set(table, OpKind::SequenceAt, emit_sequence_at);
  set(table, OpKind::SequenceErase, emit_sequence_erase);
  set(table, OpKind::SequenceLength, emit_sequence_length);
  set(table, OpKind::SplitToSequence, emit_split_to_sequence);
  set(table, OpKind::ConcatFromSequence, emit_concat_from_sequence);
  set(table, OpKind::Optional, emit_optional);
  set(table, OpKind::OptionalHasElement, emit_optional_has_element);
  set(table, OpKind::OptionalGetElement, emit_optional_get_element);
}

}  // namespace ramiel::codegen::emitters
