// ramiel_server_load: drives a running ramiel-server with concurrent Lookup or Compile calls and
// prints latency percentiles and throughput as JSON (used by bench/server_load.py).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
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

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app("ramiel_server_load: concurrent Lookup/Compile load against a ramiel-server");
  app.add_option("--server", options.server, "HOST:PORT")->required();
  app.add_option("--model", options.model_path, "ONNX model to send")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--mode", options.mode, "lookup | compile | miss")
      ->check(CLI::IsMember({"lookup", "compile", "miss"}))
      ->capture_default_str();
  app.add_option("--concurrency", options.concurrency, "client threads")->capture_default_str();
  app.add_option("--requests", options.requests, "total calls")->capture_default_str();
  app.add_option("--workers", options.workers, "compile option workers")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

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
