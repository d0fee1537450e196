#include "store/wrap/limit_store.h"

#include <map>
#include <mutex>

namespace dredge {
namespace {

// Charges each byte of the underlying source once, when it is first read.
class ThrottledSource final : public ByteSource {
 public:
  ThrottledSource(const ByteSource& base, Limiter& limiter) : base_(base), limiter_(limiter) {}
  uint64_t size() const override { return base_.size(); }
  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    DREDGE_ASSIGN_OR_RETURN(size_t n, base_.ReadAt(offset, out));
    uint64_t fresh = MarkRead(offset, offset + n);
    if (fresh) limiter_.TakeBytes(fresh);
    return n;
  }

 private:
  // Records [begin, end) as charged; returns how many of its bytes were not charged before.
  uint64_t MarkRead(uint64_t begin, uint64_t end) const {
    if (begin >= end) return 0;
    std::lock_guard lock(mu_);
    uint64_t covered = 0;
    uint64_t new_begin = begin, new_end = end;
    auto it = charged_.upper_bound(begin);
    if (it != charged_.begin()) --it;
    while (it != charged_.end() && it->first <= end) {
      uint64_t b = it->first, e = it->second;
      if (e < begin) {
        ++it;
        continue;
      }
      covered += std::min(e, end) - std::max(b, begin);
      new_begin = std::min(new_begin, b);
      new_end = std::max(new_end, e);
      it = charged_.erase(it);
    }
    charged_[new_begin] = new_end;
    return (end - begin) - covered;
  }

  const ByteSource& base_;
  Limiter& limiter_;
  mutable std::mutex mu_;
  mutable std::map<uint64_t, uint64_t> charged_;  // begin → end, disjoint and non-adjacent
};

class ThrottledSink final : public ByteSink {
 public:
  ThrottledSink(ByteSink& base, Limiter& limiter) : base_(base), limiter_(limiter) {}
  Status Write(std::string_view data) override {
    limiter_.TakeBytes(data.size());
    return base_.Write(data);
  }

 private:
  ByteSink& base_;
  Limiter& limiter_;
};

constexpr uint64_t kObjectsPerListPage = 1000;

}  // namespace

Result<PutResult> LimitStore::Put(std::string_view key, const ByteSource& src,
                                  const PutOptions& opts) {
  limiter_->TakeRequest();
  if (limiter_->bytes_unlimited()) return inner()->Put(key, src, opts);
  PutOptions o = opts;
  if (o.content_md5_hex.empty()) {
    DREDGE_ASSIGN_OR_RETURN(o.content_md5_hex, Md5HexOfSource(src));
  }
  ThrottledSource throttled(src, *limiter_);
  return inner()->Put(key, throttled, o);
}

Status LimitStore::Get(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) {
  limiter_->TakeRequest();
  if (limiter_->bytes_unlimited()) return inner()->Get(key, sink, range);
  ThrottledSink throttled(sink, *limiter_);
  return inner()->Get(key, throttled, range);
}

Result<ObjectInfo> LimitStore::Stat(std::string_view key) {
  limiter_->TakeRequest();
  return inner()->Stat(key);
}

Status LimitStore::List(std::string_view prefix, const ListFn& fn) {
  limiter_->TakeRequest();
  uint64_t seen = 0;
  return inner()->List(prefix, [&](const ObjectInfo& info) {
    if (++seen % kObjectsPerListPage == 0) limiter_->TakeRequest();
    return fn(info);
  });
}

Status LimitStore::Remove(std::string_view key) {
  limiter_->TakeRequest();
  return inner()->Remove(key);
}

Status LimitStore::Copy(std::string_view src_key, std::string_view dst_key,
                        const std::optional<Metadata>& metadata) {
  limiter_->TakeRequest();
  return inner()->Copy(src_key, dst_key, metadata);
}

Status LimitStore::ListIncompleteUploads(std::string_view prefix, const IncompleteUploadFn& fn) {
  limiter_->TakeRequest();
  return dredge::ListIncompleteUploads(*inner(), prefix, fn);
}

Status LimitStore::AbortIncompleteUpload(const IncompleteUpload& upload) {
  limiter_->TakeRequest();
  return dredge::AbortIncompleteUpload(*inner(), upload);
}

std::shared_ptr<ObjectStore> WrapWithLimits(std::shared_ptr<ObjectStore> store,
                                            std::shared_ptr<Limiter> limiter) {
  if (!limiter || limiter->unlimited()) return store;
  return std::make_shared<LimitStore>(std::move(store), std::move(limiter));
}

}  // namespace dredge
