// Python identifiers from ONNX names: sanitised, unique, never a keyword, builtin or module.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "core/support/name_supply.h"

namespace ramiel::codegen::py {

bool is_keyword(std::string_view name);  // hard and soft keywords ("match", "case", "_")
bool is_builtin(std::string_view name);  // names of Python 3's builtins module

// A valid ASCII identifier that still reads like `raw`: characters other than letters, digits
// and '_' become '_', runs of '_' collapse, leading and trailing '_' go, a leading digit gets
// a "t_" prefix and an empty result is "t". "onnx::Conv_12" -> "onnx_Conv_12", "1" -> "t_1".
// Not unique, and possibly a keyword: Namer takes care of both.
std::string sanitize_identifier(std::string_view raw);

// The part of a tensor's ONNX name worth keeping in a variable name: PyTorch's exporter calls
// the first output of node "/layer1/conv/Conv" "/layer1/conv/Conv_output_0", and the suffix
// says nothing ("/layer1/conv/Conv_output_0" -> "/layer1/conv/Conv").
std::string_view tensor_name_base(std::string_view onnx_name);

// Hands out unique identifiers in one namespace (a module's globals plus a function's locals,
// or a constants object's attributes).
class Namer {
 public:
  // `reserve_builtins`: whether builtins are off limits too (variables: yes; attributes: no).
  explicit Namer(bool reserve_builtins);

  // Keeps `name` (a module, a runtime global) from ever being handed out.
  void reserve(std::string_view name);
  bool taken(std::string_view name) const { return names_.taken(name); }

  // sanitize_identifier(raw); a reserved result gets a trailing '_' ("input" -> "input_", PEP 8's
  // habit), and a name handed out before a numeric suffix ("x", "x_1", ...).
  std::string fresh(std::string_view raw);

 private:
  std::set<std::string, std::less<>> reserved_;
  NameSupply names_;
};

}  // namespace ramiel::codegen::py
