#include "core/codegen/python/printer.h"

#include <string_view>

#include "core/codegen/python/literals.h"
#include "core/support/check.h"

namespace ramiel::codegen::py {
namespace {

constexpr int kIndent = 4;

// Python's binding strengths, weakest first (the language reference's precedence table).
enum Precedence : int {
  kOr = 3,
  kAnd = 4,
  kNot = 5,
  kCompare = 6,
  kBitOr = 7,
  kBitXor = 8,
  kBitAnd = 9,
  kShift = 10,
  kSum = 11,
  kProduct = 12,
  kUnary = 13,
  kPower = 14,
  kPrimary = 16,
  kAtom = 17,
};

int binop_precedence(std::string_view op) {
  if (op == "or") return kOr;
  if (op == "and") return kAnd;
  if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=" ||
      op == "is" || op == "is not" || op == "in" || op == "not in") {
    return kCompare;
  }
  if (op == "|") return kBitOr;
  if (op == "^") return kBitXor;
  if (op == "&") return kBitAnd;
  if (op == "<<" || op == ">>") return kShift;
  if (op == "+" || op == "-") return kSum;
  if (op == "*" || op == "/" || op == "//" || op == "%" || op == "@") return kProduct;
  if (op == "**") return kPower;
  RAMIEL_UNREACHABLE("unknown Python binary operator");
}

std::string literal_text(const Expr& e) {
  if (e.kind == ExprKind::kInt) return std::to_string(e.int_value);
  return e.float32 ? format_float32(static_cast<float>(e.float_value))
                   : format_double(e.float_value);
}

int precedence(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kInt:
    case ExprKind::kFloat: {
      const std::string text = literal_text(e);
      if (text[0] == '-') return kUnary;
      return text.find('(') != std::string::npos ? kPrimary : kAtom;
    }
    case ExprKind::kAttribute:
    case ExprKind::kCall:
    case ExprKind::kSubscript:
      return kPrimary;
    case ExprKind::kBinOp:
      return binop_precedence(e.text);
    case ExprKind::kUnaryOp:
      return e.text == "not" ? kNot : kUnary;
    default:
      return kAtom;
  }
}

bool all_literals(const Expr& e) {
  if (e.kind != ExprKind::kList && e.kind != ExprKind::kTuple) return false;
  for (const ExprPtr& item : e.items) {
    if (item->kind != ExprKind::kInt && item->kind != ExprKind::kFloat &&
        item->kind != ExprKind::kBool && item->kind != ExprKind::kNone) {
      return false;
    }
  }
  return true;
}

// Bracketed expressions the layout may break over several lines.
bool is_bracketed(const Expr& e) {
  return (e.kind == ExprKind::kCall || e.kind == ExprKind::kList || e.kind == ExprKind::kTuple ||
          e.kind == ExprKind::kDict) &&
         (e.items.size() > (e.kind == ExprKind::kCall ? 1u : 0u) || !e.keywords.empty());
}

