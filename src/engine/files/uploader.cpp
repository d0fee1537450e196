#include "engine/files/uploader.h"

#include <sys/stat.h>

#include <cstdio>
#include <memory>

#include "common/hash.h"
#include "common/log.h"
#include "common/time_util.h"
#include "formats/file_keys.h"

namespace dredge {

std::string MtimeMetadataValue(int64_t mtime_ns) {
  int64_t secs = mtime_ns / 1000000000LL;
  int64_t frac = mtime_ns % 1000000000LL;
  if (frac < 0) {
    frac += 1000000000LL;
    secs -= 1;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(secs),
                static_cast<long long>(frac));
  return buf;
}

std::optional<int64_t> ParseMtimeMetadata(const std::string& v) {
  if (v.empty()) return std::nullopt;
  size_t dot = v.find('.');
  std::string whole = v.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : v.substr(dot + 1);
  if (whole.empty() || frac.size() > 9) return std::nullopt;
  for (size_t i = 0; i < whole.size(); ++i)
    if (!(std::isdigit(static_cast<unsigned char>(whole[i])) || (i == 0 && whole[i] == '-')))
      return std::nullopt;
  for (char c : frac)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  frac.resize(9, '0');
  int64_t s = std::stoll(whole);
  return s * 1000000000LL + std::stoll(frac);
}

namespace {

struct Snap {
  uint64_t size;
  int64_t mtime_ns;
};

Result<Snap> FdStat(const FileSource& f, const std::string& path) {
  struct stat st {};
  if (::fstat(f.fd(), &st) != 0) return Status::Io("cannot stat " + path);
  return Snap{static_cast<uint64_t>(st.st_size),
              static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

bool SameSnap(const Snap& a, const Snap& b) {
  return a.size == b.size && a.mtime_ns == b.mtime_ns;
}

// Hashes and counts what a Get delivers.
class HashingSink final : public ByteSink {
 public:
  Status Write(std::string_view d) override {
    md5_.Update(d);
    bytes_ += d.size();
    return Status::Ok();
  }
  std::string Hex() { return md5_.FinishHex(); }
  uint64_t bytes() const { return bytes_; }

 private:
  Hasher md5_{HashAlgo::kMd5};
  uint64_t bytes_ = 0;
};

// What the store holds at a file's key, as far as it can be trusted.
struct Stored {
  bool known = false;
  std::string md5;
  uint64_t size = 0;
};

Result<Stored> WhatIsStored(UploadContext& ctx, const WorkItem& item, const std::string& key) {
  Stored p{item.has_prev, item.prev_md5, item.prev_size};
  if (!p.known) return p;
  if (!IsPlainMd5(p.md5)) {
    auto info = ctx.store->Stat(key);  // multipart ETag: its MD5 is in the metadata
    if (info.ok()) {
      auto it = info->metadata.find("md5");
      p.md5 = it != info->metadata.end() ? it->second : "";
    }
  }
  if (!ctx.verify_listed_prev || !item.prev_from_listing || p.md5.empty()) return p;
  HashingSink got;
  Status st = ctx.store->Get(key, got);
  if (st.Is(ErrorKind::kNotFound)) return Stored{};
  if (!st.ok()) return st.WithContext("cannot read back the stored copy to check it");
  if (got.bytes() != p.size || got.Hex() != p.md5) {
    log::Warn("the stored copy of " + item.path + " does not hold what the store's listing says (" +
              std::to_string(p.size) + " bytes, MD5 " + p.md5 +
              "): damaged when the previous run stopped; storing it again");
    return Stored{};
  }
  return p;
}

Status Record(UploadContext& ctx, IndexRow row) {
  if (ctx.recorder) return ctx.recorder->Add(std::move(row));
  return ctx.index ? ctx.index->Put(row) : Status::Ok();
}

// Hashes the open file; nullopt when it changed (size or mtime) since `before`.
Result<std::optional<std::string>> HashUnchanged(const FileSource& file, const Snap& before,
                                                 const std::string& full) {
  DREDGE_ASSIGN_OR_RETURN(std::string md5, Md5HexOfSource(file));
  DREDGE_ASSIGN_OR_RETURN(Snap after, FdStat(file, full));
  if (!SameSnap(before, after) || file.size() != after.size) return std::optional<std::string>();
  return std::optional<std::string>(std::move(md5));
}

// Whether a decision before the put depends on the file's MD5: is the previous version of the
// key (same size) already this content; may a dedup source exist (a known content of exactly
// this size); does the object keep its MD5 in metadata. Otherwise the put's own hash (O11)
// is the one recorded, and the file is read once.
bool NeedMd5BeforePut(UploadContext& ctx, const WorkItem& item, uint64_t size) {
  if (item.has_prev && item.prev_size == size) return true;
  if (size >= ctx.md5_metadata_min_size) return true;
  return size >= ctx.dedup_min_size && size > 0 && ctx.keeper->MayHoldSize(size);
}

// The file's MD5 before the put: from the damage guard when it hashed the file under the same
// stat, else read now when a decision needs it, else "" (taken from the put). nullopt when the
// file changed while being read.
Result<std::optional<std::string>> Md5BeforePut(UploadContext& ctx, const WorkItem& item,
                                                const FileSource& file, const Snap& before,
                                                const std::string& full) {
  if (!item.md5.empty() && before.size == item.size && before.mtime_ns == item.mtime_ns)
    return std::optional<std::string>(item.md5);
  if (!NeedMd5BeforePut(ctx, item, before.size)) return std::optional<std::string>("");
  return HashUnchanged(file, before, full);
}

enum class Attempt { kDone, kChanged };

// What one attempt knows about the file it stores.
struct Attempting {
  const std::string full;  // path of the source file
  const std::string key;
  const FileSource& file;
  const Snap before;
  IndexRow row;  // row.md5 empty until known
  int64_t locked_until = 0;
};

// A server-side copy from a key that holds the same content; false when none is known or the
// copy failed (the caller uploads instead).
Result<bool> TryDedupCopy(UploadContext& ctx, Attempting& a, const Metadata& meta,
                          ItemOutcome* out) {
  if (a.row.md5.empty() || a.before.size < ctx.dedup_min_size || a.before.size == 0) return false;
  auto src = ctx.keeper->FindCopySource(a.row.md5, a.key);
  if (!src) return false;
  Status st = CopyVerified(*ctx.store, *src, a.key, a.row.md5, meta,
                           ctx.versioned ? &a.row.version_id : nullptr);
  if (!st.ok()) {
    log::Debug("dedup copy of '" + *src + "' to '" + a.key + "' failed (" + st.message() +
               "); uploading instead");
    return false;
  }
  a.row.retain_until = a.locked_until;
  out->kind = ItemOutcome::Kind::kCopied;
  DREDGE_RETURN_IF_ERROR(Record(ctx, std::move(a.row)));
  return true;
}

// Uploads the file. Without a known MD5 it records the one the driver computed from the bytes
// it stored (O11), or hashes the file after the put when the driver computed none; the stat
// taken before the put brackets both, so a file that changed meanwhile is kChanged.
Result<Attempt> Upload(UploadContext& ctx, Attempting& a, Metadata meta, ItemOutcome* out) {
  PutOptions opts;
  opts.metadata = std::move(meta);
  opts.content_md5_hex = a.row.md5;
  opts.defer_durability = true;  // made durable by the recorder's Sync before the row is kept
  auto put = ctx.store->Put(a.key, a.file, opts);
  DREDGE_ASSIGN_OR_RETURN(Snap after, FdStat(a.file, a.full));
  if (!SameSnap(a.before, after)) return Attempt::kChanged;
  if (!put.ok()) return put.status();
  if (a.row.md5.empty() && !put->content_md5.empty()) a.row.md5 = put->content_md5;
  if (a.row.md5.empty()) {
    DREDGE_ASSIGN_OR_RETURN(std::optional<std::string> md5,
                            HashUnchanged(a.file, a.before, a.full));
    if (!md5) return Attempt::kChanged;
    a.row.md5 = std::move(*md5);
  }
  out->md5 = a.row.md5;
  if (ctx.versioned) a.row.version_id = put->version_id;
  a.row.retain_until = a.locked_until;
  out->kind = ItemOutcome::Kind::kUploaded;
  DREDGE_RETURN_IF_ERROR(Record(ctx, std::move(a.row)));
  return Attempt::kDone;
}

// One attempt at storing the file; kChanged when it changed while being read.
Result<Attempt> TryStore(UploadContext& ctx, const WorkItem& item, ItemOutcome* out) {
  const std::string full = ctx.source + "/" + item.path;
  DREDGE_ASSIGN_OR_RETURN(auto file, FileSource::Open(full));
  const Snap before{file->size(), file->mtime_ns()};  // as opened
  DREDGE_ASSIGN_OR_RETURN(std::optional<std::string> md5,
                          Md5BeforePut(ctx, item, *file, before, full));
  if (!md5) return Attempt::kChanged;
  out->md5 = *md5;
  // Written now or later, so locked at least until now + retain (kAlreadyStored: no write; the
  // extension looks its date up).
  Attempting a{full,
               file_keys::DataKey(item.path),
               *file,
               before,
               {item.path, before.size, before.mtime_ns, item.inode, *md5, false},
               ctx.retain_seconds > 0 ? NowUnixNanos() / 1000000000LL + ctx.retain_seconds : 0};

  DREDGE_ASSIGN_OR_RETURN(Stored prev, WhatIsStored(ctx, item, a.key));
  if (prev.known && !md5->empty() && prev.md5 == *md5 && prev.size == before.size) {
    out->kind = ItemOutcome::Kind::kAlreadyStored;
    DREDGE_RETURN_IF_ERROR(Record(ctx, std::move(a.row)));
    return Attempt::kDone;
  }
  if (prev.known && IsPlainMd5(prev.md5) && !ctx.versioned)
    DREDGE_RETURN_IF_ERROR(ctx.keeper->Preserve(a.key, prev.md5, prev.size));

  Metadata meta{{"mtime", MtimeMetadataValue(before.mtime_ns)}};
  // NeedMd5BeforePut made sure the MD5 is known at this size.
  if (before.size >= ctx.md5_metadata_min_size) meta["md5"] = *md5;
  DREDGE_ASSIGN_OR_RETURN(bool copied, TryDedupCopy(ctx, a, meta, out));
  if (copied) return Attempt::kDone;
  return Upload(ctx, a, std::move(meta), out);
}

}  // namespace

ItemOutcome ClassifyItem(UploadContext& ctx, const WorkItem& item) {
  ItemOutcome out;
  auto fail = [&](const Status& st) {
    out.kind = ItemOutcome::Kind::kFailed;
    out.error = "cannot read " + item.path + ": " + st.message();
    return out;
  };
  std::string md5 = item.md5;
  if (md5.empty()) {
    auto file = FileSource::Open(ctx.source + "/" + item.path);
    if (!file.ok()) return fail(file.status());
    auto hashed = Md5HexOfSource(**file);
    if (!hashed.ok()) return fail(hashed.status());
    md5 = *hashed;
  }
  out.md5 = md5;
  if (item.has_prev && item.prev_md5 == md5 && item.prev_size == item.size)
    out.kind = ItemOutcome::Kind::kAlreadyStored;
  else if (item.size >= ctx.dedup_min_size && item.size > 0 &&
           ctx.keeper->FindCopySource(md5, file_keys::DataKey(item.path)))
    out.kind = ItemOutcome::Kind::kCopied;
  else
    out.kind = ItemOutcome::Kind::kUploaded;
  return out;
}

SyncedRecorder::SyncedRecorder(ObjectStore& store, StateIndex& index, size_t batch_files,
                               int64_t batch_ns)
    : store_(store),
      index_(index),
      batch_files_(batch_files > 0 ? batch_files : 1),
      batch_ns_(batch_ns) {}

Status SyncedRecorder::Add(IndexRow row) {
  std::vector<IndexRow> full;
  {
    std::lock_guard lock(mu_);
    if (!failed_.ok()) return failed_;
    if (pending_.empty()) started_ns_ = NowUnixNanos();
    pending_.push_back(std::move(row));
    if (pending_.size() < batch_files_ && NowUnixNanos() - started_ns_ < batch_ns_)
      return Status::Ok();
    full.swap(pending_);
  }
  return Record(std::move(full));
}

Status SyncedRecorder::Finish() {
  std::vector<IndexRow> rest;
  {
    std::lock_guard lock(mu_);
    if (!failed_.ok()) return failed_;
    rest.swap(pending_);
  }
  return Record(std::move(rest));
}

// Every row in `rows` was added after its put returned, so the Sync below covers its object.
Status SyncedRecorder::Record(std::vector<IndexRow> rows) {
  Status st;
  {
    std::lock_guard lock(record_mu_);
    st = store_.Sync();
    ++syncs_;
    if (!st.ok()) st = st.WithContext("cannot make the stored files durable");
    for (size_t i = 0; st.ok() && i < rows.size(); ++i) st = index_.Put(rows[i]);
    if (st.ok()) st = index_.Flush();
  }
  if (!st.ok()) {
    std::lock_guard lock(mu_);
    if (failed_.ok()) failed_ = st;
  }
  return st;
}

ItemOutcome ProcessItem(UploadContext& ctx, const WorkItem& item) {
  ItemOutcome out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto r = TryStore(ctx, item, &out);
    if (!r.ok()) {
      out.kind = ItemOutcome::Kind::kFailed;
      out.error = "cannot back up " + item.path + ": " + r.status().message();
      return out;
    }
    if (*r == Attempt::kDone) return out;
  }
  out.kind = ItemOutcome::Kind::kFailed;
  out.error = "cannot back up " + item.path +
              ": it changed while being read, twice; it will be tried again next run";
  return out;
}

}  // namespace dredge
