// Conversions between the ramiel.v1 messages and the core driver's options and results.
#pragma once

#include "core/driver/compile.h"
#include "core/support/status.h"
#include "ramiel/v1/compile_service.pb.h"

namespace ramiel::api {

v1::CompileOptions options_to_proto(const driver::CompileOptions& options);
// Rebuilds the core options; workers == 0 keeps the core default. Ranges are checked later by
// driver::CompileOptions::validate().
driver::CompileOptions options_from_proto(const v1::CompileOptions& options);

// Fills the files (sorted by name), warnings and summary of `response`.
void result_to_response(const driver::CompileResult& result, v1::CompileResponse& response);
// The inverse, for clients that write what the server returned exactly as a local compile would.
driver::CompileResult result_from_response(const v1::CompileResponse& response);

}  // namespace ramiel::api
