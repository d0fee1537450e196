// CrashStore: a store test double that models a machine crash, for durability tests
// (object_store.h D1/D2). It forwards to an inner store and remembers every key put with
// defer_durability since the last Sync(), with what the key held before that put. Crash() then
// treats each such key the way a crash may leave it (CrashDamage), and every later call fails
// (Io, "the machine crashed") until Restart(). Puts without defer_durability and Copy are
// durable at once; Sync() makes every owed key durable (nothing happens to it at a crash).
//
// With `listing_lies`, Stat and List of a damaged key keep reporting the size, ETag and
// metadata the lost put described, until the key is written or removed again: the worst case
// of a store whose listing vouches for bytes that never reached its disk (e.g. a sidecar that
// survived its data file). Get always returns the bytes that survived.
//
//   auto mem = std::make_shared<MemoryStore>("m");
//   CrashStore store(mem);
//   store.CrashAtDeferredPut(7);  // the 7th deferred put from now crashes the machine
//   store.damage = CrashDamage::kZeroed;
//   ... run; store.Restart(); store.damaged() names the keys the crash damaged.
//
// Thread-safe: every call holds one mutex (tests are small), so a crash is atomic.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/object_store.h"
#include "store/wrap/store_wrapper.h"

namespace dredge::testing {

enum class CrashDamage {
  kLost,       // the put never happened: the previous object (or none) is back
  kEmpty,      // the object is there with zero bytes
  kTruncated,  // the object holds the first half of its bytes
  kZeroed,     // the object has its size, but every byte is zero
};

class CrashStore final : public StoreWrapper {
 public:
  explicit CrashStore(std::shared_ptr<ObjectStore> inner) : StoreWrapper(std::move(inner)) {}

  CrashDamage damage = CrashDamage::kLost;
  bool listing_lies = false;

  // The nth deferred put from now crashes the machine (and fails); 0: never by itself.
  void CrashAtDeferredPut(uint64_t nth) {
    std::lock_guard lock(mu_);
    crash_at_ = nth == 0 ? 0 : deferred_puts_ + nth;
  }

  // Damages every owed key, then fails every call until Restart.
  void Crash() {
    std::lock_guard lock(mu_);
    CrashLocked();
  }
  void Restart() {
    std::lock_guard lock(mu_);
    crashed_ = false;
    written_.clear();
  }
  // Keys the last crash damaged, and keys written (put or copied to) since the last Restart.
  std::set<std::string> damaged() const {
    std::lock_guard lock(mu_);
    return damaged_;
  }
  bool written_since_restart(const std::string& key) const {
    std::lock_guard lock(mu_);
    return written_.count(key) > 0;
  }
  uint64_t syncs() const {
    std::lock_guard lock(mu_);
    return syncs_;
  }

  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override {
    std::lock_guard lock(mu_);
    if (crashed_) return Down();
    std::string k(key);
    std::optional<Owed> before;
    if (opts.defer_durability) {
      if (++deferred_puts_ == crash_at_) {
        CrashLocked();
        return Down();
      }
      if (!owed_.count(k)) before = Before(k);
    }
    auto r = inner()->Put(key, src, opts);
    if (!r.ok()) return r;
    Written(k);
    if (!opts.defer_durability) {
      owed_.erase(k);
      return r;
    }
    if (before) owed_[k] = std::move(*before);
    owed_[k].claimed = ObjectInfo{k, src.size(), r->etag, 0, opts.metadata, ""};
    return r;
  }
  Status Get(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) override {
    {
      std::lock_guard lock(mu_);
      if (crashed_) return Down();
    }
    return inner()->Get(key, sink, range);
  }
  Result<ObjectInfo> Stat(std::string_view key) override {
    std::lock_guard lock(mu_);
    if (crashed_) return Down();
    if (auto it = lies_.find(std::string(key)); it != lies_.end()) return it->second;
    return inner()->Stat(key);
  }
  Status List(std::string_view prefix, const ListFn& fn) override {
    std::lock_guard lock(mu_);
    if (crashed_) return Down();
    return inner()->List(prefix, [&](const ObjectInfo& o) -> Status {
      auto it = lies_.find(o.key);
      if (it == lies_.end()) return fn(o);
      ObjectInfo shown = o;
      shown.size = it->second.size;
      shown.etag = it->second.etag;
      return fn(shown);
    });
  }
  Status Remove(std::string_view key) override {
    std::lock_guard lock(mu_);
    if (crashed_) return Down();
    owed_.erase(std::string(key));
    lies_.erase(std::string(key));
    return inner()->Remove(key);
  }
  Status Copy(std::string_view src, std::string_view dst,
              const std::optional<Metadata>& md) override {
    std::lock_guard lock(mu_);
    if (crashed_) return Down();
    Status s = inner()->Copy(src, dst, md);
    if (s.ok()) {
      owed_.erase(std::string(dst));
      Written(std::string(dst));
    }
    return s;
  }
  Status Sync() override {
    std::lock_guard lock(mu_);
    if (crashed_) return Down();
    ++syncs_;
    owed_.clear();
    return inner()->Sync();
  }
  std::string Describe() const override { return "crash+" + StoreWrapper::Describe(); }

 private:
  struct Owed {
    std::optional<std::string> old_bytes;  // nullopt: the key was absent
    Metadata old_metadata;
    ObjectInfo claimed;  // what the last deferred put of the key described
  };

  static Status Down() { return Status::Io("the machine crashed (test double)"); }

  Owed Before(const std::string& key) {
    Owed o;
    auto info = inner()->Stat(key);
    auto bytes = GetString(*inner(), key);
    if (info.ok() && bytes.ok()) {
      o.old_bytes = *bytes;
      o.old_metadata = info->metadata;
    }
    return o;
  }

  void Written(const std::string& key) {
    written_.insert(key);
    lies_.erase(key);
  }

  // What survives of `o` after the crash.
  std::optional<std::string> Survivor(const Owed& o, const std::string& now) const {
    switch (damage) {
      case CrashDamage::kLost:
        return o.old_bytes;
      case CrashDamage::kEmpty:
        return std::string();
      case CrashDamage::kTruncated:
        return now.substr(0, now.size() / 2);
      case CrashDamage::kZeroed:
        return std::string(now.size(), '\0');
    }
    return std::nullopt;
  }

  void CrashLocked() {
    damaged_.clear();
    for (auto& [key, o] : owed_) {
      auto now = GetString(*inner(), key);
      auto left = Survivor(o, now.ok() ? *now : std::string());
      if (!left) {
        (void)inner()->Remove(key);
      } else {
        PutOptions po;
        po.metadata = damage == CrashDamage::kLost ? o.old_metadata : o.claimed.metadata;
        (void)PutString(*inner(), key, *left, po);
      }
      damaged_.insert(key);
      if (listing_lies) lies_[key] = o.claimed;
    }
    owed_.clear();
    crashed_ = true;
  }

  mutable std::mutex mu_;
  bool crashed_ = false;
  uint64_t deferred_puts_ = 0;
  uint64_t crash_at_ = 0;
  uint64_t syncs_ = 0;
  std::map<std::string, Owed> owed_;
  std::map<std::string, ObjectInfo> lies_;
  std::set<std::string> damaged_;
  std::set<std::string> written_;
};

}  // namespace dredge::testing
