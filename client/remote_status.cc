#include "client/remote_status.h"

#include "proto/grpc_code_name.h"

namespace ramiel::client {

Status from_grpc_status(const grpc::Status& status, const std::string& server) {
  if (status.ok()) return ok_status();
  const std::string message = "ramiel-server at " + server + ": " + status.error_message() + " (" +
                              api::grpc_code_name(status.error_code()) + ")";
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return invalid_argument(message);
    case grpc::StatusCode::UNIMPLEMENTED:
      return unimplemented(message);
    case grpc::StatusCode::NOT_FOUND:
      return not_found(message);
    case grpc::StatusCode::CANCELLED:
      return cancelled(message);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return {StatusCode::kDeadlineExceeded, message};
    // The core has no "unavailable" code; RESOURCE_EXHAUSTED shares its exit code (4).
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return {StatusCode::kResourceExhausted, message};
    default:
      return internal_error(message);
  }
}

bool is_credentials_refusal(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAUTHENTICATED || code == grpc::StatusCode::PERMISSION_DENIED;
}

}  // namespace ramiel::client
