#include "core/codegen/python/ast.h"

namespace ramiel::codegen::py {
namespace {

ExprPtr make(ExprKind kind, std::vector<ExprPtr> items = {}, std::string text = {}) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->items = std::move(items);
  e->text = std::move(text);
  return e;
}

}  // namespace

ExprPtr name(std::string identifier) {
  return make(ExprKind::kName, {}, std::move(identifier));
}

ExprPtr int_lit(int64_t value) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kInt;
  e->int_value = value;
  return e;
}

ExprPtr float_lit(double value) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kFloat;
  e->float_value = value;
  return e;
}

ExprPtr float32_lit(float value) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kFloat;
  e->float_value = value;
  e->float32 = true;
  return e;
}

ExprPtr str_lit(std::string value) {
  return make(ExprKind::kString, {}, std::move(value));
}

ExprPtr bool_lit(bool value) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kBool;
  e->int_value = value ? 1 : 0;
  return e;
}

ExprPtr none() {
  return make(ExprKind::kNone);
}

ExprPtr attr(ExprPtr value, std::string attribute) {
  return make(ExprKind::kAttribute, {std::move(value)}, std::move(attribute));
}

ExprPtr dotted(const std::string& path) {
  size_t start = 0;
  size_t dot = path.find('.');
  ExprPtr e = name(path.substr(0, dot));
  while (dot != std::string::npos) {
    start = dot + 1;
    dot = path.find('.', start);
    e = attr(e, path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
  }
  return e;
}

ExprPtr call(ExprPtr func, std::vector<ExprPtr> args, Keywords keywords) {
  args.insert(args.begin(), std::move(func));
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kCall;
  e->items = std::move(args);
  e->keywords = std::move(keywords);
  return e;
}

ExprPtr method(ExprPtr object, std::string method_name, std::vector<ExprPtr> args,
               Keywords keywords) {
  return call(attr(std::move(object), std::move(method_name)), std::move(args),
              std::move(keywords));
}

ExprPtr tuple(std::vector<ExprPtr> items) {
  return make(ExprKind::kTuple, std::move(items));
}
ExprPtr list(std::vector<ExprPtr> items) {
  return make(ExprKind::kList, std::move(items));
}

ExprPtr dict(std::vector<std::pair<ExprPtr, ExprPtr>> entries) {
  std::vector<ExprPtr> items;
  for (auto& [k, v] : entries) {
    items.push_back(std::move(k));
    items.push_back(std::move(v));
  }
  return make(ExprKind::kDict, std::move(items));
}

ExprPtr subscript(ExprPtr value, ExprPtr index) {
  return make(ExprKind::kSubscript, {std::move(value), std::move(index)});
}

ExprPtr slice(ExprPtr lower, ExprPtr upper, ExprPtr step) {
  return make(ExprKind::kSlice, {std::move(lower), std::move(upper), std::move(step)});
}

ExprPtr binop(std::string op, ExprPtr left, ExprPtr right) {
  return make(ExprKind::kBinOp, {std::move(left), std::move(right)}, std::move(op));
}

ExprPtr unary(std::string op, ExprPtr operand) {
  return make(ExprKind::kUnaryOp, {std::move(operand)}, std::move(op));
}

ExprPtr ints_tuple(const std::vector<int64_t>& values) {
  std::vector<ExprPtr> items;
  for (int64_t v : values) items.push_back(int_lit(v));
  return tuple(std::move(items));
}

ExprPtr ints_list(const std::vector<int64_t>& values) {
  std::vector<ExprPtr> items;
  for (int64_t v : values) items.push_back(int_lit(v));
  return list(std::move(items));
}

ExprPtr one_per_line(const ExprPtr& bracketed) {
  auto e = std::make_shared<Expr>(*bracketed);
  e->one_per_line = true;
  return e;
}

ExprPtr packed(const ExprPtr& bracketed) {
  auto e = std::make_shared<Expr>(*bracketed);
  e->packed = true;
  return e;
}

Stmt assign(ExprPtr target, ExprPtr value) {
  Stmt s;
  s.kind = StmtKind::kAssign;
  s.targets = {std::move(target)};
  s.value = std::move(value);
  return s;
}

Stmt assign_many(std::vector<ExprPtr> targets, ExprPtr value) {
  Stmt s;
  s.kind = StmtKind::kAssign;
  s.targets = std::move(targets);
  s.value = std::move(value);
  return s;
}

Stmt expr_stmt(ExprPtr value) {
  Stmt s;
  s.kind = StmtKind::kExpr;
  s.value = std::move(value);
  return s;
}

Stmt return_stmt(ExprPtr value) {
  Stmt s;
  s.kind = StmtKind::kReturn;
  s.value = std::move(value);
  return s;
}

Stmt del_stmt(std::vector<std::string> names) {
  Stmt s;
  s.kind = StmtKind::kDel;
  s.names = std::move(names);
  return s;
}

Stmt function_def(std::string function_name, std::vector<std::string> params, std::string docstring,
                  std::vector<Stmt> body) {
  Stmt s;
  s.kind = StmtKind::kFunctionDef;
  s.text = std::move(function_name);
  s.names = std::move(params);
  s.docstring = std::move(docstring);
  s.body = std::move(body);
  return s;
}

Stmt if_stmt(ExprPtr test, std::vector<Stmt> body, std::vector<Stmt> orelse) {
  Stmt s;
  s.kind = StmtKind::kIf;
  s.value = std::move(test);
  s.body = std::move(body);
  s.orelse = std::move(orelse);
  return s;
}

Stmt for_stmt(std::vector<ExprPtr> targets, ExprPtr iterable, std::vector<Stmt> body) {
  Stmt s;
  s.kind = StmtKind::kFor;
  s.targets = std::move(targets);
  s.value = std::move(iterable);
  s.body = std::move(body);
  return s;
}

Stmt break_stmt() {
  Stmt s;
  s.kind = StmtKind::kBreak;
  return s;
}

Stmt comment(std::string text) {
  Stmt s;
  s.kind = StmtKind::kComment;
  s.text = std::move(text);
  return s;
}

Stmt blank() {
  return Stmt{};
}

Stmt raw(std::string python_text) {
  Stmt s;
  s.kind = StmtKind::kRaw;
  s.text = std::move(python_text);
  return s;
}

namespace {

bool expr_mentions(const ExprPtr& e, std::string_view identifier) {
  if (!e) return false;
  if (e->kind == ExprKind::kName && e->text == identifier) return true;
  for (const ExprPtr& item : e->items) {
    if (expr_mentions(item, identifier)) return true;
  }
  for (const auto& keyword : e->keywords) {
    if (expr_mentions(keyword.second, identifier)) return true;
  }
  return false;
}

}  // namespace

bool mentions_name(const std::vector<Stmt>& statements, std::string_view identifier) {
  for (const Stmt& s : statements) {
    if (expr_mentions(s.value, identifier)) return true;
    for (const ExprPtr& target : s.targets) {
      if (expr_mentions(target, identifier)) return true;
    }
    if (mentions_name(s.body, identifier) || mentions_name(s.orelse, identifier)) return true;
  }
  return false;
}

}  // namespace ramiel::codegen::py
