// The gRPC channel ramiel-client opens to a ramiel-server, with its TLS material and bearer token.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "core/support/status.h"

namespace ramiel::client {

// What the command line says about reaching the server securely.
struct ChannelSecurity {
  std::string tls_ca;    // PEM CA bundle that signed the server's certificate; turns on TLS
  std::string tls_cert;  // PEM client certificate for mTLS (with tls_key); turns on TLS
  std::string tls_key;
  std::string token_file;  // the bearer token; without it, $RAMIEL_TOKEN
};

// A channel to ramiel-server. Over TLS the bearer token rides in the channel's call credentials;
// gRPC refuses to send call credentials over a plaintext channel, so there authorize() adds the
// same `authorization: Bearer` metadata to each call.
class RemoteChannel {
 public:
  RemoteChannel(std::shared_ptr<grpc::Channel> channel, std::string plaintext_token)
      : channel_(std::move(channel)), plaintext_token_(std::move(plaintext_token)) {}
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  // Adds the bearer token to `context` when the channel itself does not carry it.
  void authorize(grpc::ClientContext& context) const;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::string plaintext_token_;
};

// The bearer token: the first line of `token_file` that is neither blank nor a '#' comment, or
// $RAMIEL_TOKEN when no file is given; empty when neither is.
StatusOr<std::string> resolve_token(const std::string& token_file);

// A channel to HOST:PORT that accepts responses of any size (results can be as large as the
// models they come from). TLS (gRPC's SslCredentials) when security names a CA or a client
// certificate, with the token as gRPC access-token call credentials; plaintext otherwise.
StatusOr<RemoteChannel> open_channel(const std::string& server, const ChannelSecurity& security);

}  // namespace ramiel::client
