// FaultStore: an ObjectStore wrapper for failure-path tests. It forwards every call to an inner
// store and fails the calls its faults select, with the ErrorKind (and Retry-After) you choose:
//
//   auto inner = std::make_shared<MemoryStore>();
//   FaultStore fs(inner);
//   fs.Inject({.op = StoreOp::kPut, .nth = 2});                     // 2nd put: Retryable
//   fs.Inject({.op = StoreOp::kGet, .kind = ErrorKind::kRetryable,
//              .after_bytes = 1000});                               // 1st get: 1000 bytes, then
//              fail
//   fs.Inject({.op = StoreOp::kStat, .rate = 0.3});                 // ~30 % of stats (seeded)
//   fs.Inject({.op = StoreOp::kPut, .after_effect = true});         // put lands, reply is lost
//   ... fs.calls(StoreOp::kPut), fs.fired(StoreOp::kPut)
//
// Selection: a fault applies to calls of its `op` whose key starts with `key_prefix` (List: the
// listed prefix; Copy: the destination key). With `nth` > 0 it fires on the nth..(nth+times-1)th
// such call (counted per fault); with `rate` > 0 on that fraction of calls (seeded, so a test is
// repeatable); with neither, on the first `times` calls. The first matching fault wins.
// Thread-safe: counters and the RNG are behind one mutex; the inner call runs outside it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "store/object_store.h"
#include "store/wrap/store_wrapper.h"

namespace dredge::testing {

enum class StoreOp { kPut, kGet, kStat, kList, kRemove, kCopy };

inline const char* StoreOpName(StoreOp op) {
  switch (op) {
    case StoreOp::kPut:
      return "PUT";
    case StoreOp::kGet:
      return "GET";
    case StoreOp::kStat:
      return "STAT";
    case StoreOp::kList:
      return "LIST";
    case StoreOp::kRemove:
      return "REMOVE";
    case StoreOp::kCopy:
      return "COPY";
  }
  return "?";
}

struct Fault {
  StoreOp op = StoreOp::kPut;
  ErrorKind kind = ErrorKind::kRetryable;
  uint64_t nth = 0;    // first matching call that fails (1-based); 0: see `rate`
  uint64_t times = 1;  // how many calls fail from there (UINT64_MAX: all of them)
  double rate = 0;     // instead of nth: probability that a matching call fails
  std::string key_prefix{};
  // Get: deliver this many bytes of the real object to the sink, then fail.
  // List: deliver this many entries, then fail. -1: fail before reaching the inner store.
  int64_t after_bytes = -1;
  // Put/Remove/Copy: perform the call on the inner store, then report the failure anyway
  // (a lost response: the retry must cope with an operation that already happened).
  bool after_effect = false;
  int64_t retry_after_ms = -1;  // attached to the returned Status
  std::string message = "injected fault";
  std::function<void()> on_fire{};  // runs when the fault fires, before the error is returned

  // Internal: matching calls seen so far.
  uint64_t seen = 0;
};

class FaultStore final : public StoreWrapper {
 public:
  explicit FaultStore(std::shared_ptr<ObjectStore> inner, uint64_t seed = 42)
      : StoreWrapper(std::move(inner)), rng_(seed) {}

  void Inject(Fault f) {
    std::lock_guard lock(mu_);
    faults_.push_back(std::move(f));
  }
  void ClearFaults() {
    std::lock_guard lock(mu_);
    faults_.clear();
  }
  // Calls of `op` received / failed by a fault so far.
  uint64_t calls(StoreOp op) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(op);
    return it == calls_.end() ? 0 : it->second;
  }
  uint64_t fired(StoreOp op) const {
    std::lock_guard lock(mu_);
    auto it = fired_.find(op);
    return it == fired_.end() ? 0 : it->second;
  }

  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override {
    auto f = Select(StoreOp::kPut, key);
    if (f && !f->after_effect) return Fire(*f, key);
    auto r = inner()->Put(key, src, opts);
    if (f) return Fire(*f, key);
    return r;
  }