class ExprPrinter {
 public:
  std::string flat(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kName:
        return e.text;
      case ExprKind::kInt:
      case ExprKind::kFloat:
        return literal_text(e);
      case ExprKind::kString:
        return quote_string(e.text);
      case ExprKind::kBool:
        return e.int_value ? "True" : "False";
      case ExprKind::kNone:
        return "None";
      case ExprKind::kAttribute: {
        const Expr& base = *e.items[0];
        // `1.real` would read as a float literal.
        bool wrap = precedence(base) < kPrimary || base.kind == ExprKind::kInt;
        return parenthesize(flat(base), wrap) + "." + e.text;
      }
      case ExprKind::kSubscript: {
        const Expr& base = *e.items[0];
        return parenthesize(flat(base), precedence(base) < kPrimary) + "[" + index(*e.items[1]) +
               "]";
      }
      case ExprKind::kSlice:
        return slice_text(e);
      case ExprKind::kBinOp:
        return binop_text(e);
      case ExprKind::kUnaryOp: {
        const Expr& operand = *e.items[0];
        const int own = precedence(e);
        // `- -1` must not print as `--1`; `not` needs its space.
        std::string sep = e.text == "not" ? " " : "";
        std::string inner = parenthesize(flat(operand), precedence(operand) < own);
        if (sep.empty() && !inner.empty() && (inner[0] == '-' || inner[0] == '+')) sep = " ";
        return e.text + sep + inner;
      }
      case ExprKind::kCall:
      case ExprKind::kTuple:
      case ExprKind::kList:
      case ExprKind::kDict: {
        std::vector<std::string> parts = item_texts(e);
        std::string joined;
        for (size_t i = 0; i < parts.size(); ++i) joined += (i ? ", " : "") + parts[i];
        if (e.kind == ExprKind::kTuple && parts.size() == 1) joined += ",";
        return opening(e) + joined + closing(e);
      }
    }
    RAMIEL_UNREACHABLE("unknown expression kind");
  }

  // The opening text up to and including the bracket: "F.conv2d(", "(", "[", "{".
  std::string opening(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kCall: {
        const Expr& func = *e.items[0];
        return parenthesize(flat(func), precedence(func) < kPrimary) + "(";
      }
      case ExprKind::kTuple:
        return "(";
      case ExprKind::kList:
        return "[";
      case ExprKind::kDict:
        return "{";
      default:
        RAMIEL_UNREACHABLE("not a bracketed expression");
    }
  }

  std::string closing(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kCall:
      case ExprKind::kTuple:
        return ")";
      case ExprKind::kList:
        return "]";
      case ExprKind::kDict:
        return "}";
      default:
        RAMIEL_UNREACHABLE("not a bracketed expression");
    }
  }

  // The items between the brackets, each as its own text; `item_expr` gives the expression
  // behind each (for breaking nested brackets) and `item_prefix` what precedes it ("key: ").
  std::vector<std::string> item_texts(const Expr& e) const {
    std::vector<std::string> out;
    for (size_t i = 0; i < item_count(e); ++i)
      out.push_back(item_prefix(e, i) + flat(item_expr(e, i)));
    return out;
  }

  size_t item_count(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kCall:
        return e.items.size() - 1 + e.keywords.size();
      case ExprKind::kDict:
        return e.items.size() / 2;
      default:
        return e.items.size();
    }
  }

  const Expr& item_expr(const Expr& e, size_t i) const {
    if (e.kind == ExprKind::kCall) {
      const size_t positional = e.items.size() - 1;
      return i < positional ? *e.items[i + 1] : *e.keywords[i - positional].second;
    }
    if (e.kind == ExprKind::kDict) return *e.items[2 * i + 1];
    return *e.items[i];
  }

  std::string item_prefix(const Expr& e, size_t i) const {
    if (e.kind == ExprKind::kCall) {
      const size_t positional = e.items.size() - 1;
      return i < positional ? "" : e.keywords[i - positional].first + "=";
    }
    if (e.kind == ExprKind::kDict) return flat(*e.items[2 * i]) + ": ";
    return "";
  }

 private:
  static std::string parenthesize(std::string text, bool wrap) {
    return wrap ? "(" + text + ")" : text;
  }

  std::string binop_text(const Expr& e) const {
    const int own = binop_precedence(e.text);
    const Expr& left = *e.items[0];
    const Expr& right = *e.items[1];
    bool wrap_left;
    bool wrap_right;
    if (own == kCompare) {  // never chain comparisons by accident
      wrap_left = precedence(left) <= kCompare;
      wrap_right = precedence(right) <= kCompare;
    } else if (own == kPower) {  // right-associative; its right operand may be a unary
      wrap_left = precedence(left) <= kPower;
      wrap_right = precedence(right) < kUnary;
    } else {
      wrap_left = precedence(left) < own;
      wrap_right = precedence(right) <= own;
    }
    return parenthesize(flat(left), wrap_left) + " " + e.text + " " +
           parenthesize(flat(right), wrap_right);
  }

  std::string slice_text(const Expr& e) const {
    auto part = [&](size_t i) { return e.items[i] ? flat(*e.items[i]) : std::string(); };
    std::string out = part(0) + ":" + part(1);
    if (e.items[2]) out += ":" + part(2);
    return out;
  }

  std::string index(const Expr& e) const {
    if (e.kind == ExprKind::kTuple && e.items.size() > 1) {
      std::string out;
      for (size_t i = 0; i < e.items.size(); ++i) out += (i ? ", " : "") + flat(*e.items[i]);
      return out;
    }
    return flat(e);
  }
};

