#include "engine/files/verify.h"

#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <unordered_set>

#include "common/hash.h"
#include "common/log.h"
#include "common/thread_pool.h"
#include "engine/files/backup_versions.h"
#include "engine/files/content_keeper.h"
#include "engine/files/planner.h"
#include "engine/files/walker.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"

namespace dredge {
namespace {

// MD5 of what it is given; counts the bytes on `progress` as they arrive.
class HashSink final : public ByteSink {
 public:
  explicit HashSink(Progress* progress) : h_(HashAlgo::kMd5), progress_(progress) {}
  Status Write(std::string_view d) override {
    h_.Update(d);
    if (progress_) progress_->AddBytes(d.size());
    return Status::Ok();
  }
  std::string Hex() { return h_.FinishHex(); }

 private:
  Hasher h_;
  Progress* progress_;
};

// The temporary listing database; removed with its WAL files on destruction.
struct TempListing {
  std::string path;
  std::unique_ptr<StateIndex> db;
  ~TempListing() {
    db.reset();
    for (const char* sfx : {"", "-wal", "-shm"}) ::unlink((path + sfx).c_str());
  }
};

class Verifier {
 public:
  Verifier(ObjectStore& store, const VerifyOptions& o) : store_(store), o_(o) {}

  Result<VerifySummary> Run() {
    DREDGE_RETURN_IF_ERROR(LoadListing());
    DREDGE_ASSIGN_OR_RETURN(auto cur, listing_.db->OpenCursor(StateIndex::Table::kRemote));
    cursor_ = std::move(cur);
    DREDGE_RETURN_IF_ERROR(Advance());
    if (o_.progress) {  // fast mode: entries checked, out of the objects listed
      o_.progress->SetTotals(listed_, 0);
      o_.progress->Start();
    }
    if (!o_.source.empty()) {
      DREDGE_RETURN_IF_ERROR(WalkTree(
          o_.source, o_.filter, [&](const WalkEntry& e) { return CheckSourceFile(e); },
          [&](const WalkIssue& i) {
            if (i.error) Problem("cannot read source " + i.rel_path + ": " + i.message, nullptr);
          }));
    } else {
      DREDGE_RETURN_IF_ERROR(ReadSnapshot(
          store_, o_.snapshot_id, [&](const SnapshotEntry& e) { return CheckEntry(e); }, nullptr));
    }
    while (has_) {
      Extra(row_);
      DREDGE_RETURN_IF_ERROR(Advance());
    }
    cursor_.reset();
    if (o_.progress) o_.progress->Stop();
    if (o_.deep) DREDGE_RETURN_IF_ERROR(Deep());
    return s_;
  }

 private:
  Status LoadListing() {
    listing_.path = o_.tmp_dir + "/dredge-verify-" + std::to_string(::getpid()) + "-" +
                    std::to_string(reinterpret_cast<uintptr_t>(this)) + ".sqlite";
    DREDGE_ASSIGN_OR_RETURN(listing_.db, StateIndex::Open(listing_.path, "verify"));
    DREDGE_RETURN_IF_ERROR(store_.List("", [&](const ObjectInfo& o) -> Status {
      if (o.key.starts_with(file_keys::kContentPrefix)) {
        content_.insert(o.key.substr(file_keys::kContentPrefix.size()));
        content_bytes_ += o.size;
        return Status::Ok();
      }
      if (file_keys::IsRecordKey(o.key)) return Status::Ok();
      ++listed_;
      return listing_.db->AddRemote({o.key, o.size, -1, 0, o.etag, false});
    }));
    return listing_.db->Flush();
  }

  Status Advance() {
    DREDGE_ASSIGN_OR_RETURN(has_, cursor_->Next(&row_));
    return Status::Ok();
  }

  // Moves the listing forward to `path`; returns the row when it exists.
  Result<std::optional<IndexRow>> Seek(const std::string& path) {
    while (has_ && row_.path < path) {
      Extra(row_);
      DREDGE_RETURN_IF_ERROR(Advance());
    }
    if (has_ && row_.path == path) {
      IndexRow r = row_;
      DREDGE_RETURN_IF_ERROR(Advance());
      return std::optional<IndexRow>(std::move(r));
    }
    return std::optional<IndexRow>();
  }

