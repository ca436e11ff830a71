#include "server/child_process.h"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace ramiel::server {
namespace {

const ChildProcess::StopFn kNeverStop = [] { return false; };

ChildExit run_shell(const std::string& script, const std::vector<std::string_view>& input,
                    const ChildProcess::StopFn& stop = kNeverStop) {
  auto child = ChildProcess::spawn({"/bin/sh", "-c", script});
  EXPECT_TRUE(child.ok()) << child.status().to_string();
  auto ended = child->run(input, size_t{64} << 20, stop);
  EXPECT_TRUE(ended.ok()) << ended.status().to_string();
  return *ended;
}

TEST(ChildProcess, FeedsInputInPiecesAndCollectsOutput) {
  // Larger than any socket buffer, so writing and reading must interleave.
  const std::string big(8 << 20, 'x');
  const ChildExit ended = run_shell("cat", {"head:", big, ":tail"});
  EXPECT_TRUE(ended.exited);
  EXPECT_EQ(ended.exit_code, 0);
  EXPECT_EQ(ended.output, "head:" + big + ":tail");
}

TEST(ChildProcess, ReportsExitCodesAndSignals) {
  EXPECT_EQ(run_shell("exit 3", {}).exit_code, 3);
  const ChildExit crashed = run_shell("kill -SEGV $$", {});
  EXPECT_FALSE(crashed.exited);
  EXPECT_EQ(crashed.term_signal, SIGSEGV);
  EXPECT_EQ(signal_name(SIGSEGV), "SIGSEGV");
}

TEST(ChildProcess, AChildThatStopsReadingEarlyIsNoError) {
  const std::string big(8 << 20, 'y');
  const ChildExit ended = run_shell("head -c 10; exit 7", {big});
  EXPECT_EQ(ended.exit_code, 7);
  EXPECT_EQ(ended.output, std::string(10, 'y'));
}

TEST(ChildProcess, StopKillsTheChildAndItsGroup) {
  const auto start = std::chrono::steady_clock::now();
  std::atomic<int> polls{0};
  const ChildExit ended = run_shell("sleep 60 & sleep 60", {}, [&] { return ++polls > 3; });
  EXPECT_TRUE(ended.killed_by_us);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST(ChildProcess, StartsWithNoInheritedDescriptorsInRoot) {
  const ChildExit ended = run_shell("pwd; ls /proc/self/fd | wc -l", {});
  // stdin, stdout, stderr and the descriptor ls opens to list the directory.
  EXPECT_EQ(ended.output, "/\n4\n");
}

TEST(ChildProcess, MissingExecutableIsAnError) {
  auto child = ChildProcess::spawn({"/nonexistent/program"});
  ASSERT_FALSE(child.ok());
  EXPECT_NE(child.status().message().find("/nonexistent/program"), std::string::npos);
}

}  // namespace
}  // namespace ramiel::server
