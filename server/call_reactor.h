// CallReactor: what the Compile and Lookup reactors share: finishing a call exactly once, the
// per-request log line, cancellation, and lifetime across gRPC and broker threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>

#include <grpcpp/grpcpp.h>

#include "core/support/stopwatch.h"
#include "proto/retry_metadata.h"
#include "proto/stage_metadata.h"
#include "server/compile_broker.h"
#include "server/compile_service.h"
#include "server/request_log.h"

namespace ramiel::server {

// Every entry point (constructor, reactions, the broker's callback) takes the call's mutex before
// touching its state. gRPC runs the reactions of one call one at a time except OnCancel, but the
// broker answers from its own threads, and gRPC's ordering lives in libraries ThreadSanitizer
// cannot see; the mutex makes the ordering explicit and checkable. gRPC is never called with the
// mutex held, since it may run the next reaction on another thread at once.
//
// The reactor is deleted when gRPC is done with it (OnDone) *and* no broker callback can still
// reach it: OnDone holds one reference, a pending broker callback another.
template <class Reactor>
class CallReactor : public Reactor {
 protected:
  CallReactor(const ServiceContext& service, grpc::CallbackServerContext* call, const char* method)
      : service_(service), ticket_(std::make_shared<Ticket>(call->deadline())), call_(call) {
    std::lock_guard lock(mutex_);
    record_.method = method;
    record_.peer = call->peer();
    service_.metrics.add_inflight(1);
  }

  std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }
  bool finished_locked() const { return finished_; }

  // Finishes with `status`; `fill` (run under the lock) writes the response and the record first.
  // Returns false when the call was already finished.
  bool finish_once(grpc::Status status, const std::function<void()>& fill = {}) {
    {
      std::lock_guard lock(mutex_);
      if (finished_) return false;
      finished_ = true;
      if (fill) fill();
      record_.duration_ms = watch_.elapsed_ms();
      record_.status = status;
      service_.log.request(record_);
    }
    // Not while stage_notifier() sends. A local reference: the lock must not outlive its mutex
    // should the reactor be deleted during Finish.
    const std::shared_ptr<Sender> sender = sender_;
    std::lock_guard send(sender->mutex);
    sender->finished = true;
    this->Finish(std::move(status));
    return true;
  }

  // Tells the caller that its compile took a worker (initial metadata, proto/stage_metadata.h).
  // The broker runs it on its threads, perhaps while the call finishes: the send lock orders it
  // against Finish, and a finished call (whose reactor may be gone) is left alone.
  CompileBroker::Started stage_notifier() {
    return [sender = sender_, this](double queued_seconds) {
      std::lock_guard send(sender->mutex);
      if (sender->finished || sender->stage_sent) return;
      sender->stage_sent = true;
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.3f", queued_seconds);
      call_->AddInitialMetadata(api::kStageMetadataKey, api::kStageCompiling);
      call_->AddInitialMetadata(api::kQueueSecondsMetadataKey, seconds);
      this->StartSendInitialMetadata();
    };
  }

  // Hands the call to the broker through `to_broker` unless it was cancelled already; from then
  // on OnCancel finishes it at once. Before that, the thread holding the call notices the
  // cancellation itself (a cancelled call fails its pending read).
  void submit(const std::function<void(CompileBroker::Callback)>& to_broker,
              v1::CompileResponse* response) {
    bool cancelled_already = false;
    {
      std::lock_guard lock(mutex_);
      submitted_ = true;
      cancelled_already = ticket_->abandoned(std::chrono::system_clock::now());
      if (!cancelled_already) refs_.fetch_add(1);  // for the broker's callback
    }
    if (cancelled_already) {
      finish_once({grpc::StatusCode::CANCELLED, "cancelled by the client"});
      return;
    }
    to_broker([this, response](Completion done) {
      finish_once(done.status, [&] {
        record_.cache = cache_outcome_name(done.cache);
        if (!done.retryable) {
          call_->AddTrailingMetadata(api::kRetryMetadataKey, api::kNoRetryMetadataValue);
        }
        if (done.result) {
          response->CopyFrom(*done.result);
          response->set_cache_hit(done.cache == CacheOutcome::kHit);
        }
      });
      release();
    });
  }

  void OnCancel() override {
    bool finish_now = false;
    {
      std::lock_guard lock(mutex_);
      ticket_->cancel();
      finish_now = submitted_;
    }
    if (finish_now) finish_once({grpc::StatusCode::CANCELLED, "cancelled by the client"});
  }

  void OnDone() override {
    {
      std::lock_guard lock(mutex_);
      service_.metrics.add_inflight(-1);
    }
    release();
  }

  // Runs once, just before the reactor is deleted.
  virtual void on_release() {}

  const ServiceContext& service_;
  const std::shared_ptr<Ticket> ticket_;
  grpc::CallbackServerContext* const call_;
  RequestRecord record_;  // guarded by the mutex

 private:
  void release() {
    if (refs_.fetch_sub(1) != 1) return;
    {
      std::lock_guard lock(mutex_);  // see every other thread's last writes
    }
    on_release();
    delete this;
  }

  // Orders gRPC's Finish and StartSendInitialMetadata, which must not run at the same time; it
  // outlives the reactor, since a broker thread may hold stage_notifier() after the call ends.
  struct Sender {
    std::mutex mutex;
    bool finished = false;
    bool stage_sent = false;
  };
  const std::shared_ptr<Sender> sender_ = std::make_shared<Sender>();
  std::mutex mutex_;
  Stopwatch watch_;
  bool submitted_ = false;
  bool finished_ = false;
  std::atomic<int> refs_{1};
};

}  // namespace ramiel::server
