// The printer: the only code that knows how Python is spelled (precedence, quoting, layout).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/codegen/python/ast.h"

namespace ramiel::codegen::py {

struct PrintedCode {
  std::string text;
  // Every line of every tagged statement, with its tag: (1-based line number, tag), ascending.
  std::vector<std::pair<int, LineTag>> tagged_lines;
  int line_count = 0;
};

class Printer {
 public:
  // Lines longer than `line_width` are broken inside brackets, black-style.
  explicit Printer(int line_width = 100) : line_width_(line_width) {}

  // One expression on one line.
  std::string expr(const Expr& e) const;
  // Statements at indentation level 0; line numbers start at `first_line`.
  PrintedCode statements(const std::vector<Stmt>& body, int first_line = 1) const;

 private:
  int line_width_;
};

}  // namespace ramiel::codegen::py
