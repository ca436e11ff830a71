// A small Python AST: the expressions and statements generated programs are made of.
//
// The lowering builds these trees and the printer (python_printer.h) alone turns them into text,
// so Python's rules (precedence, quoting, float spelling, indentation) live in one place.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ramiel::codegen::py {

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

enum class ExprKind {
  kName,    // text
  kInt,     // int_value
  kFloat,   // float_value (float32: spelled as the shortest float32 round trip)
  kString,  // text
  kBool,    // int_value != 0
  kNone,
  kAttribute,  // items[0].text
  kCall,       // items[0](items[1..], keywords)
  kTuple,      // (items...)
  kList,       // [items...]
  kDict,       // {items[2i]: items[2i+1]}
  kSubscript,  // items[0][items[1]]; a kTuple index prints without parentheses
  kSlice,      // items[0]:items[1]:items[2], each may be null (only inside a subscript)
  kBinOp,      // items[0] text items[1]: + - * / // % @ ** and or == != < <= > >= is in ...
  kUnaryOp,    // text items[0]: - + ~ not
};

struct Expr {
  ExprKind kind = ExprKind::kNone;
  std::string text;
  int64_t int_value = 0;
  double float_value = 0;
  bool float32 = false;
  std::vector<ExprPtr> items;
  std::vector<std::pair<std::string, ExprPtr>> keywords;  // kCall only, printed in this order
  bool one_per_line = false;  // bracketed: always one item per line (tables read best so)
  bool packed = false;        // bracketed and too long: as many items to a line as fit
};

// --- expression builders ---------------------------------------------------------------------
ExprPtr name(std::string identifier);
ExprPtr int_lit(int64_t value);
ExprPtr float_lit(double value);   // a Python float (double precision)
ExprPtr float32_lit(float value);  // a float32 value, spelled as briefly as exactness allows
ExprPtr str_lit(std::string value);
ExprPtr bool_lit(bool value);
ExprPtr none();
ExprPtr attr(ExprPtr value, std::string attribute);
// `dotted("torch.nn.functional")`: a chain of attributes on a name.
ExprPtr dotted(const std::string& path);
using Keywords = std::vector<std::pair<std::string, ExprPtr>>;
ExprPtr call(ExprPtr func, std::vector<ExprPtr> args, Keywords keywords = {});
ExprPtr method(ExprPtr object, std::string method_name, std::vector<ExprPtr> args,
               Keywords keywords = {});
ExprPtr tuple(std::vector<ExprPtr> items);
ExprPtr list(std::vector<ExprPtr> items);
ExprPtr dict(std::vector<std::pair<ExprPtr, ExprPtr>> entries);
ExprPtr subscript(ExprPtr value, ExprPtr index);
ExprPtr slice(ExprPtr lower, ExprPtr upper, ExprPtr step = nullptr);  // null: omitted
ExprPtr binop(std::string op, ExprPtr left, ExprPtr right);
ExprPtr unary(std::string op, ExprPtr operand);
// Tuples of literals, common in torch calls: ints_tuple({2, 2}) -> (2, 2).
ExprPtr ints_tuple(const std::vector<int64_t>& values);
ExprPtr ints_list(const std::vector<int64_t>& values);
// A copy of a tuple, list, dict or call that prints one item per line.
ExprPtr one_per_line(const ExprPtr& bracketed);
// A copy of a tuple, list or dict that, when it does not fit on a line, prints as many items to a
// line as fit (long tables of short rows).
ExprPtr packed(const ExprPtr& bracketed);

// --- statements ----------------------------------------------------------------------------
// What a statement line stands for, recorded with its line numbers by the printer: the program
// maps failing lines and trace events back to graph nodes with it.
struct LineTag {
  std::string label;     // the node name, or the value name for hand-offs
  std::string category;  // the op type, or "recv" / "send"
  bool operator==(const LineTag&) const = default;
};

enum class StmtKind {
  kAssign,       // targets = value (several targets: tuple unpacking)
  kExpr,         // value
  kReturn,       // return value (value may be null)
  kDel,          // del names...
  kFunctionDef,  // def text(params): docstring; body
  kIf,           // if value: body else: orelse
  kFor,          // for targets in value: body
  kBreak,        // break
  kComment,      // # text
  kBlank,        // an empty line
  kRaw,          // text, verbatim Python (the runtime templates), re-indented to the block
};

struct Stmt {
  StmtKind kind = StmtKind::kBlank;
  std::vector<ExprPtr> targets;
  ExprPtr value;
  std::vector<std::string> names;  // kDel: names; kFunctionDef: parameters
  std::string text;
  std::string docstring;  // kFunctionDef
  std::vector<Stmt> body;
  std::vector<Stmt> orelse;
  std::string trailing_comment;
  std::optional<LineTag> tag;
};

Stmt assign(ExprPtr target, ExprPtr value);
Stmt assign_many(std::vector<ExprPtr> targets, ExprPtr value);
Stmt expr_stmt(ExprPtr value);
Stmt return_stmt(ExprPtr value);
Stmt del_stmt(std::vector<std::string> names);
Stmt function_def(std::string function_name, std::vector<std::string> params, std::string docstring,
                  std::vector<Stmt> body);
Stmt if_stmt(ExprPtr test, std::vector<Stmt> body, std::vector<Stmt> orelse = {});
// `for a, b in value:` (one target: `for a in value:`).
Stmt for_stmt(std::vector<ExprPtr> targets, ExprPtr iterable, std::vector<Stmt> body);
Stmt break_stmt();
Stmt comment(std::string text);
Stmt blank();
Stmt raw(std::string python_text);

// Whether any expression of `statements` (their bodies included; raw text excluded) reads the
// name `identifier`: a program imports only the modules it uses.
bool mentions_name(const std::vector<Stmt>& statements, std::string_view identifier);

}  // namespace ramiel::codegen::py
