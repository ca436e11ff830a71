// Text ops on integer tokens: TfIdfVectorizer through runtime/helpers_text.py (string tokens
// have no PyTorch tensor, and are refused with the input's type).
#include "core/codegen/torch/emitters/common.h"

namespace ramiel::codegen::emitters {
namespace {

using ir::OpKind;

Status emit_tfidf_vectorizer(EmitContext& ctx) {
  RAMIEL_ASSIGN_OR_RETURN(auto x, ctx.input(0));
  RAMIEL_ASSIGN_OR_RETURN(std::string mode, ctx.string_attr("mode", ""));
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF") {
    return ctx.unsupported_attribute("mode", mode);
  }
  if (ctx.attributes().has("pool_strings")) {
    return ctx.unsupported_attribute("pool_strings", "...", "string tokens have no tensor type");
  }
  RAMIEL_ASSIGN_OR_RETURN(int64_t min_gram, ctx.int_attr("min_gram_length", 1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t max_gram, ctx.int_attr("max_gram_length", 1));
  RAMIEL_ASSIGN_OR_RETURN(int64_t max_skip, ctx.int_attr("max_skip_count", 0));
  RAMIEL_ASSIGN_OR_RETURN(auto counts, ctx.ints_attr("ngram_counts"));
  RAMIEL_ASSIGN_OR_RETURN(auto indexes, ctx.ints_attr("ngram_indexes"));
  RAMIEL_ASSIGN_OR_RETURN(auto pool, ctx.ints_attr("pool_int64s"));
  RAMIEL_ASSIGN_OR_RETURN(auto weights, ctx.floats_attr("weights"));
  if (!counts || !indexes || !pool) {
    return ctx.invalid("ngram_counts, ngram_indexes and pool_int64s are required");
  }
  std::vector<py::ExprPtr> args = {x,
                                   py::str_lit(mode),
                                   py::int_lit(min_gram),
                                   py::int_lit(max_gram),
                                   py::int_lit(max_skip),
                                   py::ints_list(*counts),
                                   py::ints_list(*indexes),
                                   py::ints_list(*pool)};
  if (weights) {
    std::vector<py::ExprPtr> items;
    for (float w : *weights) items.push_back(py::float32_lit(w));
    args.push_back(py::list(std::move(items)));
  }
  RAMIEL_ASSIGN_OR_RETURN(auto y, helper_call(ctx, "onnx_tfidf_vectorizer", std::move(args)));
  ctx.assign(y);
  return ok_status();
}

}  // namespace

void register_text(EmitterTable& table) {
  set(table, OpKind::TfIdfVectorizer, emit_tfidf_vectorizer);
}

}  // namespace ramiel::codegen::emitters
