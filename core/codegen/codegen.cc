#include "core/codegen/codegen.h"

#include "core/codegen/runtime_library.h"
#include "core/codegen/torch/lowering.h"

namespace ramiel::codegen {

StatusOr<std::map<std::string, std::string>> generate_python(const CodegenInput& input) {
  RAMIEL_ASSIGN_OR_RETURN(std::string program, lower_program(input));
  std::map<std::string, std::string> files;
  files["model.py"] = std::move(program);
  files[std::string(kRuntimeFileName)] = runtime_file(input.compiler_version);
  return files;
}

}  // namespace ramiel::codegen