// Writes statements line by line, keeping count of lines for the tags.
class StatementPrinter {
 public:
  StatementPrinter(int width, int first_line) : width_(width), line_(first_line) {}

  void block(const std::vector<Stmt>& body, int level) {
    for (const Stmt& s : body) statement(s, level);
  }

  PrintedCode finish(int first_line) {
    PrintedCode out;
    out.text = std::move(text_);
    out.tagged_lines = std::move(tags_);
    out.line_count = line_ - first_line;
    return out;
  }

 private:
  void emit_line(const std::string& text) {
    text_ += text;
    text_ += '\n';
    ++line_;
  }

  // Emits `head + expr + tail` at `level`, breaking `expr` over lines when it does not fit.
  void emit_expr_line(int level, const std::string& head, const Expr& e, const std::string& tail) {
    const std::string pad(static_cast<size_t>(level * kIndent), ' ');
    std::string line = pad + head + p_.flat(e) + tail;
    if (!is_bracketed(e) || (static_cast<int>(line.size()) <= width_ && !e.one_per_line)) {
      emit_line(line);
      return;
    }
    emit_broken(level, head, e, tail);
  }

  void emit_broken(int level, const std::string& head, const Expr& e, const std::string& tail) {
    const std::string pad(static_cast<size_t>(level * kIndent), ' ');
    const std::string inner_pad(static_cast<size_t>((level + 1) * kIndent), ' ');
    emit_line(pad + head + p_.opening(e));
    std::vector<std::string> items = p_.item_texts(e);
    // All items on one continuation line when they fit (a one-item tuple keeps its comma).
    std::string joined;
    for (size_t i = 0; i < items.size(); ++i) joined += (i ? ", " : "") + items[i];
    if (e.kind == ExprKind::kTuple && items.size() == 1) joined += ",";
    if (!e.one_per_line && static_cast<int>(inner_pad.size() + joined.size()) <= width_) {
      emit_line(inner_pad + joined);
    } else if (!e.one_per_line && (e.packed || all_literals(e))) {
      // Numbers (and tables marked packed) read best as many to a line as fit.
      std::string line = inner_pad;
      for (const std::string& item : items) {
        if (line.size() > inner_pad.size() &&
            static_cast<int>(line.size() + 1 + item.size() + 1) > width_) {
          line.pop_back();  // the space after the last comma
          emit_line(line);
          line = inner_pad;
        }
        line += item + ", ";
      }
      line.pop_back();
      emit_line(line);
    } else {
      for (size_t i = 0; i < items.size(); ++i) {
        emit_expr_line(level + 1, p_.item_prefix(e, i), p_.item_expr(e, i), ",");
      }
    }
    emit_line(pad + p_.closing(e) + tail);
  }

  static std::string comment_text(std::string_view text) {
    std::string out;
    for (char c : text) {
      auto u = static_cast<unsigned char>(c);
      out += (u < 0x20 || u >= 0x7F) ? '?' : c;
    }
    return out;
  }

  // Docstrings read best triple-quoted; text that would need escapes falls back to a literal.
  void docstring(const std::string& text, int level) {
    const std::string pad(static_cast<size_t>(level * kIndent), ' ');
    bool plain = text.find("\"\"\"") == std::string::npos && text.find('\\') == std::string::npos &&
                 (text.empty() || text.back() != '"');
    for (char c : text) {
      auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\n') || u >= 0x7F) plain = false;
    }
    if (!plain) {
      emit_line(pad + quote_string(text));
      return;
    }
    size_t start = 0;
    size_t newline = text.find('\n');
    if (newline == std::string::npos) {
      emit_line(pad + "\"\"\"" + text + "\"\"\"");
      return;
    }
    emit_line(pad + "\"\"\"" + text.substr(0, newline));
    while (newline != std::string::npos) {
      start = newline + 1;
      newline = text.find('\n', start);
      std::string piece =
          text.substr(start, newline == std::string::npos ? newline : newline - start);
      emit_line(piece.empty() ? std::string() : pad + piece);
    }
    emit_line(pad + "\"\"\"");
  }

