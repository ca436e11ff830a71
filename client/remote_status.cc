#include "client/remote_status.h"

#include <algorithm>
#include <cctype>

#include "proto/grpc_code_name.h"

namespace ramiel::client {
bool mentions_any(std::string text, std::initializer_list<const char*> phrases) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(phrases.begin(), phrases.end(),
                     [&](const char* phrase) { return text.find(phrase) != std::string::npos; });
}

std::string unavailable_hint(const std::string& grpc_message) {
  if (mentions_any(grpc_message, {"shutting down"})) {
    return "the server is draining (it was told to stop): retry, or use another replica";
  }
  if (mentions_any(grpc_message, {"ssl", "handshake", "certificate", "tls"})) {
    return "the TLS handshake failed: check that --tls-ca signed the server's certificate, and "
           "give --tls-cert and --tls-key to a server that requires client certificates";
  }
  if (mentions_any(grpc_message, {"socket closed", "connection reset", "end of file", "goaway"})) {
    return "the server closed the connection: it may have stopped, or it requires TLS "
           "(--tls-ca) where this client spoke plaintext";
  }
  return "";
}

Status from_grpc_status(const grpc::Status& status, const std::string& server) {
  if (status.ok()) return ok_status();
  std::string detail = status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    const std::string hint = unavailable_hint(detail);
    detail = "unavailable: " + detail + (hint.empty() ? "" : "; " + hint);
  }
  const std::string message = "ramiel-server at " + server + ": " + detail + " (" +
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

RemoteFailure remote_failure(const grpc::Status& status) {
  return {api::grpc_code_name(status.error_code()),
          is_credentials_refusal(status.error_code())
              ? kExitAccessDenied
              : exit_code_for(from_grpc_status(status, ""))};
}

bool is_credentials_refusal(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAUTHENTICATED || code == grpc::StatusCode::PERMISSION_DENIED;
}

}  // namespace ramiel::client
