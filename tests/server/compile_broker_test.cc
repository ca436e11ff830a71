#include "server/compile_broker.h"

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/server/metric_reader.h"
#include "tests/server/test_results.h"

namespace ramiel::server {
namespace {

using namespace std::chrono_literals;
using testing::key_for;
using testing::metric_value;
using testing::TempDir;

// A stand-in for the compiler core: counts calls, can be held at a gate, fails on "bad" models.
class FakeCompiler {
 public:
  CompileBroker::CompileFn fn() {
    return [this](std::string_view model,
                  const driver::CompileOptions& options) -> StatusOr<driver::CompileResult> {
      calls_.fetch_add(1);
      {
        std::unique_lock lock(mutex_);
        last_sha256_ = options.model_sha256;
        ++waiting_;
        changed_.notify_all();
        // Held until released; a cancelled compile notices between "stages", as the core does.
        while (held_) {
          if (options.is_cancelled && options.is_cancelled()) {
            --waiting_;
            return cancelled("cancelled before the next stage");
          }
          changed_.wait_for(lock, 5ms);
        }
        --waiting_;
      }
      if (model == "bad") return invalid_argument("not an ONNX model");
      driver::CompileResult result;
      result.files["model.py"] = "# compiled " + std::string(model) + "\n";
      result.files["schedule.json"] = "{}\n";
      result.clusters = options.workers;
      return result;
    };
  }
  void hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    std::lock_guard lock(mutex_);
    held_ = false;
    changed_.notify_all();
  }
  // Blocks until `n` compiles are inside the compiler.
  void wait_for_running(int n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return waiting_ >= n; });
  }
  int calls() const { return calls_.load(); }
  std::string last_sha256() {
    std::lock_guard lock(mutex_);
    return last_sha256_;
  }

 private:
  std::atomic<int> calls_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_ = false;
  int waiting_ = 0;
  std::string last_sha256_;  // the model hash the last compile was handed
};

// A broker over a real two-tier cache in a temporary directory.
struct Harness {
  explicit Harness(ServerSettings settings = small_settings(), const TempDir* shared_dir = nullptr)
      : metrics("test-version") {
    const auto& cache_dir = shared_dir != nullptr ? shared_dir->path() : dir.path();
    cache = std::make_unique<ResultCache>(
        1 << 20, std::move(DiskCache::open(cache_dir, 1 << 30, &metrics)).value(), &metrics);
    broker =
        std::make_unique<CompileBroker>(settings, *cache, metrics, "test-version", compiler.fn());
  }
  static ServerSettings small_settings() {
    ServerSettings settings;
    settings.workers = 2;
    settings.queue_length = 4;
    settings.io_threads = 1;
    return settings;
  }

  CompileJob job(const std::string& model, int workers = 2) {
    CompileJob job;
    job.model_sha256 = std::string(64, 'a');
    job.key = cache_key(model, std::to_string(workers), "test-version");
    job.model = std::make_shared<const std::string>(model);
    job.options.workers = workers;
    return job;
  }
  // Submits and returns a future of the completion.
  std::future<Completion> submit(const std::string& model,
                                 std::shared_ptr<Ticket> ticket = std::make_shared<Ticket>()) {
    auto promise = std::make_shared<std::promise<Completion>>();
    auto future = promise->get_future();
    broker->compile(job(model), std::move(ticket),
                    [promise](Completion done) { promise->set_value(std::move(done)); });
    return future;
  }
  std::future<Completion> lookup(const std::string& model) {
    auto promise = std::make_shared<std::promise<Completion>>();
    auto future = promise->get_future();
    broker->lookup(job(model).key,
                   [promise](Completion done) { promise->set_value(std::move(done)); });
    return future;
  }
  double metric(const std::string& name, const std::map<std::string, std::string>& labels = {}) {
    return metric_value(*metrics.registry(), name, labels);
  }

