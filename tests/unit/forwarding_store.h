// A test double for the ops tests: forwards every call to an inner store, and lets a test
// switch off conditional puts (to model stores without them), fail chosen operations with a
// chosen Status, and count calls.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "store/object_store.h"
#include "store/wrap/store_wrapper.h"

namespace dredge::testing {

class ForwardingStore : public StoreWrapper {
 public:
  explicit ForwardingStore(std::shared_ptr<ObjectStore> inner) : StoreWrapper(std::move(inner)) {}

  // op: "put", "get", "stat", "list", "remove", "copy". Fails every later call of that kind.
  void FailOp(const std::string& op, Status st) {
    std::lock_guard lock(mu_);
    failures_[op] = std::move(st);
  }
  bool conditional_put = true;
  std::string description;
  std::atomic<int> calls{0};

  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override {
    ++calls;
    if (auto f = Failure("put"); !f.ok()) return f;
    PutOptions o = opts;
    if (!conditional_put) o.if_absent = false;
    return inner()->Put(key, src, o);
  }
  Status Get(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) override {
    ++calls;
    if (auto f = Failure("get"); !f.ok()) return f;
    return inner()->Get(key, sink, range);
  }
  Result<ObjectInfo> Stat(std::string_view key) override {
    ++calls;
    if (auto f = Failure("stat"); !f.ok()) return f;
    return inner()->Stat(key);
  }
  Status List(std::string_view prefix, const ListFn& fn) override {
    ++calls;
    if (auto f = Failure("list"); !f.ok()) return f;
    return inner()->List(prefix, fn);
  }
  Status Remove(std::string_view key) override {
    ++calls;
    if (auto f = Failure("remove"); !f.ok()) return f;
    return inner()->Remove(key);
  }
  Status Copy(std::string_view src, std::string_view dst,
              const std::optional<Metadata>& md) override {
    ++calls;
    if (auto f = Failure("copy"); !f.ok()) return f;
    return inner()->Copy(src, dst, md);
  }
  StoreCapabilities capabilities() const override {
    auto c = StoreWrapper::capabilities();
    c.conditional_put = c.conditional_put && conditional_put;
    return c;
  }
  std::string Describe() const override {
    return description.empty() ? StoreWrapper::Describe() : description;
  }

 private:
  Status Failure(const std::string& op) {
    std::lock_guard lock(mu_);
    auto it = failures_.find(op);
    return it == failures_.end() ? Status::Ok() : it->second;
  }
  std::mutex mu_;
  std::map<std::string, Status> failures_;
};

}  // namespace dredge::testing
