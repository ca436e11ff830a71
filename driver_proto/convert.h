// The core driver's options and results as ramiel.v1 messages, and back. Both ends of a remote
// compile use the mapping: the client sends options and reads results; the server reads options
// and sends results, and runs the whole mapping both ways again on the hop to its compile worker.
// It lives here, between proto/ (wire types only) and core/driver (no gRPC), so that neither
// knows the other and each field's two directions sit side by side.
#pragma once

#include "core/driver/compile.h"
#include "ramiel/v1/compile_service.pb.h"

namespace ramiel::driver_proto {

v1::CompileOptions options_to_proto(const driver::CompileOptions& options);
// Rebuilds the core options; workers == 0 keeps the core default. Ranges are checked later by
// driver::CompileOptions::validate().
driver::CompileOptions options_from_proto(const v1::CompileOptions& options);

// Fills the files (sorted by name), warnings and summary of `response`.
void result_to_response(const driver::CompileResult& result, v1::CompileResponse& response);
// The inverse, for callers that use what a server (or a worker) returned exactly as a local
// compile's result.
driver::CompileResult result_from_response(const v1::CompileResponse& response);

}  // namespace ramiel::driver_proto