  TempDir dir;
  Metrics metrics;
  FakeCompiler compiler;
  std::unique_ptr<ResultCache> cache;
  std::unique_ptr<CompileBroker> broker;
};

TEST(CompileBroker, MissCompilesOnceThenHitsFromMemory) {
  Harness h;
  Completion first = h.submit("m1").get();
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  EXPECT_EQ(first.cache, CacheOutcome::kMiss);
  EXPECT_EQ(first.result->files(0).name(), "model.py");
  EXPECT_EQ(first.result->files(0).contents(), "# compiled m1\n");
  EXPECT_EQ(first.result->compiler_version(), "test-version");
  EXPECT_EQ(first.result->cache_key(), h.job("m1").key);

  Completion second = h.submit("m1").get();
  EXPECT_EQ(second.cache, CacheOutcome::kHit);
  EXPECT_EQ(second.result->SerializeAsString(), first.result->SerializeAsString());
  EXPECT_EQ(h.compiler.calls(), 1);
  EXPECT_EQ(h.metric("ramiel_compiles_total", {{"result", "ok"}}), 1);
  EXPECT_EQ(h.metric("ramiel_cache_requests_total", {{"result", "hit"}}), 1);
  EXPECT_EQ(h.metric("ramiel_cache_requests_total", {{"result", "miss"}}), 1);
  EXPECT_EQ(h.metric("ramiel_compile_duration_seconds", {{"stage", "compile"}}), 1);
}

TEST(CompileBroker, TheCompilerIsHandedTheVerifiedHashInsteadOfHashingAgain) {
  Harness h;
  CompileJob job = h.job("m1");
  job.model_sha256 = std::string(64, 'c');
  std::promise<Completion> done;
  h.broker->compile(std::move(job), std::make_shared<Ticket>(),
                    [&done](Completion completion) { done.set_value(std::move(completion)); });
  const Completion completion = done.get_future().get();
  ASSERT_TRUE(completion.status.ok()) << completion.status.error_message();
  EXPECT_EQ(h.compiler.last_sha256(), std::string(64, 'c'));
  EXPECT_EQ(completion.result->model_sha256(), std::string(64, 'c'));
}

TEST(CompileBroker, IdenticalConcurrentRequestsShareOneCompile) {
  Harness h;
  h.compiler.hold();
  std::vector<std::future<Completion>> answers;
  answers.push_back(h.submit("same"));
  h.compiler.wait_for_running(1);
  for (int i = 0; i < 7; ++i) answers.push_back(h.submit("same"));
  h.compiler.release();
  int coalesced = 0;
  for (auto& answer : answers) {
    Completion done = answer.get();
    ASSERT_TRUE(done.status.ok());
    EXPECT_EQ(done.result->files(0).contents(), "# compiled same\n");
    coalesced += done.cache == CacheOutcome::kCoalesced;
  }
  EXPECT_EQ(h.compiler.calls(), 1);
  EXPECT_EQ(coalesced, 7);
  EXPECT_EQ(h.metric("ramiel_coalesced_requests_total"), 7);
  EXPECT_EQ(h.metric("ramiel_compiles_total"), 1);
}

TEST(CompileBroker, DifferentOptionsAreDifferentCompiles) {
  Harness h;
  auto two = h.job("m");
  auto four = h.job("m", 4);
  EXPECT_NE(two.key, four.key);
  ASSERT_TRUE(h.submit("m").get().status.ok());
  std::promise<Completion> promise;
  h.broker->compile(std::move(four), std::make_shared<Ticket>(),
                    [&](Completion done) { promise.set_value(std::move(done)); });
  Completion done = promise.get_future().get();
  EXPECT_EQ(done.cache, CacheOutcome::kMiss);
  EXPECT_EQ(done.result->summary().clusters(), 4);
  EXPECT_EQ(h.compiler.calls(), 2);
}

