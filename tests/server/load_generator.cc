// ramiel_server_load: drives a running ramiel-server with concurrent Lookup or Compile calls and
// prints latency percentiles and throughput as JSON (used by bench/server_load.py). Its soak mode
// runs for a bounded time over a mix of good and hostile models, counts answers by status code,
// and samples the server's RSS (used by bench/server_soak.py).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/support/sha256.h"
#include "proto/grpc_code_name.h"
#include "ramiel/v1/compile_service.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string server;
  std::string model_path;
  // lookup: Lookup of a cached model; compile: upload + answer from the cache;
  // miss: upload with a fresh model name each time, so every call compiles.
  std::string mode = "lookup";
  int concurrency = 4;
  int requests = 1000;
  int workers = 2;
  // soak: every file of mix_dir, good-*.onnx expected to compile, any other expected to be refused
  // with a clear error; runs for duration_seconds; samples server_pid's RSS.
  std::string mix_dir;
  double duration_seconds = 60;
  int server_pid = 0;
  double sample_seconds = 5;
};

// One connection per thread, so that the load is not limited by a single HTTP/2 connection.
std::unique_ptr<ramiel::v1::CompileService::Stub> connect(const std::string& server, int index) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetInt("ramiel.load.channel", index);  // distinct arguments: no shared subchannel
  return ramiel::v1::CompileService::NewStub(
      grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), args));
}

grpc::Status call(ramiel::v1::CompileService::Stub& stub, const Options& options,
                  const std::string& model, const std::string& sha256, int64_t serial) {
  ramiel::v1::CompileOptions compile_options;
  compile_options.set_workers(options.workers);
  compile_options.set_model_name(options.mode == "miss" ? "load-" + std::to_string(serial)
                                                        : "load");
  ramiel::v1::CompileResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(300));
  if (options.mode == "lookup") {
    ramiel::v1::LookupRequest request;
    request.set_model_sha256(sha256);
    *request.mutable_options() = compile_options;
    return stub.Lookup(&context, request, &response);
  }
  auto writer = stub.Compile(&context, &response);
  ramiel::v1::CompileRequest message;
  auto* header = message.mutable_header();
  *header->mutable_options() = compile_options;
  header->set_model_size(model.size());
  header->set_model_sha256(sha256);
  bool open = writer->Write(message);
  constexpr size_t kChunk = 1 << 20;
  for (size_t offset = 0; open && offset < model.size(); offset += kChunk) {
    message.set_chunk(model.substr(offset, kChunk));
    open = writer->Write(message);
  }
  if (open) writer->WritesDone();
  return writer->Finish();
}

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// VmRSS of `pid` in bytes (0 when it cannot be read).
int64_t rss_bytes(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return 0;
}

struct MixItem {
  std::string name;
  std::string bytes;
  std::string sha256;
  bool good;
};

// A hostile model must be refused with a clear, final answer; anything else is unexpected.
bool expected_refusal(grpc::StatusCode code) {
  return code == grpc::StatusCode::INVALID_ARGUMENT || code == grpc::StatusCode::UNIMPLEMENTED ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED;
}

