// `ramiel-client compile --local`: runs the compiler core in-process.
#pragma once

#include <map>
#include <string>

#include "client/compile_request.h"

namespace ramiel::client {

// The files of a compile (name -> contents), plus warnings printed on stderr.
struct CompileOutcome {
  std::map<std::string, std::string> files;
  std::vector<std::string> warnings;
};

StatusOr<CompileOutcome> compile_locally(const CompileRequest& request);

}  // namespace ramiel::client
