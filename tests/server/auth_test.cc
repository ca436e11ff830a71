// The bearer-token file parser, the token set a SIGHUP reloads, and the start-up rule that keeps
// a non-loopback listen from serving without TLS and authentication.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "server/auth_tokens.h"
#include "server/transport_security.h"

namespace ramiel::server {
namespace {

TEST(TokenFile, SkipsBlankLinesAndCommentsAndTrims) {
  auto tokens = parse_token_file("# ci tokens\n\n  alpha-1  \r\n\t# old: beta\nbeta.2\r\ngamma");
  ASSERT_TRUE(tokens.ok()) << tokens.status().to_string();
  EXPECT_EQ(*tokens, (std::vector<std::string>{"alpha-1", "beta.2", "gamma"}));
}

TEST(TokenFile, WithoutATokenIsAnError) {
  for (const char* text : {"", "\n\n", "# only a comment\n   \n"}) {
    auto tokens = parse_token_file(text);
    ASSERT_FALSE(tokens.ok()) << text;
    EXPECT_NE(tokens.status().message().find("no tokens"), std::string::npos);
  }
}

TEST(TokenFile, RefusesSpacesAndControlCharactersWithoutEchoingTheLine) {
  for (const char* text : {"ok\nsecret with-space\n", "ok\nsecret\x01value\n", "ok\nsécret\n"}) {
    auto tokens = parse_token_file(text);
    ASSERT_FALSE(tokens.ok()) << text;
    EXPECT_NE(tokens.status().message().find("line 2"), std::string::npos)
        << tokens.status().message();
    EXPECT_EQ(tokens.status().message().find("secret"), std::string::npos)
        << tokens.status().message();
  }
}

class TokenSetTest : public ::testing::Test {
 protected:
  void write(const std::string& text) { std::ofstream(path_) << text; }
  void TearDown() override { std::filesystem::remove(path_); }
  const std::string path_ =
      (std::filesystem::temp_directory_path() / ("ramiel-tokens-" + std::to_string(::getpid())))
          .string();
};

TEST_F(TokenSetTest, AcceptsExactlyTheLoadedTokens) {
  write("alpha\nbeta\n");
  TokenSet tokens;
  EXPECT_FALSE(tokens.accepts("alpha"));  // nothing loaded yet
  auto count = tokens.load(path_);
  ASSERT_TRUE(count.ok()) << count.status().to_string();
  EXPECT_EQ(*count, 2u);
  EXPECT_TRUE(tokens.accepts("alpha"));
  EXPECT_TRUE(tokens.accepts("beta"));
  for (const char* wrong : {"", "alph", "alphaa", "Alpha", "alpha\n", "beta alpha"}) {
    EXPECT_FALSE(tokens.accepts(wrong)) << wrong;
  }
}

TEST_F(TokenSetTest, AReloadReplacesTheTokensAndAFailedOneKeepsThem) {
  write("alpha\n");
  TokenSet tokens;
  ASSERT_TRUE(tokens.load(path_).ok());
  write("beta\n");
  ASSERT_TRUE(tokens.load(path_).ok());
  EXPECT_FALSE(tokens.accepts("alpha"));
  EXPECT_TRUE(tokens.accepts("beta"));

  write("# emptied by mistake\n");
  EXPECT_FALSE(tokens.load(path_).ok());
  EXPECT_TRUE(tokens.accepts("beta"));
  std::filesystem::remove(path_);
  auto missing = tokens.load(path_);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(tokens.accepts("beta"));
}

TEST(Loopback, RecognisesLoopbackHostsOnly) {
  for (const char* address : {"127.0.0.1:1", "127.255.0.9:0", "localhost:50051", "[::1]:0"}) {
    EXPECT_TRUE(is_loopback_address(address)) << address;
  }
  for (const char* address : {"0.0.0.0:50051", "[::]:0", "10.0.0.1:1", "128.0.0.1:1",
                              "example.com:1", "localhost.example.com:1", "[::2]:1"}) {
    EXPECT_FALSE(is_loopback_address(address)) << address;
  }
}

TEST(TransportSecurity, ANonLoopbackListenNeedsTlsAndAuthenticationOrInsecure) {
  ServerSettings settings;
  settings.listen = "0.0.0.0:50051";
  Status refused = check_transport_security(settings);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("--insecure"), std::string::npos) << refused.message();

  settings.tls_cert = "cert.pem";
  settings.tls_key = "key.pem";
  EXPECT_FALSE(check_transport_security(settings).ok()) << "TLS without authentication";
  settings.auth_token_file = "tokens";
  EXPECT_TRUE(check_transport_security(settings).ok());
  settings.auth_token_file.clear();
  settings.tls_client_ca = "ca.pem";
  EXPECT_TRUE(check_transport_security(settings).ok()) << "mTLS authenticates";
  EXPECT_FALSE(insecure_override_in_use(settings));

  ServerSettings plain;
  plain.listen = "0.0.0.0:50051";
  plain.insecure = true;
  EXPECT_TRUE(check_transport_security(plain).ok());
  EXPECT_TRUE(insecure_override_in_use(plain));
  plain.auth_token_file = "tokens";
  EXPECT_FALSE(check_transport_security(plain).ok()) << "tokens in clear text off loopback";

  ServerSettings loopback;  // the default listen
  loopback.auth_token_file = "tokens";
  EXPECT_TRUE(check_transport_security(loopback).ok());
  EXPECT_FALSE(insecure_override_in_use(loopback));
}

TEST(TransportSecurity, RefusesHalfConfiguredTls) {
  ServerSettings settings;
  settings.tls_cert = "cert.pem";
  EXPECT_FALSE(check_transport_security(settings).ok());
  settings.tls_cert.clear();
  settings.tls_key = "key.pem";
  EXPECT_FALSE(check_transport_security(settings).ok());
  settings.tls_key.clear();
  settings.tls_client_ca = "ca.pem";
  EXPECT_FALSE(check_transport_security(settings).ok());
}

}  // namespace
}  // namespace ramiel::server
