#include "server/compile_service.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/support/sha256.h"
#include "core/support/stopwatch.h"
#include "proto/convert.h"
#include "server/disk_cache.h"
#include "server/result_cache.h"

namespace ramiel::server {
namespace {

grpc::Status invalid(std::string message) {
  return {grpc::StatusCode::INVALID_ARGUMENT, std::move(message)};
}

// Converts and validates request options; the error names what to fix.
StatusOr<driver::CompileOptions> checked_options(const v1::CompileOptions& proto) {
  driver::CompileOptions options = api::options_from_proto(proto);
  RAMIEL_RETURN_IF_ERROR(options.validate().with_context("bad compile options"));
  return options;
}

// Finishes a call exactly once (from a handler, a broker callback or OnCancel, whichever comes
// first), writes its log line, and deletes the reactor when gRPC is done with it *and* no broker
// callback can still reach it (reference counted: OnDone holds one, a pending callback another).
template <class Reactor>
class Call : public Reactor {
 protected:
  Call(const ServiceContext& service, grpc::CallbackServerContext* call, const char* method)
      : service_(service), ticket_(std::make_shared<Ticket>(call->deadline())) {
    record_.method = method;
    record_.peer = call->peer();
    service_.metrics.add_inflight(1);
  }

  // Finishes with `status`; `fill` writes the response first. False when already finished.
  bool finish_once(grpc::Status status, const std::function<void()>& fill = {}) {
    if (finished_.exchange(true)) return false;
    if (fill) fill();
    record_.duration_ms = watch_.elapsed_ms();
    record_.status = status;
    service_.log.request(record_);
    this->Finish(std::move(status));
    return true;
  }
  bool finished() const { return finished_.load(); }

  // The broker's callback for this call; it keeps the reactor alive until it has run.
  CompileBroker::Callback completion(v1::CompileResponse* response) {
    refs_.fetch_add(1);
    return [this, response](Completion done) {
      finish_once(done.status, [&] {
        record_.cache = cache_outcome_name(done.cache);
        if (done.result) {
          response->CopyFrom(*done.result);
          response->set_cache_hit(done.cache == CacheOutcome::kHit);
        }
      });
      release();
    };
  }

  // Before the request reaches the broker the reading thread owns the call and notices the
  // cancellation itself (a cancelled call fails its pending read); afterwards OnCancel finishes
  // it at once. Sequentially consistent atomics make sure one of the two sees the other.
  void OnCancel() override {
    ticket_->cancel();
    if (submitted_.load()) finish_once({grpc::StatusCode::CANCELLED, "cancelled by the client"});
  }

  // Hands the call to the broker (through `submit`) unless it was cancelled already. Every write
  // to the log record must happen before this.
  void submit(const std::function<void(CompileBroker::Callback)>& to_broker,
              v1::CompileResponse* response) {
    submitted_.store(true);
    if (ticket_->abandoned(std::chrono::system_clock::now())) {
      finish_once({grpc::StatusCode::CANCELLED, "cancelled by the client"});
      return;
    }
    to_broker(completion(response));
  }

  void OnDone() override {
    service_.metrics.add_inflight(-1);
    release();
  }

  virtual void on_release() {}

  const ServiceContext& service_;
  std::shared_ptr<Ticket> ticket_;
  RequestRecord record_;

 private:
  void release() {
    if (refs_.fetch_sub(1) == 1) {
      on_release();
      delete this;
    }
  }

  Stopwatch watch_;
  std::atomic<bool> submitted_{false};
  std::atomic<bool> finished_{false};
  std::atomic<int> refs_{1};
};

// Compile: a header, then chunks; hashed as they arrive, bounded by the declared size.
class CompileCall final : public Call<grpc::ServerReadReactor<v1::CompileRequest>> {
 public:
  CompileCall(const ServiceContext& service, grpc::CallbackServerContext* call,
              v1::CompileResponse* response)
      : Call(service, call, "Compile"), response_(response) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (finished()) return;
    if (!ok)
      return upload_complete();  // the client half-closed, or the call was cancelled  // the client
                                 // half-closed: the upload is whole
    if (!header_seen_) return take_header();
    if (!request_.has_chunk()) {
      finish_once(invalid("after the header, a Compile stream may only carry chunks"));
      return;
    }
    const std::string& chunk = request_.chunk();
    if (static_cast<int64_t>(model_.size() + chunk.size()) > declared_size_) {
      finish_once(invalid("the upload is longer than the " + std::to_string(declared_size_) +
                          " bytes its header declared"));
      return;
    }
    hasher_.update(chunk);
    model_.append(chunk);
    StartRead(&request_);
  }

