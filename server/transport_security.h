// How ramiel-server protects its gRPC port: the start-up rule for non-loopback listens, and the
// gRPC server credentials (TLS, mTLS, bearer tokens) built from the settings.
#pragma once

#include <memory>
#include <string_view>

#include <grpcpp/security/auth_metadata_processor.h>
#include <grpcpp/security/server_credentials.h>

#include "core/support/status.h"
#include "server/settings.h"

namespace ramiel::server {

// Whether HOST:PORT names a loopback host: 127.0.0.0/8, ::1 or localhost.
bool is_loopback_address(std::string_view address);

// Refuses inconsistent security settings (a certificate without its key, a client CA without
// TLS) and a non-loopback listen that is not both encrypted (TLS) and authenticated (bearer
// tokens or client certificates), unless settings.insecure. Tokens without TLS are refused off
// loopback even then: they would cross the network in clear text.
Status check_transport_security(const ServerSettings& settings);

// Whether the server runs with --insecure on an address that check_transport_security would
// otherwise refuse (the server logs a warning).
bool insecure_override_in_use(const ServerSettings& settings);

// The credentials for the gRPC port. TLS when settings.tls_cert is set (client certificates
// required and verified when settings.tls_client_ca is set); otherwise plaintext. `tokens`, when
// not null, checks every call: over plaintext it needs gRPC's local credentials, which accept
// loopback peers only (check_transport_security keeps tokens without TLS on loopback).
StatusOr<std::shared_ptr<grpc::ServerCredentials>> make_server_credentials(
    const ServerSettings& settings, std::shared_ptr<grpc::AuthMetadataProcessor> tokens);

}  // namespace ramiel::server
