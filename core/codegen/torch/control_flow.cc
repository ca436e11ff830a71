#include "core/codegen/torch/control_flow.h"

#include "core/codegen/python/names.h"

namespace ramiel::codegen {
namespace {

using ir::OpKind;

py::ExprPtr truth(py::ExprPtr condition) {
  return py::call(py::name("bool"), {std::move(condition)});
}

// Binds body inputs [first, first + captures) to the node's captured inputs.
Status bind_captures(EmitContext& ctx, BodyLowering& lowering, const ir::Graph& body) {
  const ir::Node& node = ctx.node();
  const size_t first = body.inputs().size() - node.num_captures();
  for (size_t k = 0; k < node.num_captures(); ++k) {
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr outer, ctx.input(node.num_operands() + k));
    lowering.bind(*body.inputs()[first + k], outer);
  }
  return ok_status();
}

// `a, b = x, y` (or `a = x`), nothing for no targets: loop state is assigned all at once, so
// that state values swapping places read the old values.
void assign_together(std::vector<py::Stmt>& out, std::vector<py::ExprPtr> targets,
                     std::vector<py::ExprPtr> values) {
  if (targets.empty()) return;
  if (targets.size() == 1) {
    out.push_back(py::assign(targets[0], values[0]));
    return;
  }
  out.push_back(py::assign_many(std::move(targets), py::tuple(std::move(values))));
}

const ir::Graph* body_of(const ir::Node& node, const std::string& attribute) {
  return node.subgraph(attribute);
}

StatusOr<py::ExprPtr> output_dtype(EmitContext& ctx, size_t i) {
  return ctx.dtype(ctx.output_type(i).dtype);
}

// The static shape as a tuple with None for unknown dims, or None.
py::ExprPtr shape_literal(const std::optional<ir::Shape>& shape, size_t drop_leading = 0) {
  if (!shape || shape->size() < drop_leading) return py::none();
  std::vector<py::ExprPtr> dims;
  for (size_t d = drop_leading; d < shape->size(); ++d) {
    dims.push_back((*shape)[d] >= 0 ? py::int_lit((*shape)[d]) : py::none());
  }
  return py::tuple(std::move(dims));
}

Status emit_if(EmitContext& ctx, BodyLowering& lowering) {
  const ir::Node& node = ctx.node();
  RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr condition, ctx.input(0));
  std::vector<std::string> outputs;
  for (size_t i = 0; i < node.num_outputs(); ++i) outputs.push_back(ctx.output_variable(i));
  std::vector<py::Stmt> branches[2];
  const char* names[2] = {"then_branch", "else_branch"};
  for (int b = 0; b < 2; ++b) {
    const ir::Graph* body = body_of(node, names[b]);
    if (!body) return ctx.invalid(std::string("has no ") + names[b]);
    if (body->outputs().size() != node.num_outputs()) {
      return ctx.invalid(std::string(names[b]) + " has " + std::to_string(body->outputs().size()) +
                         " outputs for the node's " + std::to_string(node.num_outputs()));
    }
    RAMIEL_RETURN_IF_ERROR(bind_captures(ctx, lowering, *body));
    RAMIEL_ASSIGN_OR_RETURN(branches[b], lowering.lower(*body));
    std::vector<py::ExprPtr> targets, values;
    for (size_t i = 0; i < outputs.size(); ++i) {
      targets.push_back(py::name(outputs[i]));
      RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr value, lowering.output(*body->outputs()[i]));
      values.push_back(value);
    }
    assign_together(branches[b], std::move(targets), std::move(values));
    for (py::Stmt& s : lowering.release_outputs(*body)) branches[b].push_back(std::move(s));
  }
  ctx.emit(py::if_stmt(truth(condition), std::move(branches[0]), std::move(branches[1])));
  return ok_status();
}

