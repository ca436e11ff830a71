// Maps core Status values to gRPC statuses, and gRPC codes to metric label values.
#pragma once

#include <string>

#include <grpcpp/support/status.h>

#include "core/support/status.h"

namespace ramiel::server {

// INVALID_ARGUMENT for bad models and options (a name the model lacks included), UNIMPLEMENTED
// for valid models that use what Ramiel does not support, CANCELLED, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED and INTERNAL as they are. The message is kept for the user.
grpc::Status to_grpc_status(const Status& status);

// "ok", "invalid_argument", ...: the label value of ramiel_compiles_total{result}.
std::string grpc_code_label(grpc::StatusCode code);

}  // namespace ramiel::server
