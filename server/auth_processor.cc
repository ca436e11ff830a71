#include "server/auth_processor.h"

#include <string_view>

namespace ramiel::server {
namespace {

constexpr std::string_view kHealthPrefix = "/grpc.health.v1.Health/";
constexpr std::string_view kBearer = "Bearer ";

std::string_view view(const grpc::string_ref& ref) {
  return {ref.data(), ref.size()};
}

}  // namespace

grpc::Status BearerTokenProcessor::Process(const InputMetadata& auth_metadata,
                                           grpc::AuthContext* /*context*/,
                                           OutputMetadata* consumed_auth_metadata,
                                           OutputMetadata* /*response_metadata*/) {
  const auto path = auth_metadata.find(":path");
  if (path != auth_metadata.end() && view(path->second).starts_with(kHealthPrefix)) {
    return grpc::Status::OK;
  }
  const auto header = auth_metadata.find("authorization");
  if (header != auth_metadata.end()) {
    const std::string_view value = view(header->second);
    if (value.starts_with(kBearer) && tokens_.accepts(value.substr(kBearer.size()))) {
      consumed_auth_metadata->emplace(std::string(header->first.data(), header->first.size()),
                                      std::string(value));
      return grpc::Status::OK;
    }
  }
  metrics_.count_auth_failure();
  return {grpc::StatusCode::UNAUTHENTICATED,
          header == auth_metadata.end()
              ? "this server requires a bearer token (authorization metadata); none was sent"
              : "the bearer token was not accepted"};
}

}  // namespace ramiel::server