Status emit_loop(EmitContext& ctx, BodyLowering& lowering) {
  const ir::Node& node = ctx.node();
  const ir::Graph* body = body_of(node, "body");
  if (!body) return ctx.invalid("has no body");
  const size_t carried = node.num_operands() < 2 ? 0 : node.num_operands() - 2;
  const size_t onnx_inputs = body->inputs().size() - node.num_captures();
  if (onnx_inputs != carried + 2 || body->outputs().size() < carried + 1 ||
      node.num_outputs() != body->outputs().size() - 1) {
    return ctx.invalid("its body's inputs and outputs do not match its carried values");
  }
  const size_t scans = body->outputs().size() - 1 - carried;
  RAMIEL_RETURN_IF_ERROR(bind_captures(ctx, lowering, *body));
  EmitEnvironment& env = ctx.environment();

  // Before the loop: the carried values, the condition, one list per scan output.
  std::vector<py::ExprPtr> state_targets, state_values;
  std::vector<std::string> state;
  for (size_t j = 0; j < carried; ++j) {
    const ir::Value& in = *body->inputs()[2 + j];
    state.push_back(env.temporary(py::tensor_name_base(in.name())));
    lowering.bind(in, py::name(state.back()));
    state_targets.push_back(py::name(state.back()));
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr initial, ctx.input(2 + j));
    state_values.push_back(initial);
  }
  const bool has_condition = ctx.has_input(1);
  std::string condition;
  if (has_condition) {
    condition = env.temporary("cond");
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr initial, ctx.input(1));
    ctx.emit(py::assign(py::name(condition), initial));
    lowering.bind(*body->inputs()[1], py::name(condition));
  } else {  // a for loop: the body's condition is read as true and its result ignored
    lowering.bind(*body->inputs()[1], py::call(py::dotted("torch.tensor"), {py::bool_lit(true)}));
  }
  assign_together(ctx.statements(), state_targets, state_values);
  std::vector<std::string> lists;
  for (size_t k = 0; k < scans; ++k) {
    lists.push_back(env.temporary("scan"));
    ctx.emit(py::assign(py::name(lists.back()), py::list({})));
  }

  // The loop.
  const std::string iteration = lowering.fresh_name("i");
  lowering.bind(*body->inputs()[0], py::call(py::dotted("torch.tensor"), {py::name(iteration)}));
  std::vector<py::Stmt> block;
  if (has_condition) {
    block.push_back(py::if_stmt(py::unary("not", truth(py::name(condition))), {py::break_stmt()}));
  }
  RAMIEL_ASSIGN_OR_RETURN(std::vector<py::Stmt> statements, lowering.lower(*body));
  for (py::Stmt& s : statements) block.push_back(std::move(s));
  for (size_t k = 0; k < scans; ++k) {
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr value, lowering.output(*body->outputs()[1 + carried + k]));
    block.push_back(py::expr_stmt(py::method(py::name(lists[k]), "append", {value})));
  }
  std::vector<py::ExprPtr> targets, values;
  if (has_condition) {
    targets.push_back(py::name(condition));
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr value, lowering.output(*body->outputs()[0]));
    values.push_back(value);
  }
  for (size_t j = 0; j < carried; ++j) {
    targets.push_back(py::name(state[j]));
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr value, lowering.output(*body->outputs()[1 + j]));
    values.push_back(value);
  }
  assign_together(block, std::move(targets), std::move(values));
  for (py::Stmt& s : lowering.release_outputs(*body)) block.push_back(std::move(s));
  RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr iterations, ctx.helper("onnx_loop_iterations"));
  RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr trip_count, ctx.has_input(0)
                                                      ? ctx.scalar_or_input(0)
                                                      : StatusOr<py::ExprPtr>(py::none()));
  ctx.emit(
      py::for_stmt({py::name(iteration)}, py::call(iterations, {trip_count}), std::move(block)));

  // After it: the final state, the stacked scan outputs (empty when no iteration ran).
  for (size_t j = 0; j < carried; ++j) ctx.assign_output(j, py::name(state[j]));
  RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr stack, ctx.helper("onnx_stack_iterations"));
  for (size_t k = 0; k < scans; ++k) {
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr dtype, output_dtype(ctx, carried + k));
    ctx.assign_output(carried + k, py::call(stack, {py::name(lists[k]), dtype,
                                                    shape_literal(ctx.output_shape(carried + k))}));
  }
  return ok_status();
}