 private:
  void take_header() {
    if (!request_.has_header()) {
      finish_once(invalid("the first message of a Compile stream must be the header"));
      return;
    }
    header_seen_ = true;
    const v1::CompileHeader& header = request_.header();
    const auto declared = static_cast<int64_t>(header.model_size());
    const int64_t limit = service_.settings.max_model_bytes;
    if (declared <= 0) {
      finish_once(invalid("header.model_size must be the model's size in bytes"));
      return;
    }
    if (declared > limit || header.model_size() > static_cast<uint64_t>(limit)) {
      service_.metrics.count_rejected("too_large");
      finish_once(invalid("the model is " + std::to_string(header.model_size()) +
                          " bytes; this server accepts at most " + std::to_string(limit)));
      return;
    }
    auto options = checked_options(header.options());
    if (!options.ok()) {
      finish_once(invalid(options.status().message()));
      return;
    }
    if (!service_.uploads.try_reserve(declared)) {
      service_.metrics.count_rejected("upload_budget");
      finish_once({grpc::StatusCode::RESOURCE_EXHAUSTED,
                   "too many uploads in progress; retry with backoff"});
      return;
    }
    reserved_ = declared;
    declared_size_ = declared;
    expected_sha256_ = header.model_sha256();
    options_ = std::move(options).value();
    model_.reserve(static_cast<size_t>(declared));
    record_.model_bytes = declared;
    StartRead(&request_);
  }

  void upload_complete() {
    if (ticket_->abandoned(std::chrono::system_clock::now())) {
      finish_once({grpc::StatusCode::CANCELLED, "cancelled during the upload"});
      return;
    }
    if (!header_seen_) {
      finish_once(invalid("the Compile stream ended before its header"));
      return;
    }
    if (static_cast<int64_t>(model_.size()) != declared_size_) {
      finish_once(invalid("the upload is truncated: " + std::to_string(model_.size()) + " of " +
                          std::to_string(declared_size_) + " bytes arrived"));
      return;
    }
    record_.model_sha256 = hasher_.hex_digest();
    if (!expected_sha256_.empty() && expected_sha256_ != record_.model_sha256) {
      finish_once(invalid("the upload is corrupt: its sha256 is " + record_.model_sha256 +
                          ", the header says " + expected_sha256_));
      return;
    }
    service_.metrics.observe_model_size(declared_size_);
    CompileJob job;
    job.model_sha256 = record_.model_sha256;
    job.key = cache_key(job.model_sha256, options_.canonical(), service_.broker.compiler_version());
    job.model = std::make_shared<const std::string>(std::move(model_));
    job.options = std::move(options_);
    submit(
        [&](CompileBroker::Callback done) {
          service_.broker.compile(std::move(job), ticket_, std::move(done));
        },
        response_);
  }

  void on_release() override {
    if (reserved_ > 0) service_.uploads.release(reserved_);
  }

  v1::CompileResponse* const response_;
  v1::CompileRequest request_;
  bool header_seen_ = false;
  int64_t declared_size_ = 0;
  int64_t reserved_ = 0;
  std::string expected_sha256_;
  driver::CompileOptions options_;
  std::string model_;
  Sha256 hasher_;
};

// Lookup: validate, then ask the broker (memory inline, disk on an I/O thread).
class LookupCall final : public Call<grpc::ServerUnaryReactor> {
 public:
  LookupCall(const ServiceContext& service, grpc::CallbackServerContext* call,
             const v1::LookupRequest& request, v1::CompileResponse* response)
      : Call(service, call, "Lookup") {
    record_.model_sha256 = request.model_sha256();
    if (!is_cache_key(request.model_sha256())) {
      finish_once(invalid("model_sha256 must be 64 lower-case hex characters"));
      return;
    }
    auto options = checked_options(request.options());
    if (!options.ok()) {
      finish_once(invalid(options.status().message()));
      return;
    }
    const std::string key =
        cache_key(request.model_sha256(), options->canonical(), service_.broker.compiler_version());
    submit([&](CompileBroker::Callback done) { service_.broker.lookup(key, std::move(done)); },
           response);
  }
};

}  // namespace

grpc::ServerReadReactor<v1::CompileRequest>* CompileServiceImpl::Compile(
    grpc::CallbackServerContext* call, v1::CompileResponse* response) {
  return new CompileCall(context_, call, response);
}

grpc::ServerUnaryReactor* CompileServiceImpl::Lookup(grpc::CallbackServerContext* call,
                                                     const v1::LookupRequest* request,
                                                     v1::CompileResponse* response) {
  return new LookupCall(context_, call, *request, response);
}

}  // namespace ramiel::server
