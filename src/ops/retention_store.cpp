#include "ops/retention_store.h"

#include <unistd.h>

#include <cstdlib>

#include "common/temp_file.h"
#include "common/time_util.h"
#include "formats/retention_keys.h"
#include "store/stdio_sink.h"

namespace dredge {
namespace {

std::string TempDir() {
  const char* t = std::getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

}  // namespace

RetentionStore::RetentionStore(std::shared_ptr<ObjectStore> inner, ObjectLockPolicy policy,
                               std::function<int64_t()> now_ns)
    : StoreWrapper(std::move(inner)), policy_(std::move(policy)), now_ns_(std::move(now_ns)) {
  if (!now_ns_) now_ns_ = NowUnixNanos;
}

Retention RetentionStore::RetentionNow() const {
  constexpr int64_t kSecond = 1000000000LL;
  const int64_t ns = now_ns_();
  return policy_.At(ns / kSecond + (ns % kSecond != 0 ? 1 : 0));
}

Result<PutResult> RetentionStore::Put(std::string_view key, const ByteSource& src,
                                      const PutOptions& opts) {
  if (opts.retention || !retention_keys::IsRetained(key)) return inner()->Put(key, src, opts);
  PutOptions locked = opts;
  locked.retention = RetentionNow();
  return inner()->Put(key, src, locked);
}

Status RetentionStore::Copy(std::string_view src_key, std::string_view dst_key,
                            const std::optional<Metadata>& metadata) {
  if (!retention_keys::IsRetained(dst_key)) return inner()->Copy(src_key, dst_key, metadata);
  PutOptions opts;
  if (metadata) {
    opts.metadata = *metadata;
  } else {
    DREDGE_ASSIGN_OR_RETURN(ObjectInfo info, inner()->Stat(src_key));
    opts.metadata = std::move(info.metadata);
  }
  DREDGE_ASSIGN_OR_RETURN(TempFile tmp, CreateTempFile(TempDir(), "dredge-copy-", "w+b"));
  ::unlink(tmp.path.c_str());
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(tmp.f, &std::fclose);
  StdioSink sink(f.get());
  DREDGE_RETURN_IF_ERROR(inner()->Get(src_key, sink));
  if (std::fflush(f.get()) != 0) return Status::Io("cannot write a temporary file (disk full?)");
  DREDGE_ASSIGN_OR_RETURN(auto source,
                          FileSource::Open("/proc/self/fd/" + std::to_string(fileno(f.get()))));
  return Put(dst_key, *source, opts).status();
}

std::optional<ObjectLockPolicy> LockPolicyOf(ObjectStore& store) {
  if (auto* r = dynamic_cast<RetentionStore*>(&store)) return r->policy();
  return std::nullopt;
}

}  // namespace dredge