// One scan over axis `axes[j]` of each scan input (Scan-9 and later, and the per-batch scan of
// Scan-8): the statements, with the final state left in `state` and each scan output's
// per-iteration values in `lists`. Those variables are released after the node unless they are
// assigned inside an enclosing loop (`nested`), which may run no iteration.
struct ScanPlan {
  std::vector<py::ExprPtr> initial_state;  // expressions
  std::vector<py::ExprPtr> inputs;         // the scanned tensors
  std::vector<int64_t> input_axes, input_reverse;
  std::vector<std::string> state;  // variables, bound to the body's state inputs
  std::vector<std::string> lists;  // one per scan output
  bool nested = false;
};

StatusOr<std::vector<py::Stmt>> scan_statements(EmitContext& ctx, BodyLowering& lowering,
                                                const ir::Graph& body, ScanPlan& plan) {
  EmitEnvironment& env = ctx.environment();
  auto variable = [&](std::string_view hint) {
    return plan.nested ? lowering.fresh_name(hint) : env.temporary(hint);
  };
  const size_t states = plan.initial_state.size();
  const size_t scans_in = plan.inputs.size();
  const size_t scans_out = body.outputs().size() - states;
  std::vector<py::Stmt> out;
  std::vector<py::ExprPtr> targets;
  for (size_t j = 0; j < states; ++j) {
    const ir::Value& in = *body.inputs()[j];
    plan.state.push_back(variable(py::tensor_name_base(in.name())));
    lowering.bind(in, py::name(plan.state.back()));
    targets.push_back(py::name(plan.state.back()));
  }
  assign_together(out, targets, plan.initial_state);
  for (size_t k = 0; k < scans_out; ++k) {
    plan.lists.push_back(variable("scan"));
    out.push_back(py::assign(py::name(plan.lists.back()), py::list({})));
  }
  const std::string iteration = lowering.fresh_name("i");
  std::vector<py::Stmt> block;
  for (size_t j = 0; j < scans_in; ++j) {
    const ir::Value& in = *body.inputs()[states + j];
    const std::string slice = lowering.fresh_name(py::tensor_name_base(in.name()));
    lowering.bind(in, py::name(slice));
    py::ExprPtr index = plan.input_reverse[j] ? py::binop("-", py::int_lit(-1), py::name(iteration))
                                              : py::name(iteration);
    block.push_back(py::assign(py::name(slice),
                               py::call(py::dotted("torch.select"),
                                        {plan.inputs[j], py::int_lit(plan.input_axes[j]), index})));
  }
  RAMIEL_ASSIGN_OR_RETURN(std::vector<py::Stmt> statements, lowering.lower(body));
  for (py::Stmt& s : statements) block.push_back(std::move(s));
  for (size_t k = 0; k < scans_out; ++k) {
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr value, lowering.output(*body.outputs()[states + k]));
    block.push_back(py::expr_stmt(py::method(py::name(plan.lists[k]), "append", {value})));
  }
  std::vector<py::ExprPtr> values;
  for (size_t j = 0; j < states; ++j) {
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr value, lowering.output(*body.outputs()[j]));
    values.push_back(value);
  }
  assign_together(block, targets, std::move(values));
  for (py::Stmt& s : lowering.release_outputs(body)) block.push_back(std::move(s));
  // Every scan input has the same length along its axis (the onnx checker's inference says so).
  py::ExprPtr length =
      py::subscript(py::attr(plan.inputs[0], "shape"), py::int_lit(plan.input_axes[0]));
  out.push_back(
      py::for_stmt({py::name(iteration)}, py::call(py::name("range"), {length}), std::move(block)));
  return out;
}

StatusOr<std::vector<int64_t>> scan_attribute(EmitContext& ctx, const std::string& name,
                                              size_t count) {
  RAMIEL_ASSIGN_OR_RETURN(auto values, ctx.ints_attr(name));
  if (!values) return std::vector<int64_t>(count, 0);
  if (values->size() != count) {
    return ctx.invalid("attribute " + name + " has " + std::to_string(values->size()) +
                       " entries for " + std::to_string(count) + " tensors");
  }
  return *values;
}

