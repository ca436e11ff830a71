// The client's remote helpers: retry policy, gRPC status mapping, progress bar rendering.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "client/exit_codes.h"
#include "client/remote_channel.h"
#include "client/progress_bar.h"
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
