#include "store/memory/memory_store.h"

#include <algorithm>
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

Status MemoryStore::Read(std::string_view key, const std::string& d, std::optional<ByteRange> range,
                         std::string& out) {
  if (!range) {
    out = d;
    return Status::Ok();
  }
  if (range->first >= d.size() && !d.empty())
    return Status::InvalidArgument("range starts beyond the end of '" + std::string(key) + "'");
  uint64_t last = std::min<uint64_t>(range->last, d.empty() ? 0 : d.size() - 1);
  out = d.empty() ? std::string() : d.substr(range->first, last - range->first + 1);
  return Status::Ok();
}

ObjectInfo MemoryStore::InfoOf(std::string_view key, const Version& v) {
  ObjectInfo info{std::string(key), v.data.size(), v.etag, v.mtime_ns, v.metadata, v.id};
  if (v.retention) {
    info.lock_mode = v.retention->mode;
    info.lock_retain_until = v.retention->retain_until;
  }
  return info;
}

const MemoryStore::Version* MemoryStore::Current(std::string_view key) const {
  auto it = objects_.find(key);
  if (it == objects_.end() || it->second.empty() || it->second.back().delete_marker) return nullptr;
  return &it->second.back();
}

const MemoryStore::Version* MemoryStore::Find(std::string_view key,
                                              std::string_view version_id) const {
  auto it = objects_.find(key);
  if (it == objects_.end()) return nullptr;
  for (const auto& v : it->second)
    if (v.id == version_id) return &v;
  return nullptr;
}

void MemoryStore::AddVersion(std::string_view key, Version v) {
  auto& versions = objects_[std::string(key)];
  if (!options_.versioned) {
    versions.clear();
  } else if (suspended_) {
    std::erase_if(versions, [](const Version& old) { return old.id == "null"; });
    v.id = "null";
  } else {
    v.id = "v" + std::to_string(next_version_++);
  }
  versions.push_back(std::move(v));
}

Result<PutResult> MemoryStore::Put(std::string_view key, const ByteSource& src,
                                   const PutOptions& opts) {
  if (key.empty()) return Status::InvalidArgument("object key is empty");
  if (!options_.object_lock) DREDGE_RETURN_IF_ERROR(RefuseRetention(opts, key));
  Version obj;
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
  obj.retention = opts.retention;
  std::lock_guard lock(mu_);
  if (opts.if_absent && Current(key))
    return Status::PreconditionFailed("object '" + std::string(key) + "' already exists");
  PutResult result{obj.etag, "", obj.etag};
  AddVersion(key, std::move(obj));
  result.version_id = objects_.find(key)->second.back().id;
  return result;
}

Status MemoryStore::Get(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) {
  std::string copy;
  {
    std::lock_guard lock(mu_);
    const Version* v = Current(key);
    if (!v) return Status::NotFound("no object '" + std::string(key) + "'");
    DREDGE_RETURN_IF_ERROR(Read(key, v->data, range, copy));
  }
  if (copy.empty()) return Status::Ok();
  return sink.Write(copy);
}

Result<ObjectInfo> MemoryStore::Stat(std::string_view key) {
  std::lock_guard lock(mu_);
  const Version* v = Current(key);
  if (!v) return Status::NotFound("no object '" + std::string(key) + "'");
  return InfoOf(key, *v);
}

Status MemoryStore::List(std::string_view prefix, const ListFn& fn) {
  // Copy one page at a time so fn may call back into the store.
  std::string after;
  bool first = true;
  for (;;) {
    std::vector<ObjectInfo> page;
    bool done = true;
    {
      std::lock_guard lock(mu_);
      auto it = first ? objects_.lower_bound(prefix) : objects_.upper_bound(after);
      for (; it != objects_.end() && it->first.starts_with(prefix); ++it) {
        if (page.size() == 1000) {
          done = false;
          break;
        }
        after = it->first;
        const Version* v = Current(it->first);
        if (!v) continue;
        page.push_back({it->first, v->data.size(), v->etag, v->mtime_ns, {}, v->id});
      }
    }
    first = false;
    for (const auto& info : page) DREDGE_RETURN_IF_ERROR(fn(info));
    if (done) return Status::Ok();
  }
}

Status MemoryStore::Remove(std::string_view key) {
  std::lock_guard lock(mu_);
  if (!Current(key)) return Status::Ok();
  if (!options_.versioned) {
    objects_.erase(objects_.find(key));
    return Status::Ok();
  }
  Version marker;
  marker.delete_marker = true;
  marker.mtime_ns = NowNs();
  AddVersion(key, std::move(marker));
  return Status::Ok();
}

