#include "server/transport_security.h"

#include <arpa/inet.h>

#include <string>

#include "core/support/file_contents.h"

namespace ramiel::server {
namespace {

StatusOr<std::string> read_pem(const std::string& flag, const std::string& path) {
  std::optional<std::string> text = file_contents(path);
  if (!text) return not_found(flag + ": cannot read '" + path + "'");
  if (text->find("-----BEGIN") == std::string::npos) {
    return invalid_argument(flag + ": '" + path + "' is not a PEM file");
  }
  return std::move(*text);
}

bool has_tls(const ServerSettings& settings) {
  return !settings.tls_cert.empty();
}
bool authenticates(const ServerSettings& settings) {
  return !settings.auth_token_file.empty() || !settings.tls_client_ca.empty();
}

}  // namespace

bool is_loopback_address(std::string_view address) {
  std::string host(address.substr(0, address.rfind(':')));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

Status check_transport_security(const ServerSettings& settings) {
  if (settings.tls_cert.empty() != settings.tls_key.empty()) {
    return invalid_argument("tls_cert and tls_key go together: give both or neither");
  }
  if (!settings.tls_client_ca.empty() && !has_tls(settings)) {
    return invalid_argument("tls_client_ca needs TLS: give tls_cert and tls_key too");
  }
  if (is_loopback_address(settings.listen)) return ok_status();
  if (!settings.auth_token_file.empty() && !has_tls(settings)) {
    return invalid_argument("refusing to accept bearer tokens in clear text on " + settings.listen +
                            ": add tls_cert and tls_key (--tls-cert, --tls-key) "
                            "or listen on loopback");
  }
  if ((has_tls(settings) && authenticates(settings)) || settings.insecure) return ok_status();
  return invalid_argument(
      "refusing to listen on non-loopback " + settings.listen +
      " without TLS (--tls-cert, --tls-key) and authentication (--auth-token-file or "
      "--tls-client-ca); pass --insecure to serve it anyway");
}

bool insecure_override_in_use(const ServerSettings& settings) {
  return settings.insecure && !is_loopback_address(settings.listen) &&
         !(has_tls(settings) && authenticates(settings));
}

StatusOr<std::shared_ptr<grpc::ServerCredentials>> make_server_credentials(
    const ServerSettings& settings, std::shared_ptr<grpc::AuthMetadataProcessor> tokens) {
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (has_tls(settings)) {
    RAMIEL_ASSIGN_OR_RETURN(std::string cert, read_pem("tls_cert", settings.tls_cert));
    RAMIEL_ASSIGN_OR_RETURN(std::string key, read_pem("tls_key", settings.tls_key));
    grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    options.pem_key_cert_pairs.push_back({std::move(key), std::move(cert)});
    if (!settings.tls_client_ca.empty()) {
      RAMIEL_ASSIGN_OR_RETURN(options.pem_root_certs,
                              read_pem("tls_client_ca", settings.tls_client_ca));
      options.client_certificate_request =
          GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
    }
    credentials = grpc::SslServerCredentials(options);
  } else if (tokens != nullptr) {
    // gRPC's insecure credentials take no metadata processor; local credentials do, and are the
    // same plaintext on the wire.
    credentials = grpc::experimental::LocalServerCredentials(LOCAL_TCP);
  } else {
    return grpc::InsecureServerCredentials();
  }
  if (tokens != nullptr) credentials->SetAuthMetadataProcessor(std::move(tokens));
  return credentials;
}

}  // namespace ramiel::server
