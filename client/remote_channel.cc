#include "client/remote_channel.h"

#include <cstdlib>
#include <string_view>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "client/compile_request.h"
#include "core/support/text.h"

namespace ramiel::client {
namespace {

// A token travels in a gRPC metadata value: printable ASCII, and no spaces in a bearer token.
Status check_token(const std::string& token, const std::string& source) {
  for (char c : token) {
    if (c <= ' ' || c >= 0x7f) {
      return invalid_argument(source + " holds a space or a non-printable character in the token");
    }
  }
  return ok_status();
}

StatusOr<std::string> read_pem(const std::string& flag, const std::string& path) {
  auto text = read_file(path);
  if (!text.ok()) return text.status().with_context(flag);
  return text;
}

}  // namespace

void RemoteChannel::authorize(grpc::ClientContext& context) const {
  if (!plaintext_token_.empty()) context.AddMetadata("authorization", "Bearer " + plaintext_token_);
}

StatusOr<std::string> resolve_token(const std::string& token_file) {
  if (token_file.empty()) {
    const char* from_environment = std::getenv("RAMIEL_TOKEN");
    std::string token(from_environment != nullptr ? trim_whitespace(from_environment) : "");
    RAMIEL_RETURN_IF_ERROR(check_token(token, "RAMIEL_TOKEN"));
    return token;
  }
  RAMIEL_ASSIGN_OR_RETURN(std::string text, read_file(token_file));
  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    const std::string_view line = trim_whitespace(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.empty() || line.front() == '#') continue;
    RAMIEL_RETURN_IF_ERROR(check_token(std::string(line), "--token-file '" + token_file + "'"));
    return std::string(line);
  }
  return invalid_argument("--token-file '" + token_file + "' holds no token");
}

StatusOr<RemoteChannel> open_channel(const std::string& server, const ChannelSecurity& security) {
  if (security.tls_cert.empty() != security.tls_key.empty()) {
    return invalid_argument("--tls-cert and --tls-key go together");
  }
  RAMIEL_ASSIGN_OR_RETURN(std::string token, resolve_token(security.token_file));
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  // gRPC's own retries are off: RetryPolicy decides, and it must see every failure.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  if (security.tls_ca.empty() && security.tls_cert.empty()) {
    return RemoteChannel(
        grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args),
        std::move(token));
  }
  grpc::SslCredentialsOptions tls;  // an empty CA bundle means the system's roots
  if (!security.tls_ca.empty()) {
    RAMIEL_ASSIGN_OR_RETURN(tls.pem_root_certs, read_pem("--tls-ca", security.tls_ca));
  }
  if (!security.tls_cert.empty()) {
    RAMIEL_ASSIGN_OR_RETURN(tls.pem_cert_chain, read_pem("--tls-cert", security.tls_cert));
    RAMIEL_ASSIGN_OR_RETURN(tls.pem_private_key, read_pem("--tls-key", security.tls_key));
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::SslCredentials(tls);
  if (!token.empty()) {
    credentials =
        grpc::CompositeChannelCredentials(credentials, grpc::AccessTokenCredentials(token));
  }
  return RemoteChannel(grpc::CreateCustomChannel(server, credentials, args), "");
}

}  // namespace ramiel::client
