#include "engine/files/content_keeper.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "common/hash.h"
#include "common/log.h"
#include "formats/file_keys.h"

namespace dredge {
namespace {

class HashingFileSink final : public ByteSink {
 public:
  explicit HashingFileSink(std::FILE* f) : f_(f), h_(HashAlgo::kMd5) {}
  Status Write(std::string_view d) override {
    h_.Update(d);
    if (std::fwrite(d.data(), 1, d.size(), f_) != d.size())
      return Status::Io("cannot write a temporary file (disk full?)");
    return Status::Ok();
  }
  std::string Hex() { return h_.FinishHex(); }

 private:
  std::FILE* f_;
  Hasher h_;
};

}  // namespace

bool ObjectHasMd5(const ObjectInfo& info, const std::string& md5) {
  if (info.etag == md5) return true;
  auto it = info.metadata.find("md5");
  return it != info.metadata.end() && it->second == md5;
}

Status CopyVerified(ObjectStore& store, const std::string& src, const std::string& dst,
                    const std::string& md5, const std::optional<Metadata>& metadata,
                    std::string* version_id) {
  DREDGE_RETURN_IF_ERROR(store.Copy(src, dst, metadata));
  DREDGE_ASSIGN_OR_RETURN(ObjectInfo info, store.Stat(dst));
  if (!ObjectHasMd5(info, md5))
    return Status::Corrupt("copy of '" + src + "' to '" + dst + "' does not hold content " + md5 +
                           " (the source changed meanwhile)");
  if (version_id) *version_id = info.version_id;
  return Status::Ok();
}

Status ContentKeeper::LoadLocked() {
  if (loaded_) return Status::Ok();
  DREDGE_RETURN_IF_ERROR(
      store_.List(std::string(file_keys::kContentPrefix), [&](const ObjectInfo& o) -> Status {
        known_.insert(o.key.substr(file_keys::kContentPrefix.size()));
        known_sizes_.insert(o.size);
        return Status::Ok();
      }));
  loaded_ = true;
  return Status::Ok();
}

Status ContentKeeper::TransferThroughClient(const std::string& src, const std::string& dst,
                                            const std::string& md5) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::tmpfile(), &std::fclose);
  if (!f) return Status::Io(std::string("cannot create a temporary file: ") + std::strerror(errno));
  HashingFileSink sink(f.get());
  DREDGE_RETURN_IF_ERROR(store_.Get(src, sink));
  std::string got = sink.Hex();
  if (got != md5)
    return Status::Corrupt("object '" + src + "' holds content " + got + ", not " + md5 +
                           " as recorded; not preserving it under that name");
  std::fflush(f.get());
  DREDGE_ASSIGN_OR_RETURN(auto source,
                          FileSource::Open("/proc/self/fd/" + std::to_string(fileno(f.get()))));
  PutOptions opts;
  opts.content_md5_hex = md5;
  return store_.Put(dst, *source, opts).status();
}

Status ContentKeeper::Preserve(const std::string& key, const std::string& md5, uint64_t size) {
  std::string dst = file_keys::ContentKey(md5);
  {
    std::lock_guard lock(mu_);
    DREDGE_RETURN_IF_ERROR(LoadLocked());
    if (known_.count(md5)) return Status::Ok();
  }
  Status st = CopyVerified(store_, key, dst, md5, std::nullopt);
  if (!st.ok()) {
    if (st.Is(ErrorKind::kNotFound)) {
      // Either the object is gone (nothing to keep) or the server could not resolve the key.
      auto info = store_.Stat(key);
      if (!info.ok() && info.status().Is(ErrorKind::kNotFound)) return Status::Ok();
    }
    if (st.Is(ErrorKind::kCorrupt)) (void)store_.Remove(dst);
    log::Debug("server-side copy of '" + key + "' failed (" + st.message() +
               "); copying through this machine");
    st = TransferThroughClient(key, dst, md5);
    if (!st.ok())
      return st.WithContext("cannot preserve the old content of '" + key + "' before replacing it");
  }
  std::lock_guard lock(mu_);
  known_.insert(md5);
  known_sizes_.insert(size);
  ++preserved_;
  return Status::Ok();
}

bool ContentKeeper::MayHoldSize(uint64_t size) {
  {
    std::lock_guard lock(mu_);
    if (!LoadLocked().ok() || known_sizes_.count(size)) return true;
  }
  if (!index_) return false;
  if (size < StateIndex::kSizeIndexMin) return true;
  auto has = index_->HasSize(size);
  return !has.ok() || *has;
}

std::optional<std::string> ContentKeeper::FindCopySource(const std::string& md5,
                                                         const std::string& except) {
  {
    std::lock_guard lock(mu_);
    if (LoadLocked().ok() && known_.count(md5)) return file_keys::ContentKey(md5);
  }
  if (!index_) return std::nullopt;
  auto p = index_->PathWithMd5(md5);
  if (!p.ok() || !p->has_value() || **p == except) return std::nullopt;
  return **p;
}

}  // namespace dredge
