#include "engine/db/chunk_fetch.h"

#include "common/hash.h"
#include "engine/db/chunk_pipeline.h"

namespace dredge {

Result<std::string> FetchVerifiedChunk(ObjectStore& store, const ChunkEntry& e) {
  auto bytes = GetString(store, e.key);
  if (!bytes.ok()) {
    if (bytes.status().Is(ErrorKind::kNotFound))
      return Status::Corrupt("chunk " + e.key + " is missing from " + store.Describe());
    return bytes.status().WithContext("cannot read chunk " + e.key);
  }
  if (bytes->size() != e.size)
    return Status::Corrupt("chunk " + e.key + " has " + std::to_string(bytes->size()) +
                           " bytes, the manifest says " + std::to_string(e.size));
  std::string sha = Sha256Hex(*bytes);
  if (sha != e.sha256)
    return Status::Corrupt("chunk " + e.key + ": sha256 mismatch (manifest " +
                           e.sha256.substr(0, 12) + "…, stored " + sha.substr(0, 12) + "…)");
  if (e.compression == "zstd") {
    auto plain = ZstdDecompress(*bytes);
    if (!plain.ok()) return plain.status().WithContext("chunk " + e.key);
    return std::move(*plain);
  }
  if (e.compression != "none")
    return Status::Corrupt("chunk " + e.key + " has unknown compression " + e.compression);
  return std::move(*bytes);
}

namespace {

class Sink final : public ChunkRowSink {
 public:
  Sink(const ChunkEntry& e, const std::vector<ColumnSpec>& expected,
       const std::function<Status(std::vector<std::string>&)>& fn)
      : e_(e), expected_(expected), fn_(fn) {}
  Status OnHeader(const ChunkHeader& h) override {
    bool same = h.columns.size() == expected_.size();
    for (size_t i = 0; same && i < h.columns.size(); ++i)
      same = h.columns[i].name == expected_[i].name && h.columns[i].type == expected_[i].type;
    if (!same)
      return Status::Corrupt("chunk " + e_.key + " has other columns than its manifest's schema");
    return Status::Ok();
  }
  Status OnRow(std::vector<std::string>& f) override {
    ++rows;
    return fn_(f);
  }
  uint64_t rows = 0;

 private:
  const ChunkEntry& e_;
  const std::vector<ColumnSpec>& expected_;
  const std::function<Status(std::vector<std::string>&)>& fn_;
};

}  // namespace

Status ReadChunkRows(ObjectStore& store, const ChunkEntry& e,
                     const std::vector<ColumnSpec>& expected,
                     const std::function<Status(std::vector<std::string>&)>& fn) {
  DREDGE_ASSIGN_OR_RETURN(std::string body, FetchVerifiedChunk(store, e));
  Sink sink(e, expected, fn);
  Status st = DecodeChunk(body, sink);
  if (!st.ok()) {
    if (st.Is(ErrorKind::kCorrupt) && st.message().find(e.key) == std::string::npos)
      return st.WithContext("chunk " + e.key);
    return st;
  }
  if (sink.rows != e.rows)
    return Status::Corrupt("chunk " + e.key + " holds " + std::to_string(sink.rows) +
                           " rows, the manifest says " + std::to_string(e.rows));
  return Status::Ok();
}

}  // namespace dredge