TEST(CompileBroker, FullQueueAnswersResourceExhausted) {
  ServerSettings settings = Harness::small_settings();
  settings.workers = 1;
  settings.queue_length = 1;
  Harness h(settings);
  h.compiler.hold();
  auto running = h.submit("a");
  h.compiler.wait_for_running(1);
  auto queued = h.submit("b");
  while (h.broker->queue_depth() < 1) std::this_thread::sleep_for(1ms);
  Completion refused = h.submit("c").get();
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.status.error_message().find("queue is full"), std::string::npos);
  EXPECT_EQ(h.metric("ramiel_rejected_requests_total", {{"reason", "queue_full"}}), 1);
  EXPECT_EQ(h.metric("ramiel_queue_depth"), 1);
  h.compiler.release();
  EXPECT_TRUE(running.get().status.ok());
  EXPECT_TRUE(queued.get().status.ok());
  EXPECT_EQ(h.metric("ramiel_queue_depth"), 0);
  // Once the queue has room the same request goes through.
  EXPECT_TRUE(h.submit("c").get().status.ok());
}

TEST(CompileBroker, ZeroLengthQueueStillUsesIdleWorkers) {
  ServerSettings settings = Harness::small_settings();
  settings.workers = 1;
  settings.queue_length = 0;
  Harness h(settings);
  h.compiler.hold();
  auto running = h.submit("a");
  h.compiler.wait_for_running(1);
  EXPECT_EQ(h.submit("b").get().status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  h.compiler.release();
  EXPECT_TRUE(running.get().status.ok());
  EXPECT_TRUE(h.submit("b").get().status.ok());
}

TEST(CompileBroker, CompileErrorsAreMappedAndNotCached) {
  Harness h;
  Completion bad = h.submit("bad").get();
  EXPECT_EQ(bad.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad.status.error_message(), "not an ONNX model");
  EXPECT_EQ(h.submit("bad").get().status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(h.compiler.calls(), 2);
  EXPECT_EQ(h.metric("ramiel_compiles_total", {{"result", "invalid_argument"}}), 2);
}

TEST(CompileBroker, CancellingEveryCallerStopsTheCompile) {
  Harness h;
  h.compiler.hold();
  auto ticket = std::make_shared<Ticket>();
  auto answer = h.submit("slow", ticket);
  h.compiler.wait_for_running(1);
  ticket->cancel();
  Completion done = answer.get();
  EXPECT_EQ(done.status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(h.metric("ramiel_compiles_total", {{"result", "cancelled"}}), 1);
  h.compiler.release();
}

TEST(CompileBroker, ACompileContinuesWhileOneCallerStillWaits) {
  Harness h;
  h.compiler.hold();
  auto leaving = std::make_shared<Ticket>();
  auto first = h.submit("shared", leaving);
  h.compiler.wait_for_running(1);
  auto second = h.submit("shared");
  leaving->cancel();
  std::this_thread::sleep_for(20ms);  // several cancellation polls
  h.compiler.release();
  EXPECT_TRUE(first.get().status.ok());
  EXPECT_TRUE(second.get().status.ok());
  EXPECT_EQ(h.compiler.calls(), 1);
}

TEST(CompileBroker, AnExpiredDeadlineIsReportedAsSuch) {
  Harness h;
  h.compiler.hold();
  auto ticket = std::make_shared<Ticket>(std::chrono::system_clock::now() + 50ms);
  Completion done = h.submit("late", ticket).get();
  EXPECT_EQ(done.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  h.compiler.release();
}

TEST(CompileBroker, ResultsSurviveANewBrokerOnTheSameDirectory) {
  TempDir shared;
  {
    Harness first(Harness::small_settings(), &shared);
    ASSERT_TRUE(first.submit("persist").get().status.ok());
  }
  Harness second(Harness::small_settings(), &shared);
  Completion lookup = second.lookup("persist").get();
  EXPECT_TRUE(lookup.status.ok());
  EXPECT_EQ(lookup.cache, CacheOutcome::kHit);
  Completion again = second.submit("persist").get();
  EXPECT_EQ(again.cache, CacheOutcome::kHit);
  EXPECT_EQ(second.compiler.calls(), 0);
}

TEST(CompileBroker, LookupNeverCompiles) {
  Harness h;
  Completion missing = h.lookup("never").get();
  EXPECT_EQ(missing.status.error_code(), grpc::StatusCode::NOT_FOUND);
  ASSERT_TRUE(h.submit("now").get().status.ok());
  Completion found = h.lookup("now").get();
  EXPECT_TRUE(found.status.ok());
  EXPECT_EQ(found.result->files(0).contents(), "# compiled now\n");
  EXPECT_EQ(h.compiler.calls(), 1);
}

// The client's round trip: Lookup, then Compile on a miss. Each client compile counts once in
// ramiel_cache_requests_total, so two models compiled, then fetched again, read as a 0.5 ratio.
TEST(CompileBroker, CacheRequestsCountOncePerClientCompile) {
  Harness h;
  for (const char* model : {"a", "b"}) {
    EXPECT_EQ(h.lookup(model).get().status.error_code(), grpc::StatusCode::NOT_FOUND);
    ASSERT_TRUE(h.submit(model).get().status.ok());
  }
  EXPECT_EQ(h.metric("ramiel_cache_requests_total", {{"result", "miss"}}), 2);
  EXPECT_EQ(h.metric("ramiel_cache_requests_total", {{"result", "hit"}}), 0);
  for (const char* model : {"a", "b"}) EXPECT_TRUE(h.lookup(model).get().status.ok());
  EXPECT_EQ(h.metric("ramiel_cache_requests_total", {{"result", "miss"}}), 2);
  EXPECT_EQ(h.metric("ramiel_cache_requests_total", {{"result", "hit"}}), 2);
  // Every Lookup still shows in its own counter.
  EXPECT_EQ(h.metric("ramiel_cache_lookups_total", {{"result", "miss"}}), 2);
  EXPECT_EQ(h.metric("ramiel_cache_lookups_total", {{"result", "hit"}}), 2);
  // A Compile answered from the cache (a client that skips Lookup) is a hit too.
  ASSERT_TRUE(h.submit("a").get().status.ok());
  EXPECT_EQ(h.metric("ramiel_cache_requests_total", {{"result", "hit"}}), 3);
}

TEST(CompileBroker, DrainLetsWorkFinishAndRefusesNewWork) {
  Harness h;
  h.compiler.hold();
  auto in_flight = h.submit("inflight");
  h.compiler.wait_for_running(1);
  std::thread releaser([&] {
    std::this_thread::sleep_for(50ms);
    h.compiler.release();
  });
  EXPECT_TRUE(h.broker->drain(std::chrono::steady_clock::now() + 10s));
  releaser.join();
  EXPECT_TRUE(in_flight.get().status.ok());
  EXPECT_EQ(h.submit("new").get().status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(h.submit("inflight").get().status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(h.lookup("inflight").get().status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(h.metric("ramiel_rejected_requests_total", {{"reason", "draining"}}), 3);
}

TEST(CompileBroker, DrainDeadlineCancelsWhatIsLeft) {
  Harness h;
  h.compiler.hold();
  auto stuck = h.submit("stuck");
  h.compiler.wait_for_running(1);
  EXPECT_FALSE(h.broker->drain(std::chrono::steady_clock::now() + 50ms));
  Completion done = stuck.get();
  EXPECT_EQ(done.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  h.compiler.release();
}

TEST(CompileBroker, ManyConcurrentClientsWithAMixOfModels) {
  Harness h;
  std::vector<std::thread> clients;
  std::atomic<int> wrong{0};
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < 10; ++i) {
        const std::string model = "model" + std::to_string((c + i) % 4);
        Completion done = h.submit(model).get();
        if (!done.status.ok() || done.result->files(0).contents() != "# compiled " + model + "\n") {
          wrong.fetch_add(1);
        }
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(h.compiler.calls(), 4);
}

}  // namespace
}  // namespace ramiel::server