  void statement(const Stmt& s, int level) {
    const int first = line_;
    const std::string pad(static_cast<size_t>(level * kIndent), ' ');
    const std::string tail =
        s.trailing_comment.empty() ? "" : "  # " + comment_text(s.trailing_comment);
    switch (s.kind) {
      case StmtKind::kAssign: {
        std::string head;
        for (size_t i = 0; i < s.targets.size(); ++i)
          head += (i ? ", " : "") + p_.flat(*s.targets[i]);
        emit_expr_line(level, head + " = ", *s.value, tail);
        break;
      }
      case StmtKind::kExpr:
        emit_expr_line(level, "", *s.value, tail);
        break;
      case StmtKind::kReturn:
        if (s.value) {
          emit_expr_line(level, "return ", *s.value, tail);
        } else {
          emit_line(pad + "return" + tail);
        }
        break;
      case StmtKind::kDel:
        del(s.names, pad, tail);
        break;
      case StmtKind::kFunctionDef: {
        std::string params;
        for (size_t i = 0; i < s.names.size(); ++i) params += (i ? ", " : "") + s.names[i];
        emit_line(pad + "def " + s.text + "(" + params + "):" + tail);
        if (!s.docstring.empty()) docstring(s.docstring, level + 1);
        if (s.body.empty() && s.docstring.empty()) emit_line(pad + "    pass");
        block(s.body, level + 1);
        break;
      }
      case StmtKind::kIf:
        emit_expr_line(level, "if ", *s.value, ":" + tail);
        if (s.body.empty()) emit_line(pad + "    pass");
        block(s.body, level + 1);
        if (!s.orelse.empty()) {
          emit_line(pad + "else:");
          block(s.orelse, level + 1);
        }
        break;
      case StmtKind::kFor: {
        std::string head;
        for (size_t i = 0; i < s.targets.size(); ++i)
          head += (i ? ", " : "") + p_.flat(*s.targets[i]);
        emit_expr_line(level, "for " + head + " in ", *s.value, ":" + tail);
        if (s.body.empty()) emit_line(pad + "    pass");
        block(s.body, level + 1);
        break;
      }
      case StmtKind::kBreak:
        emit_line(pad + "break" + tail);
        break;
      case StmtKind::kComment:
        emit_line(s.text.empty() ? pad + "#" : pad + "# " + comment_text(s.text));
        break;
      case StmtKind::kBlank:
        emit_line("");
        break;
      case StmtKind::kRaw:
        raw_text(s.text, pad);
        break;
    }
    if (s.tag) {
      for (int line = first; line < line_; ++line) tags_.emplace_back(line, *s.tag);
    }
  }

  // `del a, b, ...`, split over several statements rather than one overlong line.
  void del(const std::vector<std::string>& names, const std::string& pad, const std::string& tail) {
    std::string line;
    for (const std::string& n : names) {
      if (!line.empty() && static_cast<int>(line.size() + 2 + n.size() + tail.size()) > width_) {
        emit_line(line);
        line.clear();
      }
      line += line.empty() ? pad + "del " + n : ", " + n;
    }
    if (!line.empty()) emit_line(line + tail);
  }

  void raw_text(const std::string& text, const std::string& pad) {
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string_view piece(text.data() + start, end - start);
      emit_line(piece.empty() ? std::string() : pad + std::string(piece));
      start = end + 1;
    }
  }

  int width_;
  int line_;
  ExprPrinter p_;
  std::string text_;
  std::vector<std::pair<int, LineTag>> tags_;
};

}  // namespace

std::string Printer::expr(const Expr& e) const {
  return ExprPrinter().flat(e);
}

PrintedCode Printer::statements(const std::vector<Stmt>& body, int first_line) const {
  StatementPrinter printer(line_width_, first_line);
  printer.block(body, 0);
  return printer.finish(first_line);
}

}  // namespace ramiel::codegen::py