  void Extra(const IndexRow& r) {
    if (!o_.filter.Selects(r.path)) return;
    ++s_.extra;
    log::Info("extra: " + r.path + " (no such file in the " +
              std::string(o_.source.empty() ? "snapshot" : "source") + ")");
  }

  void Problem(const std::string& msg, uint64_t* counter) {
    std::lock_guard lock(mu_);
    if (counter) ++*counter;
    log::Warn(msg);
    if (s_.problems.size() < 1000) s_.problems.push_back(msg);
  }

  // The MD5 of the object described by a listing row: its ETag, or for multipart objects the
  // metadata "md5" (one HEAD); empty when unknown.
  std::string ObjectMd5(const IndexRow& r) {
    if (IsPlainMd5(r.md5)) return r.md5;
    auto info = store_.Stat(r.path);
    if (!info.ok()) return "";
    auto it = info->metadata.find("md5");
    return it == info->metadata.end() ? "" : it->second;
  }

  void Checked() {
    ++s_.checked;
    if (o_.progress) o_.progress->AddFiles(1);
  }

  Status CheckSourceFile(const WalkEntry& e) {
    Checked();
    DREDGE_ASSIGN_OR_RETURN(auto row, Seek(e.rel_path));
    if (!row) {
      Problem("missing: " + e.rel_path + " has no object in " + store_.Describe(), &s_.missing);
      return Status::Ok();
    }
    if (row->size != e.size) {
      Problem("different: " + e.rel_path + " is " + std::to_string(e.size) + " bytes, its object " +
                  std::to_string(row->size),
              &s_.different);
      return Status::Ok();
    }
    std::string local;
    if (o_.index) {
      auto ir = o_.index->Lookup(e.rel_path);
      if (ir.ok() && ir->has_value() && !(*ir)->removed && (*ir)->size == e.size &&
          (*ir)->mtime_ns == e.mtime_ns && (*ir)->inode == e.inode)
        local = (*ir)->md5;
    }
    if (local.empty()) {
      auto md5 = Md5HexOfFile(o_.source + "/" + e.rel_path);
      if (!md5.ok()) {
        Problem("cannot read source " + e.rel_path + ": " + md5.status().message(), nullptr);
        return Status::Ok();
      }
      local = *md5;
    }
    std::string remote = ObjectMd5(*row);
    if (remote != local)
      Problem("different: " + e.rel_path + " has MD5 " + local + ", its object " +
                  (remote.empty() ? "an unknown MD5" : remote),
              &s_.different);
    return Status::Ok();
  }

  Status CheckEntry(const SnapshotEntry& e) {
    if (!o_.filter.Selects(e.path)) return Status::Ok();
    Checked();
    DREDGE_ASSIGN_OR_RETURN(auto row, Seek(e.path));
    if (!e.version_id.empty() && CheckVersion(e)) return Status::Ok();
    if (row && row->size == e.size && ObjectMd5(*row) == e.md5) return Status::Ok();
    if (content_.count(e.md5)) return Status::Ok();  // restorable from the preserved copy
    if (!e.version_id.empty()) {
      Problem("missing: version " + e.version_id + " of " + e.path + " (md5 " + e.md5 +
                  ") is no longer in " + store_.Describe() +
                  ", and neither its key nor .dredge/content/ holds that content",
              &s_.missing);
    } else if (!row) {
      Problem("missing: " + e.path + " (md5 " + e.md5 + ") is neither at its key nor preserved",
              &s_.missing);
    } else {
      Problem("different: the object of " + e.path + " does not hold the snapshot's content (md5 " +
                  e.md5 + ") and no preserved copy exists",
              &s_.different);
    }
    return Status::Ok();
  }