Status emit_scan(EmitContext& ctx, BodyLowering& lowering) {
  const ir::Node& node = ctx.node();
  const ir::Graph* body = body_of(node, "body");
  if (!body) return ctx.invalid("has no body");
  RAMIEL_ASSIGN_OR_RETURN(int64_t num_scan_inputs, ctx.int_attr("num_scan_inputs", -1));
  const bool batched = ctx.opset() < 9;  // Scan-8: axis 0 is a batch, the scan runs on axis 1
  const size_t first = batched ? 1 : 0;  // Scan-8's first input is sequence_lens
  if (num_scan_inputs < 1 || node.num_operands() < first + static_cast<size_t>(num_scan_inputs)) {
    return ctx.invalid("num_scan_inputs does not match its inputs");
  }
  const size_t scans_in = static_cast<size_t>(num_scan_inputs);
  const size_t states = node.num_operands() - first - scans_in;
  if (body->inputs().size() != states + scans_in + node.num_captures() ||
      body->outputs().size() != node.num_outputs() || node.num_outputs() < states) {
    return ctx.invalid("its body's inputs and outputs do not match its state and scan inputs");
  }
  const size_t scans_out = node.num_outputs() - states;
  RAMIEL_RETURN_IF_ERROR(bind_captures(ctx, lowering, *body));
  RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr stack, ctx.helper("onnx_stack_iterations"));

  ScanPlan plan;
  std::vector<py::ExprPtr> initial, inputs;
  for (size_t j = 0; j < states; ++j) {
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr e, ctx.input(first + j));
    initial.push_back(e);
  }
  for (size_t j = 0; j < scans_in; ++j) {
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr e, ctx.input(first + states + j));
    inputs.push_back(e);
  }

  if (!batched) {
    plan.initial_state = initial;
    plan.inputs = inputs;
    RAMIEL_ASSIGN_OR_RETURN(plan.input_axes, scan_attribute(ctx, "scan_input_axes", scans_in));
    RAMIEL_ASSIGN_OR_RETURN(plan.input_reverse,
                            scan_attribute(ctx, "scan_input_directions", scans_in));
    RAMIEL_ASSIGN_OR_RETURN(auto out_axes, scan_attribute(ctx, "scan_output_axes", scans_out));
    RAMIEL_ASSIGN_OR_RETURN(auto out_reverse,
                            scan_attribute(ctx, "scan_output_directions", scans_out));
    RAMIEL_ASSIGN_OR_RETURN(auto statements, scan_statements(ctx, lowering, *body, plan));
    for (py::Stmt& s : statements) ctx.emit(std::move(s));
    for (size_t j = 0; j < states; ++j) ctx.assign_output(j, py::name(plan.state[j]));
    for (size_t k = 0; k < scans_out; ++k) {
      RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr dtype, output_dtype(ctx, states + k));
      ctx.assign_output(states + k,
                        py::call(stack, {py::name(plan.lists[k]), dtype,
                                         shape_literal(ctx.output_shape(states + k)),
                                         py::int_lit(out_axes[k]), py::bool_lit(out_reverse[k])}));
    }
    return ok_status();
  }

  // Scan-8: the same scan once per batch entry, its results stacked along the batch axis.
  if (ctx.has_input(0)) {
    return ctx.unsupported(
        "input sequence_lens (per-batch scan lengths) is not supported; "
        "omit it to scan every sequence whole");
  }
  RAMIEL_ASSIGN_OR_RETURN(plan.input_reverse, scan_attribute(ctx, "directions", scans_in));
  plan.input_axes.assign(scans_in, 0);
  plan.nested = true;
  EmitEnvironment& env = ctx.environment();
  const std::string batch = lowering.fresh_name("b");
  for (const py::ExprPtr& e : initial)
    plan.initial_state.push_back(py::subscript(e, py::name(batch)));
  for (const py::ExprPtr& e : inputs) plan.inputs.push_back(py::subscript(e, py::name(batch)));
  std::vector<std::string> batch_lists;
  for (size_t i = 0; i < node.num_outputs(); ++i) {
    batch_lists.push_back(env.temporary("batch"));
    ctx.emit(py::assign(py::name(batch_lists.back()), py::list({})));
  }
  RAMIEL_ASSIGN_OR_RETURN(std::vector<py::Stmt> block, scan_statements(ctx, lowering, *body, plan));
  for (size_t j = 0; j < states; ++j) {
    block.push_back(
        py::expr_stmt(py::method(py::name(batch_lists[j]), "append", {py::name(plan.state[j])})));
  }
  for (size_t k = 0; k < scans_out; ++k) {
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr dtype, output_dtype(ctx, states + k));
    block.push_back(py::expr_stmt(
        py::method(py::name(batch_lists[states + k]), "append",
                   {py::call(stack, {py::name(plan.lists[k]), dtype,
                                     shape_literal(ctx.output_shape(states + k), 1)})})));
  }
  py::ExprPtr batch_size = py::subscript(py::attr(inputs[0], "shape"), py::int_lit(0));
  ctx.emit(
      py::for_stmt({py::name(batch)}, py::call(py::name("range"), {batch_size}), std::move(block)));
  for (size_t i = 0; i < node.num_outputs(); ++i) {
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr dtype, output_dtype(ctx, i));
    ctx.assign_output(
        i, py::call(stack, {py::name(batch_lists[i]), dtype, shape_literal(ctx.output_shape(i))}));
  }
  return ok_status();
}

