// The Python runtime templates (runtime/*.py, embedded at build time) and what they define.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ramiel::codegen {

// The text of runtime/<name>.py ("prelude", "helpers", "loading", ..., "epilogue"); empty if
// there is none. Defined in the source embed_runtime.cmake generates.
std::string_view embedded_runtime_source(std::string_view name);

// The parts of the runtime every program carries, in the order they are printed.
inline constexpr std::string_view kRuntimeParts[] = {"loading", "execution", "threads", "processes",
                                                     "program", "measure",   "cli"};

// The files of helpers (runtime/<part>.py): helpers.py, and one per family of ops added for
// ONNX conformance, so that family's emitters and helpers sit side by side.
inline constexpr std::string_view kHelperParts[] = {
    "helpers",      "helpers_indexing", "helpers_resize", "helpers_rnn",
    "helpers_math", "helpers_quantize", "helpers_signal", "helpers_detection",
    "helpers_text", "helpers_training"};

// One helper of runtime/helpers*.py: the function `name`, the helpers it calls, its text.
struct HelperSection {
  std::string name;
  std::vector<std::string> uses;
  std::string text;
};

// The helpers in file order (kHelperParts in order), from the "# @helper NAME [uses A B ...]"
// marker lines.
const std::vector<HelperSection>& helper_sections();

// Module-level names a Python text defines: def, class, assignments and imports at column 0
// ("import torch.nn.functional as F" defines F; "import os.path" defines os).
std::vector<std::string> module_level_names(std::string_view python);

// Every module-level name of the generated program's fixed parts (templates and all helpers).
const std::vector<std::string>& runtime_global_names();

}  // namespace ramiel::codegen
