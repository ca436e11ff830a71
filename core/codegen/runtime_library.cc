#include "core/codegen/runtime_library.h"

#include <algorithm>

namespace ramiel::codegen {

bool is_runtime_helper(std::string_view name) {
  auto names = runtime_helper_names();
  return std::binary_search(names.begin(), names.end(), name);
}

std::string runtime_version(std::string_view compiler_version) {
  return std::string(compiler_version) + "+" + std::string(runtime_sources_digest());
}

std::string runtime_file(std::string_view compiler_version) {
  std::string text =
      "# ramiel_runtime.py: what runs the programs Ramiel compiles (model.py beside it imports "
      "it):\n"
      "# loading the weights, the serial, thread and process drivers, measuring, the command line\n"
      "# and the helpers of ONNX ops that have no single torch call. The same for every model.\n"
      "# Generated code: do not edit it; model.py refuses a runtime of another version.\n"
      "\n"
      "RUNTIME_VERSION = \"" +
      runtime_version(compiler_version) + "\"\n\n";
  for (std::string_view part : runtime_parts()) {
    text += part;
    text += "\n\n";
  }
  while (text.size() > 1 && text[text.size() - 2] == '\n') text.pop_back();
  return text;
}

}  // namespace ramiel::codegen
