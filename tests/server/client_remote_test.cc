// The client's remote helpers: retry policy, gRPC status mapping, progress bar rendering.
#include <gtest/gtest.h>

#include "client/exit_codes.h"
#include "client/progress_bar.h"
#include "client/remote_status.h"
#include "client/retry_policy.h"

namespace ramiel::client {
namespace {

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
