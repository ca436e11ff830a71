// The gRPC AuthMetadataProcessor that asks every call except health checks for a bearer token.
#pragma once

#include <grpcpp/security/auth_metadata_processor.h>

#include "server/auth_tokens.h"
#include "server/metrics.h"

namespace ramiel::server {

// Calls to grpc.health.v1 pass untouched (probes carry no credentials); every other call needs
// `authorization: Bearer <token>` with a token of `tokens`, or it is answered UNAUTHENTICATED and
// counted in ramiel_auth_failures_total. The header is consumed, so handlers never see it.
class BearerTokenProcessor final : public grpc::AuthMetadataProcessor {
 public:
  BearerTokenProcessor(const TokenSet& tokens, Metrics& metrics)
      : tokens_(tokens), metrics_(metrics) {}

  // The check is a digest and a few comparisons under a mutex: cheap enough for gRPC's thread.
  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& auth_metadata, grpc::AuthContext* context,
                       OutputMetadata* consumed_auth_metadata,
                       OutputMetadata* response_metadata) override;

 private:
  const TokenSet& tokens_;
  Metrics& metrics_;
};

}  // namespace ramiel::server