int soak(const Options& options) {
  std::vector<MixItem> mix;
  for (const auto& entry : std::filesystem::directory_iterator(options.mix_dir)) {
    if (!entry.is_regular_file()) continue;
    MixItem item{entry.path().filename().string(), read_bytes(entry.path().string()), "", false};
    item.sha256 = ramiel::sha256_hex(item.bytes);
    item.good = item.name.rfind("good-", 0) == 0;
    mix.push_back(std::move(item));
  }
  std::sort(mix.begin(), mix.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  if (mix.empty()) {
    std::cerr << "ramiel_server_load: no models in " << options.mix_dir << "\n";
    return 2;
  }
  std::mutex mutex;
  std::map<std::string, int64_t> by_code;         // "good OK", "bad INVALID_ARGUMENT", ...
  std::map<std::string, std::string> unexpected;  // first message per unexpected outcome
  std::vector<double> good_ms, bad_ms;
  std::vector<std::pair<double, int64_t>> rss;  // seconds since start, bytes
  int64_t unexpected_count = 0;
  std::atomic<int64_t> next{0};
  std::atomic<bool> stop{false};
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(options.duration_seconds));
  const auto since_start = [&] {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };

  std::thread sampler([&] {
    while (!stop.load()) {
      if (options.server_pid > 0) {
        std::lock_guard lock(mutex);
        rss.emplace_back(since_start(), rss_bytes(options.server_pid));
      }
      for (double waited = 0; waited < options.sample_seconds && !stop.load(); waited += 0.1) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < options.concurrency; ++t) {
    threads.emplace_back([&, t] {
      auto stub = connect(options.server, t);
      while (Clock::now() < end) {
        const int64_t serial = next++;
        const MixItem& item = mix[static_cast<size_t>(serial) % mix.size()];
        Options per_call = options;
        per_call.mode = "compile";
        const auto begin = Clock::now();
        // Good models under 64 names: the first compile of each misses, later ones hit the disk.
        const grpc::Status status = call(*stub, per_call, item.bytes, item.sha256, serial % 64);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - begin).count();
        const bool as_expected = item.good ? status.ok() : expected_refusal(status.error_code());
        const std::string key = std::string(item.good ? "good " : "bad ") +
                                ramiel::api::grpc_code_name(status.error_code());
        std::lock_guard lock(mutex);
        ++by_code[key];
        (item.good ? good_ms : bad_ms).push_back(ms);
        if (!as_expected) {
          ++unexpected_count;
          if (!unexpected.count(item.name)) {
            unexpected[item.name] = key + ": " + status.error_message().substr(0, 300);
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  stop.store(true);
  sampler.join();

  const double seconds = since_start();
  nlohmann::json codes = nlohmann::json::object();
  for (const auto& [key, count] : by_code) codes[key] = count;
  std::sort(good_ms.begin(), good_ms.end());
  std::sort(bad_ms.begin(), bad_ms.end());
  const auto latency = [](std::vector<double>& sorted) {
    return nlohmann::json{{"p50", percentile(sorted, 0.50)},
                          {"p99", percentile(sorted, 0.99)},
                          {"max", sorted.empty() ? 0 : sorted.back()},
                          {"count", sorted.size()}};
  };
  nlohmann::json samples = nlohmann::json::array();
  for (const auto& [at, bytes] : rss) samples.push_back({at, bytes});
  nlohmann::json report = {
      {"mode", "soak"},
      {"concurrency", options.concurrency},
      {"seconds", seconds},
      {"models", mix.size()},
      {"requests", good_ms.size() + bad_ms.size()},
      {"requests_per_second", static_cast<double>(good_ms.size() + bad_ms.size()) / seconds},
      {"by_code", codes},
      {"unexpected", unexpected_count},
      {"unexpected_examples", unexpected},
      {"latency_ms", {{"good", latency(good_ms)}, {"bad", latency(bad_ms)}}},
      {"server_rss_bytes", samples},
  };
  std::cout << report.dump() << "\n";
  return unexpected_count == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app("ramiel_server_load: concurrent Lookup/Compile load against a ramiel-server");
  app.add_option("--server", options.server, "HOST:PORT")->required();
  app.add_option("--model", options.model_path, "ONNX model to send (not soak)")
      ->check(CLI::ExistingFile);
  app.add_option("--mode", options.mode, "lookup | compile | miss | soak")
      ->check(CLI::IsMember({"lookup", "compile", "miss", "soak"}))
      ->capture_default_str();
  app.add_option("--mix-dir", options.mix_dir,
                 "soak: models to send, good-*.onnx must compile, others must be refused")
      ->check(CLI::ExistingDirectory);
  app.add_option("--duration", options.duration_seconds, "soak: seconds to run")
      ->capture_default_str();
  app.add_option("--server-pid", options.server_pid, "soak: sample this process's RSS");
  app.add_option("--sample-seconds", options.sample_seconds, "soak: RSS sampling period")
      ->capture_default_str();
  app.add_option("--concurrency", options.concurrency, "client threads")->capture_default_str();
  app.add_option("--requests", options.requests, "total calls")->capture_default_str();
  app.add_option("--workers", options.workers, "compile option workers")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (options.mode == "soak") {
    if (options.mix_dir.empty()) {
      std::cerr << "ramiel_server_load: --mode soak needs --mix-dir\n";
      return 2;
    }
    return soak(options);
  }
  if (options.model_path.empty()) {
    std::cerr << "ramiel_server_load: --model is required\n";
    return 2;
  }

  std::ifstream in(options.model_path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string model = bytes.str();
  const std::string sha256 = ramiel::sha256_hex(model);

  std::atomic<int64_t> next{0};
  std::atomic<int64_t> errors{0};
  std::vector<std::vector<double>> latencies(options.concurrency);
  std::vector<std::string> first_error(options.concurrency);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int t = 0; t < options.concurrency; ++t) {
    threads.emplace_back([&, t] {
      auto stub = connect(options.server, t);
      for (int64_t serial = next++; serial < options.requests; serial = next++) {
        const auto begin = Clock::now();
        const grpc::Status status = call(*stub, options, model, sha256, serial);
        latencies[t].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
        if (!status.ok()) {
          errors++;
          if (first_error[t].empty()) {
            first_error[t] = std::string(ramiel::api::grpc_code_name(status.error_code())) + ": " +
                             status.error_message();
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::vector<double> all;
  for (const auto& per_thread : latencies)
    all.insert(all.end(), per_thread.begin(), per_thread.end());
  std::sort(all.begin(), all.end());
  double sum = 0;
  for (double v : all) sum += v;
  nlohmann::json report = {
      {"mode", options.mode},
      {"concurrency", options.concurrency},
      {"requests", all.size()},
      {"errors", errors.load()},
      {"seconds", seconds},
      {"requests_per_second", static_cast<double>(all.size()) / seconds},
      {"model_bytes", model.size()},
      {"latency_ms",
       {{"p50", percentile(all, 0.50)},
        {"p90", percentile(all, 0.90)},
        {"p99", percentile(all, 0.99)},
        {"mean", all.empty() ? 0 : sum / static_cast<double>(all.size())},
        {"max", all.empty() ? 0 : all.back()}}},
  };
  for (const auto& error : first_error) {
    if (!error.empty()) {
      report["first_error"] = error;
      break;
    }
  }
  std::cout << report.dump() << "\n";
  return errors.load() == 0 ? 0 : 1;
}
