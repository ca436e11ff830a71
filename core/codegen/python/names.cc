#include "core/codegen/python/names.h"

#include <algorithm>
#include <array>

namespace ramiel::codegen::py {
namespace {

// Sorted, for binary search. keyword.kwlist and keyword.softkwlist of Python 3.11.
constexpr std::array<std::string_view, 38> kKeywords = {
    "False", "None",   "True",    "_",     "and",      "as",     "assert", "async",
    "await", "break",  "case",    "class", "continue", "def",    "del",    "elif",
    "else",  "except", "finally", "for",   "from",     "global", "if",     "import",
    "in",    "is",     "lambda",  "match", "nonlocal", "not",    "or",     "pass",
    "raise", "return", "try",     "while", "with",     "yield"};

// dir(builtins) of Python 3.11 without dunders (those cannot come out of sanitize_identifier).
constexpr std::array<std::string_view, 151> kBuiltins = {"ArithmeticError",
                                                         "AssertionError",
                                                         "AttributeError",
                                                         "BaseException",
                                                         "BaseExceptionGroup",
                                                         "BlockingIOError",
                                                         "BrokenPipeError",
                                                         "BufferError",
                                                         "BytesWarning",
                                                         "ChildProcessError",
                                                         "ConnectionAbortedError",
                                                         "ConnectionError",
                                                         "ConnectionRefusedError",
                                                         "ConnectionResetError",
                                                         "DeprecationWarning",
                                                         "EOFError",
                                                         "Ellipsis",
                                                         "EncodingWarning",
                                                         "EnvironmentError",
                                                         "Exception",
                                                         "ExceptionGroup",
                                                         "False",
                                                         "FileExistsError",
                                                         "FileNotFoundError",
                                                         "FloatingPointError",
                                                         "FutureWarning",
                                                         "GeneratorExit",
                                                         "IOError",
                                                         "ImportError",
                                                         "ImportWarning",
                                                         "IndentationError",
                                                         "IndexError",
                                                         "InterruptedError",
                                                         "IsADirectoryError",
                                                         "KeyError",
                                                         "KeyboardInterrupt",
                                                         "LookupError",
                                                         "MemoryError",
                                                         "ModuleNotFoundError",
                                                         "NameError",
                                                         "None",
                                                         "NotADirectoryError",
                                                         "NotImplemented",
                                                         "NotImplementedError",
                                                         "OSError",
                                                         "OverflowError",
                                                         "PendingDeprecationWarning",
                                                         "PermissionError",
                                                         "ProcessLookupError",
                                                         "RecursionError",
                                                         "ReferenceError",
                                                         "ResourceWarning",
                                                         "RuntimeError",
                                                         "RuntimeWarning",
                                                         "StopAsyncIteration",
                                                         "StopIteration",
                                                         "SyntaxError",
                                                         "SyntaxWarning",
                                                         "SystemError",
                                                         "SystemExit",
                                                         "TabError",
                                                         "TimeoutError",
                                                         "True",
                                                         "TypeError",
                                                         "UnboundLocalError",
                                                         "UnicodeDecodeError",
                                                         "UnicodeEncodeError",
                                                         "UnicodeError",
                                                         "UnicodeTranslateError",
                                                         "UnicodeWarning",
                                                         "UserWarning",
                                                         "ValueError",
                                                         "Warning",
                                                         "ZeroDivisionError",
                                                         "abs",
                                                         "aiter",
                                                         "all",
                                                         "anext",
                                                         "any",
                                                         "ascii",
                                                         "bin",
                                                         "bool",
                                                         "breakpoint",
                                                         "bytearray",
                                                         "bytes",
                                                         "callable",
                                                         "chr",
                                                         "classmethod",
                                                         "compile",
                                                         "complex",
                                                         "copyright",
                                                         "credits",
                                                         "delattr",
                                                         "dict",
                                                         "dir",
                                                         "divmod",
                                                         "enumerate",
                                                         "eval",
                                                         "exec",
                                                         "exit",
                                                         "filter",
                                                         "float",
                                                         "format",
                                                         "frozenset",
                                                         "getattr",
                                                         "globals",
                                                         "hasattr",
                                                         "hash",
                                                         "help",
                                                         "hex",
                                                         "id",
                                                         "input",
                                                         "int",
                                                         "isinstance",
                                                         "issubclass",
                                                         "iter",
                                                         "len",
                                                         "license",
                                                         "list",
                                                         "locals",
                                                         "map",
                                                         "max",
                                                         "memoryview",
                                                         "min",
                                                         "next",
                                                         "object",
                                                         "oct",
                                                         "open",
                                                         "ord",
                                                         "pow",
                                                         "print",
                                                         "property",
                                                         "quit",
                                                         "range",
                                                         "repr",
                                                         "reversed",
                                                         "round",
                                                         "set",
                                                         "setattr",
                                                         "slice",
                                                         "sorted",
                                                         "staticmethod",
                                                         "str",
                                                         "sum",
                                                         "super",
                                                         "tuple",
                                                         "type",
                                                         "vars",
                                                         "zip"};

bool contains(const auto& sorted, std::string_view name) {
  return std::binary_search(sorted.begin(), sorted.end(), name);
}

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

bool is_keyword(std::string_view name) {
  return contains(kKeywords, name);
}
bool is_builtin(std::string_view name) {
  return contains(kBuiltins, name);
}

std::string sanitize_identifier(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    char mapped = ident_char(c) ? c : '_';
    if (mapped == '_' && (out.empty() || out.back() == '_')) continue;  // collapse, drop leading
    out += mapped;
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  if (out.empty()) return "t";
  if (out[0] >= '0' && out[0] <= '9') return "t_" + out;
  return out;
}

std::string_view tensor_name_base(std::string_view onnx_name) {
  constexpr std::string_view kSuffix = "_output_0";
  if (onnx_name.size() > kSuffix.size() &&
      onnx_name.substr(onnx_name.size() - kSuffix.size()) == kSuffix) {
    return onnx_name.substr(0, onnx_name.size() - kSuffix.size());
  }
  return onnx_name;
}

Namer::Namer(bool reserve_builtins) {
  for (std::string_view k : kKeywords) reserve(k);
  if (reserve_builtins) {
    for (std::string_view b : kBuiltins) reserve(b);
  }
}

void Namer::reserve(std::string_view name) {
  reserved_.emplace(name);
  names_.reserve(name);
}

std::string Namer::fresh(std::string_view raw) {
  std::string base = sanitize_identifier(raw);
  while (reserved_.count(base)) base += "_";
  return names_.fresh(base);
}

}  // namespace ramiel::codegen::py
