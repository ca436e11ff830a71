#include "client/local_compile.h"

namespace ramiel::client {

StatusOr<CompileOutcome> compile_locally(const CompileRequest& request) {
  RAMIEL_ASSIGN_OR_RETURN(std::string bytes, read_file(request.model_path));
  driver::CompileOptions options = request.options;
  // External data may only come from the model's own directory.
  options.model_dir = std::filesystem::absolute(request.model_path).parent_path();
  RAMIEL_ASSIGN_OR_RETURN(driver::CompileResult result, driver::compile(bytes, options));
  if (!result.ir_dump.empty()) result.files["ir.txt"] = result.ir_dump;
  return CompileOutcome{std::move(result.files), std::move(result.warnings)};
}

}  // namespace ramiel::client