Status MemoryStore::Copy(std::string_view src_key, std::string_view dst_key,
                         const std::optional<Metadata>& metadata) {
  std::lock_guard lock(mu_);
  const Version* src = Current(src_key);
  if (!src) return Status::NotFound("no object '" + std::string(src_key) + "'");
  Version obj = *src;
  if (metadata) obj.metadata = *metadata;
  obj.mtime_ns = NowNs();
  obj.retention.reset();
  AddVersion(dst_key, std::move(obj));
  return Status::Ok();
}

Result<Versioning> MemoryStore::VersioningState() {
  std::lock_guard lock(mu_);
  if (!options_.versioned) return Versioning::kNone;
  return suspended_ ? Versioning::kSuspended : Versioning::kEnabled;
}

Status MemoryStore::GetVersion(std::string_view key, std::string_view version_id, ByteSink& sink,
                               std::optional<ByteRange> range) {
  std::string copy;
  {
    std::lock_guard lock(mu_);
    const Version* v = Find(key, version_id);
    if (!v || v->delete_marker)
      return Status::NotFound("no version '" + std::string(version_id) + "' of '" +
                              std::string(key) + "'");
    DREDGE_RETURN_IF_ERROR(Read(key, v->data, range, copy));
  }
  if (copy.empty()) return Status::Ok();
  return sink.Write(copy);
}

Result<ObjectInfo> MemoryStore::StatVersion(std::string_view key, std::string_view version_id) {
  std::lock_guard lock(mu_);
  const Version* v = Find(key, version_id);
  if (!v || v->delete_marker)
    return Status::NotFound("no version '" + std::string(version_id) + "' of '" + std::string(key) +
                            "'");
  return InfoOf(key, *v);
}

Status MemoryStore::ListVersions(std::string_view prefix, const VersionListFn& fn) {
  std::vector<VersionInfo> all;  // a test store: one copy, so fn may call back into it
  {
    std::lock_guard lock(mu_);
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      const Versions& vs = it->second;
      for (size_t i = vs.size(); i-- > 0;) {
        const Version& v = vs[i];
        all.push_back(VersionInfo{it->first, v.id, i + 1 == vs.size(), v.delete_marker,
                                  v.data.size(), v.etag, v.mtime_ns});
      }
    }
  }
  for (const auto& v : all) DREDGE_RETURN_IF_ERROR(fn(v));
  return Status::Ok();
}

Status MemoryStore::RemoveVersion(std::string_view key, std::string_view version_id) {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return Status::Ok();
  auto& vs = it->second;
  auto v = std::find_if(vs.begin(), vs.end(), [&](const Version& x) { return x.id == version_id; });
  if (v == vs.end()) return Status::Ok();
  if (v->retention && v->retention->retain_until * 1'000'000'000 > NowNs())
    return Status::Permanent("version '" + std::string(version_id) + "' of '" + std::string(key) +
                             "' is locked (" + v->retention->mode + ") until Unix time " +
                             std::to_string(v->retention->retain_until));
  vs.erase(v);
  if (vs.empty()) objects_.erase(it);
  return Status::Ok();
}

Status MemoryStore::ExtendRetention(std::string_view key, std::string_view version_id,
                                    const Retention& retention) {
  std::lock_guard lock(mu_);
  if (!options_.object_lock)
    return Status::Unsupported(Describe() + " has no Object Lock: cannot set the retention of '" +
                               std::string(key) + "'");
  auto it = objects_.find(key);
  Version* v = nullptr;
  if (it != objects_.end())
    for (auto& x : it->second)
      if (x.id == version_id && !x.delete_marker) v = &x;
  if (!v)
    return Status::NotFound("no version '" + std::string(version_id) + "' of '" + std::string(key) +
                            "'");
  if (v->retention &&
      (retention.retain_until < v->retention->retain_until || retention.mode != v->retention->mode))
    return Status::Permanent("the retention of '" + std::string(key) +
                             "' can only be extended in its own mode");
  v->retention = retention;
  return Status::Ok();
}

size_t MemoryStore::VersionCount() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [key, vs] : objects_) n += vs.size();
  return n;
}

void MemoryStore::SuspendVersioningForTest() {
  std::lock_guard lock(mu_);
  suspended_ = true;
}

size_t MemoryStore::ObjectCount() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [key, vs] : objects_) n += Current(key) ? 1 : 0;
  return n;
}

bool MemoryStore::CorruptForTest(std::string_view key, size_t offset) {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end() || it->second.empty()) return false;
  Version& v = it->second.back();
  if (v.delete_marker || offset >= v.data.size()) return false;
  v.data[offset] ^= 0x01;
  return true;
}

}  // namespace dredge