  // An entry that names its version is checked by that version, as restore reads it. True when
  // it was judged; false when the bucket lost the version (named here), and CheckEntry goes on
  // with rules 1-2, as restore does.
  bool CheckVersion(const SnapshotEntry& e) {
    auto info = StatVersion(store_, file_keys::DataKey(e.path), e.version_id);
    if (!info.ok()) {
      Status why = VersionProblem(store_, e, info.status());
      if (why.Is(ErrorKind::kNotFound)) {
        log::Warn(why.message());
        return false;
      }
      Problem("cannot check: " + why.message(), &s_.missing);
    } else if (info->size != e.size || !ObjectHasMd5(*info, e.md5)) {
      Problem("different: version " + e.version_id + " of " + e.path +
                  " does not hold the snapshot's content (md5 " + e.md5 + ")",
              &s_.different);
    } else if (o_.deep) {
      HashVersion(e);
    }
    return true;
  }
  // --deep: the version's bytes, hashed (a noncurrent version is not among the listed objects
  // that Deep() hashes).
  void HashVersion(const SnapshotEntry& e) {
    HashSink sink(nullptr);
    Status st = GetVersion(store_, file_keys::DataKey(e.path), e.version_id, sink);
    ++s_.objects_hashed;
    if (!st.ok()) {
      Problem("cannot read version " + e.version_id + " of " + e.path + ": " + st.message(),
              nullptr);
      return;
    }
    std::string got = sink.Hex();
    if (got != e.md5)
      Problem("corrupt: version " + e.version_id + " of " + e.path + " hashes to " + got +
                  ", expected " + e.md5,
              &s_.corrupt);
  }
  // Every data object of the listing the filter selects, in key order.
  Status ForEachSelectedObject(const std::function<void(const IndexRow&)>& fn) {
    DREDGE_ASSIGN_OR_RETURN(auto cur, listing_.db->OpenCursor(StateIndex::Table::kRemote));
    IndexRow r;
    for (;;) {
      DREDGE_ASSIGN_OR_RETURN(bool more, cur->Next(&r));
      if (!more) return Status::Ok();
      if (o_.filter.Selects(r.path)) fn(r);
    }
  }

  // The objects deep mode hashes, and their bytes (for the progress totals).
  Result<std::pair<uint64_t, uint64_t>> DeepTotals() {
    uint64_t n = 0, bytes = 0;
    DREDGE_RETURN_IF_ERROR(ForEachSelectedObject([&](const IndexRow& r) {
      ++n;
      bytes += r.size;
    }));
    return std::make_pair(n + content_.size(), bytes + content_bytes_);
  }

  Status Deep() {
    if (o_.progress) {
      DREDGE_ASSIGN_OR_RETURN(auto totals, DeepTotals());
      o_.progress->Stop();
      o_.progress->SetUnit("objects");
      o_.progress->SetTotals(totals.first, totals.second);
      o_.progress->Restart("deep-verify");
    }
    Status st = DeepHash();
    if (o_.progress) o_.progress->Stop();
    return st;
  }

  Status DeepHash() {
    std::atomic<uint64_t> hashed{0};
    int n = o_.workers > 0 ? o_.workers : 1;
    ThreadPool pool(n, 2 * n);
    auto check = [&](std::string key, std::string expected) {
      pool.Submit([this, &hashed, key, expected] {
        HashSink sink(o_.progress);
        Status st = store_.Get(key, sink);
        hashed.fetch_add(1);
        if (o_.progress) o_.progress->AddFiles(1);
        if (!st.ok()) {
          Problem("cannot read " + key + ": " + st.message(), nullptr);
          return;
        }
        std::string got = sink.Hex();
        std::string want = expected;
        if (want.empty()) {
          auto info = store_.Stat(key);
          if (info.ok() && info->metadata.count("md5")) want = info->metadata.at("md5");
        }
        if (!want.empty() && got != want) {
          Problem("corrupt: " + key + " hashes to " + got + ", expected " + want, &s_.corrupt);
        }
      });
    };
    Status listed = ForEachSelectedObject(
        [&](const IndexRow& r) { check(r.path, IsPlainMd5(r.md5) ? r.md5 : ""); });
    if (!listed.ok()) {
      pool.Wait();
      return listed;
    }
    for (const auto& md5 : content_) check(file_keys::ContentKey(md5), md5);
    pool.Wait();
    s_.objects_hashed += hashed.load();
    s_.different += s_.corrupt;
    return Status::Ok();
  }

  ObjectStore& store_;
  const VerifyOptions& o_;
  TempListing listing_;
  std::unordered_set<std::string> content_;
  uint64_t content_bytes_ = 0;
  uint64_t listed_ = 0;  // data objects in the listing
  std::unique_ptr<StateIndex::Cursor> cursor_;
  IndexRow row_;
  bool has_ = false;
  std::mutex mu_;
  VerifySummary s_;
};

}  // namespace

Result<VerifySummary> RunFilesVerify(ObjectStore& store, const VerifyOptions& opts) {
  Verifier v(store, opts);
  return v.Run();
}

}  // namespace dredge
