// The client's remote helpers: retry policy, gRPC status mapping, progress bar rendering.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "client/exit_codes.h"
#include "client/remote_channel.h"
#include "client/progress_bar.h"
#include "client/remote_connect.h"
#include "client/remote_notices.h"
#include "client/remote_status.h"
#include "client/retry_policy.h"

namespace ramiel::client {
namespace {

TEST(RetryPolicy, NeverRetriesRefusedCredentials) {
  EXPECT_FALSE(RetryPolicy::retryable(grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_FALSE(RetryPolicy::retryable(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_TRUE(is_credentials_refusal(grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_TRUE(is_credentials_refusal(grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_FALSE(is_credentials_refusal(grpc::StatusCode::UNAVAILABLE));
}

TEST(ResolveToken, TheFileWinsOverTheEnvironment) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("ramiel-client-token-" + std::to_string(::getpid()))).string();
  std::ofstream(path) << "# the CI token\n\n  from-file \r\nsecond-line\n";
  ::setenv("RAMIEL_TOKEN", " from-env\n", 1);
  auto from_file = resolve_token(path);
  ASSERT_TRUE(from_file.ok()) << from_file.status().to_string();
  EXPECT_EQ(*from_file, "from-file");
  auto from_env = resolve_token("");
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(*from_env, "from-env");
  ::unsetenv("RAMIEL_TOKEN");
  EXPECT_EQ(resolve_token("").value(), "");  // no token: the call goes without one

  std::ofstream(path) << "# nothing but comments\n";
  EXPECT_EQ(resolve_token(path).status().code(), StatusCode::kInvalidArgument);
  std::ofstream(path) << "two words\n";
  auto spaced = resolve_token(path);
  EXPECT_EQ(spaced.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(spaced.status().message().find("two words"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(RetryPolicy, RetriesOnlyWhatMaySucceedLater) {
  EXPECT_TRUE(RetryPolicy::retryable(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_TRUE(RetryPolicy::retryable(grpc::StatusCode::UNAVAILABLE));
  for (auto code :
       {grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::DEADLINE_EXCEEDED,
        grpc::StatusCode::INTERNAL, grpc::StatusCode::NOT_FOUND, grpc::StatusCode::CANCELLED}) {
    EXPECT_FALSE(RetryPolicy::retryable(code)) << static_cast<int>(code);
  }
}

TEST(RetryPolicy, BackoffGrowsWithJitterAndIsCapped) {
  RetryPolicy policy;
  std::mt19937 random(7);
  EXPECT_EQ(policy.backoff(1, random).count(), 0);
  for (int attempt = 2; attempt <= 12; ++attempt) {
    const double base = std::min(250.0 * std::pow(2.0, attempt - 2), 8000.0);
    for (int sample = 0; sample < 20; ++sample) {
      const auto wait = static_cast<double>(policy.backoff(attempt, random).count());
      EXPECT_GE(wait, base * 0.8 - 1) << attempt;
      EXPECT_LE(wait, base * 1.2 + 1) << attempt;
    }
  }
}

TEST(RemoteStatus, GrpcCodesKeepTheirExitCodes) {
  const std::string server = "host:1";
  const Status bad = from_grpc_status({grpc::StatusCode::INVALID_ARGUMENT, "not ONNX"}, server);
  EXPECT_EQ(exit_code_for(bad), kExitBadModel);
  EXPECT_EQ(bad.message(), "ramiel-server at host:1: not ONNX (INVALID_ARGUMENT)");
  EXPECT_EQ(exit_code_for(from_grpc_status({grpc::StatusCode::UNIMPLEMENTED, "op"}, server)),
            kExitBadModel);
  for (auto code : {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::RESOURCE_EXHAUSTED,
                    grpc::StatusCode::DEADLINE_EXCEEDED, grpc::StatusCode::CANCELLED}) {
    EXPECT_EQ(exit_code_for(from_grpc_status({code, "x"}, server)), kExitUnavailable);
  }
  EXPECT_EQ(exit_code_for(from_grpc_status({grpc::StatusCode::INTERNAL, "bug"}, server)),
            kExitInternal);
  EXPECT_TRUE(from_grpc_status(grpc::Status::OK, server).ok());
}

TEST(RemoteStatus, UnavailableSaysWhatToDo) {
  const Status draining = from_grpc_status(
      {grpc::StatusCode::UNAVAILABLE, "the server is shutting down; retry on another replica"},
      "host:1");
  EXPECT_EQ(draining.message(),
            "ramiel-server at host:1: unavailable: the server is shutting down; retry on another "
            "replica; the server is draining (it was told to stop): retry, or use another replica "
            "(UNAVAILABLE)");
  EXPECT_NE(unavailable_hint("ipv4:127.0.0.1:5: Socket closed").find("requires TLS"),
            std::string::npos);
  EXPECT_NE(unavailable_hint("Ssl handshake failed: SSL_ERROR_SSL").find("--tls-ca signed"),
            std::string::npos);
  EXPECT_EQ(unavailable_hint("something else"), "");
}

TEST(RemoteStatus, FailuresCarryTheGrpcCodeAndTheirExitCode) {
  const RemoteFailure unavailable = remote_failure({grpc::StatusCode::UNAVAILABLE, "x"});
  EXPECT_EQ(unavailable.code_name, "UNAVAILABLE");  // not the core's RESOURCE_EXHAUSTED
  EXPECT_EQ(unavailable.exit_code, kExitUnavailable);
  EXPECT_EQ(remote_failure({grpc::StatusCode::UNAUTHENTICATED, "x"}).exit_code, kExitAccessDenied);
  EXPECT_EQ(remote_failure({grpc::StatusCode::INVALID_ARGUMENT, "x"}).exit_code, kExitBadModel);
}

// gRPC 1.51's own texts for each way a connection fails.
TEST(ConnectFailure, NoTcpConnectionIsUnreachable) {
  const ConnectFailure refused = describe_connect_failure(
      "127.0.0.1:1", 5,
      "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:1: Failed to "
      "connect to remote host: Connection refused",
      false);
  EXPECT_EQ(refused.status.message(),
            "cannot reach the Ramiel server at 127.0.0.1:1 within 5 s (connection refused): is it "
            "running, and listening on that address?");
  EXPECT_EQ(refused.failure.exit_code, kExitUnreachable);
  EXPECT_EQ(refused.failure.code_name, "UNAVAILABLE");
  const ConnectFailure unknown = describe_connect_failure(
      "nowhere.invalid:1", 2.5,
      "DNS resolution failed for nowhere.invalid:1: C-ares status is not ARES_SUCCESS qtype=A "
      "name=nowhere.invalid is_balancer=0: Domain name not found",
      false);
  EXPECT_NE(unknown.status.message().find("within 2.5 s (the host name does not resolve)"),
            std::string::npos);
  EXPECT_EQ(unknown.failure.exit_code, kExitUnreachable);
  const ConnectFailure silent = describe_connect_failure("10.0.0.1:1", 5, "Deadline Exceeded", true);
  EXPECT_NE(silent.status.message().find("(no answer)"), std::string::npos);
  EXPECT_EQ(silent.failure.exit_code, kExitUnreachable);
}

TEST(ConnectFailure, AFailedHandshakeIsUnavailable) {
  const ConnectFailure tls = describe_connect_failure(
      "127.0.0.1:5", 5,
      "failed to connect to all addresses; last error: UNKNOWN: ipv4:127.0.0.1:5: Ssl handshake "
      "failed: SSL_ERROR_SSL: error:0A000086:SSL routines::certificate verify failed",
      false);
  EXPECT_EQ(tls.failure.exit_code, kExitUnavailable);  // as before: exit 4 for TLS failures
  EXPECT_NE(tls.status.message().find("connected to 127.0.0.1:5 but could not open a gRPC session"),
            std::string::npos);
  EXPECT_NE(tls.status.message().find("the TLS handshake failed"), std::string::npos);
}

TEST(RemoteNotices, SayWhyTheClientWaits) {
  EXPECT_EQ(RemoteNotices::retry_text(
                {grpc::StatusCode::RESOURCE_EXHAUSTED, "the compile queue is full (0 waiting)"},
                std::chrono::milliseconds(1249), 2, 8),
            "server busy (RESOURCE_EXHAUSTED: the compile queue is full (0 waiting)); retrying in "
            "1.2 s, attempt 2 of 8");
  EXPECT_EQ(RemoteNotices::retry_text({grpc::StatusCode::UNAVAILABLE, "draining"},
                                      std::chrono::milliseconds(500), 3, 8),
            "server unavailable (UNAVAILABLE: draining); retrying in 0.5 s, attempt 3 of 8");
  EXPECT_EQ(RemoteNotices::compiling_text(2.04),
            "the server is compiling the model (it queued 2.0 s)");

  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  RemoteNotices(out, /*enabled=*/false).cache_hit();
  EXPECT_EQ(std::ftell(out), 0);  // --quiet
  RemoteNotices(out, /*enabled=*/true).cache_hit();
  std::rewind(out);
  char line[128] = {};
  ASSERT_NE(std::fgets(line, sizeof line, out), nullptr);
  EXPECT_STREQ(line, "ramiel-client: served from the server's cache (compiled before)\n");
  std::fclose(out);
}

TEST(DelayedNotice, SpeaksOnlyWhenTheWaitOutlastsTheDelay) {
  std::atomic<int> said{0};
  { DelayedNotice quick(std::chrono::seconds(30), [&] { ++said; }); }
  EXPECT_EQ(said.load(), 0);
  {
    DelayedNotice slow(std::chrono::milliseconds(1), [&] { ++said; });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(said.load(), 1);
}

TEST(ProgressBar, RendersFractionAndMebibytes) {
  EXPECT_EQ(ProgressBar::render(0, 4 << 20, 10), "[          ]   0%  0.0/4.0 MiB");
  EXPECT_EQ(ProgressBar::render(2 << 20, 4 << 20, 10), "[#####     ]  50%  2.0/4.0 MiB");
  EXPECT_EQ(ProgressBar::render(4 << 20, 4 << 20, 10), "[##########] 100%  4.0/4.0 MiB");
  EXPECT_EQ(ProgressBar::render(9, 0, 4), "[####] 100%  0.0/0.0 MiB");
}

TEST(ProgressBar, DrawsNothingWhenDisabled) {
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    ProgressBar bar("uploading", 100, out, /*enabled=*/false);
    bar.update(50);
  }
  EXPECT_EQ(std::ftell(out), 0);
  {
    ProgressBar bar("uploading", 100, out, /*enabled=*/true);
    bar.update(50);
    bar.update(50);  // same percentage: no redraw
  }
  const long drawn = std::ftell(out);
  EXPECT_GT(drawn, 0);
  EXPECT_LT(drawn, 120);  // one line and one clear, not two lines
  std::fclose(out);
}

}  // namespace
}  // namespace ramiel::client
