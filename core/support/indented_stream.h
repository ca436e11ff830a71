// A text stream that indents every line it starts; printers (IR, Python, DOT) build on it.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace ramiel {

class IndentedStream {
 public:
  explicit IndentedStream(int spaces_per_level = 2) : spaces_per_level_(spaces_per_level) {}

  // Writes one whole line at the current indentation.
  IndentedStream& line(std::string_view text = {});
  void indent() { ++level_; }
  void dedent() { --level_; }
  std::string str() const { return out_.str(); }

  // Indents for the lifetime of the guard.
  class Scope {
   public:
    explicit Scope(IndentedStream& s) : s_(s) { s_.indent(); }
    ~Scope() { s_.dedent(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    IndentedStream& s_;
  };

 private:
  std::ostringstream out_;
  int level_ = 0;
  int spaces_per_level_;
};

}  // namespace ramiel
