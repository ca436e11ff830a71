#include "server/status_mapping.h"

#include <algorithm>
#include <cctype>

#include "proto/grpc_code_name.h"

namespace ramiel::server {

grpc::Status to_grpc_status(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return grpc::Status::OK;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:  // in a compile: an input or value the model does not have
      return {grpc::StatusCode::INVALID_ARGUMENT, status.message()};
    case StatusCode::kUnimplemented:
      return {grpc::StatusCode::UNIMPLEMENTED, status.message()};
    case StatusCode::kCancelled:
      return {grpc::StatusCode::CANCELLED, status.message()};
    case StatusCode::kDeadlineExceeded:
      return {grpc::StatusCode::DEADLINE_EXCEEDED, status.message()};
    case StatusCode::kResourceExhausted:
      return {grpc::StatusCode::RESOURCE_EXHAUSTED, status.message()};
    case StatusCode::kInternal:
      return {grpc::StatusCode::INTERNAL, status.message()};
  }
  return {grpc::StatusCode::UNKNOWN, status.message()};
}

std::string grpc_code_label(grpc::StatusCode code) {
  std::string label = api::grpc_code_name(code);
  std::transform(label.begin(), label.end(), label.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return label;
}

}  // namespace ramiel::server
