#include "store/memory/memory_store.h"

#include <chrono>

#include "common/hash.h"

namespace dredge {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<PutResult> MemoryStore::Put(std::string_view key, const ByteSource& src,
                                   const PutOptions& opts) {
  if (key.empty()) return Status::InvalidArgument("object key is empty");
  DREDGE_RETURN_IF_ERROR(RefuseRetention(opts, key));
  Object obj;
  obj.data.resize(src.size());
  uint64_t off = 0;
  while (off < src.size()) {
    DREDGE_ASSIGN_OR_RETURN(
        size_t n, src.ReadAt(off, std::span<char>(obj.data.data() + off, obj.data.size() - off)));
    if (n == 0) return Status::Io("source for '" + std::string(key) + "' ended early");
    off += n;
  }
  obj.etag = Md5Hex(obj.data);
  if (!opts.content_md5_hex.empty() && opts.content_md5_hex != obj.etag)
    return Status::Corrupt("content of '" + std::string(key) + "' does not match its MD5 (given " +
                           opts.content_md5_hex + ", computed " + obj.etag + ")");
  obj.metadata = opts.metadata;
  obj.mtime_ns = NowNs();
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (opts.if_absent && it != objects_.end())
    return Status::PreconditionFailed("object '" + std::string(key) + "' already exists");
  PutResult result{obj.etag, ""};
  if (it != objects_.end()) {
    it->second = std::move(obj);
  } else {
    objects_.emplace(std::string(key), std::move(obj));
  }
  return result;
}

Status MemoryStore::Get(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) {
  std::string copy;
  {
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return Status::NotFound("no object '" + std::string(key) + "'");
    const std::string& d = it->second.data;
    if (range) {
      if (range->first >= d.size() && !d.empty())
        return Status::InvalidArgument("range starts beyond the end of '" + std::string(key) + "'");
      uint64_t last = std::min<uint64_t>(range->last, d.empty() ? 0 : d.size() - 1);
      copy = d.empty() ? std::string() : d.substr(range->first, last - range->first + 1);
    } else {
      copy = d;
    }
  }
  if (copy.empty()) return Status::Ok();
  return sink.Write(copy);
}

Result<ObjectInfo> MemoryStore::Stat(std::string_view key) {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return Status::NotFound("no object '" + std::string(key) + "'");
  return ObjectInfo{it->first,           it->second.data.size(), it->second.etag,
                    it->second.mtime_ns, it->second.metadata,    ""};
}

Status MemoryStore::List(std::string_view prefix, const ListFn& fn) {
  // Copy one page at a time so fn may call back into the store.
  std::string after;
  bool first = true;
  for (;;) {
    std::vector<ObjectInfo> page;
    {
      std::lock_guard lock(mu_);
      auto it = first ? objects_.lower_bound(prefix) : objects_.upper_bound(after);
      for (; it != objects_.end() && page.size() < 1000; ++it) {
        if (it->first.compare(0, prefix.size(), prefix) != 0) break;
        page.push_back(
            {it->first, it->second.data.size(), it->second.etag, it->second.mtime_ns, {}, ""});
      }
    }
    first = false;
    if (page.empty()) return Status::Ok();
    for (const auto& info : page) DREDGE_RETURN_IF_ERROR(fn(info));
    after = page.back().key;
  }
}

Status MemoryStore::Remove(std::string_view key) {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it != objects_.end()) objects_.erase(it);
  return Status::Ok();
}

Status MemoryStore::Copy(std::string_view src_key, std::string_view dst_key,
                         const std::optional<Metadata>& metadata) {
  std::lock_guard lock(mu_);
  auto it = objects_.find(src_key);
  if (it == objects_.end()) return Status::NotFound("no object '" + std::string(src_key) + "'");
  Object obj = it->second;
  if (metadata) obj.metadata = *metadata;
  obj.mtime_ns = NowNs();
  objects_[std::string(dst_key)] = std::move(obj);
  return Status::Ok();
}

size_t MemoryStore::ObjectCount() const {
  std::lock_guard lock(mu_);
  return objects_.size();
}

bool MemoryStore::CorruptForTest(std::string_view key, size_t offset) {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end() || offset >= it->second.data.size()) return false;
  it->second.data[offset] ^= 0x01;
  return true;
}

}  // namespace dredge
