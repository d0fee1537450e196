#include "store/object_store.h"

namespace dredge {

Result<PutResult> PutString(ObjectStore& store, std::string_view key, std::string_view bytes,
                            const PutOptions& opts) {
  MemorySource src(bytes);
  return store.Put(key, src, opts);
}

Result<std::string> GetString(ObjectStore& store, std::string_view key) {
  StringSink sink;
  DREDGE_RETURN_IF_ERROR(store.Get(key, sink));
  return std::move(sink.out);
}

Status ValidatePathKey(std::string_view key) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("object key '" + std::string(key) + "' " + why);
  };
  if (key.empty()) return bad("is empty");
  if (key.size() > 1024) return bad("is longer than 1024 bytes");
  if (key.front() == '/') return bad("is absolute");
  if (key.find('\0') != std::string_view::npos) return bad("contains a NUL byte");
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (seg.empty()) return bad("has an empty path segment");
    if (seg == "." || seg == "..") return bad("has a '.' or '..' segment");
    start = end + 1;
  }
  return Status::Ok();
}

Status RefuseRetention(const PutOptions& opts, std::string_view key) {
  if (!opts.retention) return Status::Ok();
  return Status::Unsupported("'" + std::string(key) +
                             "' was to be written with Object Lock retention, which this store "
                             "does not have: use an s3:// bucket with Object Lock enabled");
}

}  // namespace dredge