  Status Get(std::string_view key, ByteSink& sink,
             std::optional<ByteRange> range = std::nullopt) override {
    auto f = Select(StoreOp::kGet, key);
    if (!f) return inner()->Get(key, sink, range);
    if (f->after_bytes >= 0) {
      TruncatingSink cut(sink, static_cast<uint64_t>(f->after_bytes));
      Status s = inner()->Get(key, cut, range);
      if (cut.sink_error) return s;       // the caller's sink failed: report that, not the fault
      if (!s.ok() && !cut.cut) return s;  // a real error (NotFound…) came before the cut
    }
    return Fire(*f, key);
  }

  Result<ObjectInfo> Stat(std::string_view key) override {
    if (auto f = Select(StoreOp::kStat, key)) return Fire(*f, key);
    return inner()->Stat(key);
  }

  Status List(std::string_view prefix, const ListFn& fn) override {
    auto f = Select(StoreOp::kList, prefix);
    if (!f) return inner()->List(prefix, fn);
    if (f->after_bytes >= 0) {
      int64_t left = f->after_bytes;
      bool fn_failed = false;
      Status stop(ErrorKind::kCancelled, "fault: stop listing");
      Status s = inner()->List(prefix, [&](const ObjectInfo& info) -> Status {
        if (left-- <= 0) return stop;
        Status st = fn(info);
        if (!st.ok()) fn_failed = true;
        return st;
      });
      if (fn_failed) return s;                                 // the caller's own error
      if (!s.ok() && s.message() != stop.message()) return s;  // a real error came first
    }
    return Fire(*f, prefix);
  }

  Status Remove(std::string_view key) override {
    auto f = Select(StoreOp::kRemove, key);
    if (f && !f->after_effect) return Fire(*f, key);
    Status s = inner()->Remove(key);
    if (f) return Fire(*f, key);
    return s;
  }

  Status Copy(std::string_view src_key, std::string_view dst_key,
              const std::optional<Metadata>& metadata = std::nullopt) override {
    auto f = Select(StoreOp::kCopy, dst_key);
    if (f && !f->after_effect) return Fire(*f, dst_key);
    Status s = inner()->Copy(src_key, dst_key, metadata);
    if (f) return Fire(*f, dst_key);
    return s;
  }

  std::string Describe() const override { return "fault+" + StoreWrapper::Describe(); }

 private:
  // Forwards the first `limit` bytes, then aborts the inner transfer.
  struct TruncatingSink final : ByteSink {
    TruncatingSink(ByteSink& out, uint64_t limit) : out(out), left(limit) {}
    Status Write(std::string_view data) override {
      if (left == 0) {
        cut = true;
        return Status(ErrorKind::kCancelled, "fault: body cut");
      }
      std::string_view part = data.substr(0, std::min<uint64_t>(left, data.size()));
      left -= part.size();
      Status s = out.Write(part);
      if (!s.ok()) {
        sink_error = true;
        return s;
      }
      if (part.size() < data.size()) {
        cut = true;
        return Status(ErrorKind::kCancelled, "fault: body cut");
      }
      return Status::Ok();
    }
    ByteSink& out;
    uint64_t left;
    bool sink_error = false;
    bool cut = false;
  };

  std::optional<Fault> Select(StoreOp op, std::string_view key) {
    std::lock_guard lock(mu_);
    ++calls_[op];
    for (auto& f : faults_) {
      if (f.op != op || !key.starts_with(f.key_prefix)) continue;
      uint64_t n = ++f.seen;
      bool fire;
      if (f.nth > 0) {
        fire = n >= f.nth && n - f.nth < f.times;
      } else if (f.rate > 0) {
        fire = std::uniform_real_distribution<double>(0, 1)(rng_) < f.rate;
      } else {
        fire = n <= f.times;
      }
      if (fire) {
        ++fired_[op];
        return f;
      }
    }
    return std::nullopt;
  }

  Status Fire(const Fault& f, std::string_view key) {
    if (f.on_fire) f.on_fire();
    Status s(f.kind, std::string(StoreOpName(f.op)) + " '" + std::string(key) + "': " + f.message);
    return f.retry_after_ms >= 0 ? s.WithRetryAfterMs(f.retry_after_ms) : s;
  }

  mutable std::mutex mu_;
  std::vector<Fault> faults_;
  std::map<StoreOp, uint64_t> calls_, fired_;
  std::mt19937_64 rng_;
};

}  // namespace dredge::testing
