// String tensors. Torch has no string dtype, so a program holds them as numpy arrays of Python
// str (dtype=object) and only the ops here read or make them, through
// runtime/helpers_strings.py: Identity, Cast and CastLike to and from STRING, StringNormalizer.
// emit_node sends every node that touches a string tensor here; any other op is refused at
// compile time, naming node, op and opset, rather than failing on a numpy array at run time.
#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::DType;
using ir::OpKind;

bool is_string(const ir::TensorType* type) {
  return type && type->dtype == DType::kString;
}

// Nothing writes a string array in place, so the same array can flow on.
Status emit_string_identity(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  ctx.assign(x);
  return ok_status();
}

Status emit_string_cast(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  const ir::TensorType* from = ctx.input_type(0);
  RAMIEL_ASSIGN_OR_RETURN(DType target, cast_target(ctx));
  if (is_string(from) && target == DType::kString) {
    ctx.assign(x);
    return ok_status();
  }
  if (target == DType::kString) {
    // uint64's carrier holds values from 2^63 on as negative numbers (see emitter.h).
    if (from->dtype == DType::kUInt64 || from->dtype == DType::kComplex64 ||
        from->dtype == DType::kComplex128) {
      return ctx.unsupported("casts from " + std::string(ir::dtype_name(from->dtype)) +
                             " to string are not supported");
    }
    RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, "onnx_cast_to_string", {x}));
    ctx.assign(y);
    return ok_status();
  }
  // ONNX defines casts from strings to numbers; a string's truth value is not one of them.
  if (!(ir::is_floating(target) || ir::is_integer(target)) || target == DType::kUInt64) {
    return ctx.unsupported("casts from string to " + std::string(ir::dtype_name(target)) +
                           " are not supported");
  }
  RAMIEL_ASSIGN_OR_RETURN(auto dtype, ctx.dtype(target));
  RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, "onnx_cast_from_string", {x, dtype}));
  ctx.assign(y);
  return ok_status();
}

// Case changes follow Unicode's default rules (Python's str.lower and str.upper), which are
// en_US's; a locale with rules of its own (Turkish dotted and dotless i, ...) is refused.
bool default_casing_locale(const std::string& locale) {
  return locale.empty() || locale == "C" || locale == "POSIX" || locale.rfind("en", 0) == 0;
}

Status emit_string_normalizer(EmitContext& ctx) {
  if (!is_string(ctx.input_type(0))) return ctx.invalid("input 0 must be a string tensor");
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(std::string action, ctx.string_attr("case_change_action", "NONE"));
  if (action != "NONE" && action != "LOWER" && action != "UPPER") {
    return ctx.unsupported_attribute("case_change_action", action,
                                     "it must be LOWER, UPPER or NONE");
  }
  RAMIEL_ASSIGN_OR_RETURN(int64_t case_sensitive, ctx.int_attr("is_case_sensitive", 0));
  RAMIEL_ASSIGN_OR_RETURN(auto stopwords, ctx.strings_attr("stopwords"));
  RAMIEL_ASSIGN_OR_RETURN(std::string locale, ctx.string_attr("locale", ""));
  if (action != "NONE" && !default_casing_locale(locale)) {
    return ctx.unsupported_attribute("locale", locale,
                                     "case changes follow Unicode's default rules (en_US)");
  }
  const auto shape = ctx.input_shape(0);
  if (shape && !(shape->size() == 1 || (shape->size() == 2 && (*shape)[0] <= 1))) {
    return ctx.invalid("input 0 must have shape [C] or [1, C]");
  }
  std::vector<py::ExprPtr> words;
  for (const std::string& word : stopwords.value_or(std::vector<std::string>{})) {
    words.push_back(py::str_lit(word));
  }
  RAMIEL_ASSIGN_OR_RETURN(auto y,
                          helper_call(ctx, "onnx_string_normalizer",
                                      {x, py::str_lit(action), py::bool_lit(case_sensitive != 0),
                                       py::list(std::move(words))}));
  ctx.assign(y);
  return ok_status();
}

const EmitterTable& string_emitter_table() {
  static const EmitterTable table = [] {
    EmitterTable t{};
    set(t, OpKind::Identity, emit_string_identity);
    set(t, OpKind::Cast, emit_string_cast);
    set(t, OpKind::CastLike, emit_string_cast);
    set(t, OpKind::StringNormalizer, emit_string_normalizer);
    return t;
  }();
  return table;
}

}  // namespace

Status emit_string_node(EmitContext& ctx) {
  Emitter emitter = string_emitter_table()[static_cast<size_t>(ctx.node().op())];
  if (!emitter) {
    return ctx.unsupported(
        "string tensors are supported only by Identity, Cast, CastLike and StringNormalizer");
  }
  return emitter(ctx);
}

}  // namespace ramiel::codegen::emitters