// SequenceMap: a for loop over the positions of the input sequence; the body reads the element
// of each sequence input at that position (a tensor input whole) and each output list collects
// one body output per position.
Status emit_sequence_map(EmitContext& ctx, BodyLowering& lowering) {
  const ir::Node& node = ctx.node();
  const ir::Graph* body = body_of(node, "body");
  if (!body) return ctx.invalid("has no body");
  const size_t operands = node.num_operands();
  if (body->inputs().size() != operands + node.num_captures() ||
      body->outputs().size() != node.num_outputs()) {
    return ctx.invalid("its body's inputs and outputs do not match its inputs and outputs");
  }
  RAMIEL_RETURN_IF_ERROR(bind_captures(ctx, lowering, *body));
  const std::string position = lowering.fresh_name("i");
  std::vector<py::Stmt> block;
  py::ExprPtr length;
  for (size_t j = 0; j < operands; ++j) {
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr input, ctx.input(j));
    const ir::Value& in = *body->inputs()[j];
    if (!ctx.input_type(j)->is_sequence()) {  // a tensor: the same for every position
      lowering.bind(in, input);
      continue;
    }
    if (!length) length = py::call(py::name("len"), {input});
    const std::string element = lowering.fresh_name(py::tensor_name_base(in.name()));
    lowering.bind(in, py::name(element));
    block.push_back(py::assign(py::name(element), py::subscript(input, py::name(position))));
  }
  if (!length) return ctx.invalid("input 0 is not a sequence");
  std::vector<std::string> lists;
  for (size_t k = 0; k < node.num_outputs(); ++k) {
    lists.push_back(ctx.environment().temporary("mapped"));
    ctx.emit(py::assign(py::name(lists.back()), py::list({})));
  }
  RAMIEL_ASSIGN_OR_RETURN(std::vector<py::Stmt> statements, lowering.lower(*body));
  for (py::Stmt& s : statements) block.push_back(std::move(s));
  for (size_t k = 0; k < lists.size(); ++k) {
    RAMIEL_ASSIGN_OR_RETURN(py::ExprPtr value, lowering.output(*body->outputs()[k]));
    block.push_back(py::expr_stmt(py::method(py::name(lists[k]), "append", {value})));
  }
  for (py::Stmt& s : lowering.release_outputs(*body)) block.push_back(std::move(s));
  ctx.emit(
      py::for_stmt({py::name(position)}, py::call(py::name("range"), {length}), std::move(block)));
  for (size_t k = 0; k < lists.size(); ++k) ctx.assign_output(k, py::name(lists[k]));
  return ok_status();
}

}  // namespace

Status emit_control_flow(EmitContext& ctx, BodyLowering& lowering) {
  switch (ctx.node().op()) {
    case OpKind::If:
      return emit_if(ctx, lowering);
    case OpKind::Loop:
      return emit_loop(ctx, lowering);
    case OpKind::Scan:
      return emit_scan(ctx, lowering);
    case OpKind::SequenceMap:
      return emit_sequence_map(ctx, lowering);
    default:
      return ctx.unsupported("has subgraphs but is not If, Loop, Scan or SequenceMap");
  }
}

}  // namespace ramiel::codegen
