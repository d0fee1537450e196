#include "engine/files/restore.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "common/hash.h"
#include "common/log.h"
#include "common/thread_pool.h"
#include "engine/files/backup_versions.h"
#include "engine/files/restore_decide.h"
#include "formats/file_keys.h"
#include "formats/snapshot.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;

class FdHashSink final : public ByteSink {
 public:
  explicit FdHashSink(int fd) : fd_(fd), h_(HashAlgo::kMd5) {}
  Status Write(std::string_view d) override {
    h_.Update(d);
    while (!d.empty()) {
      ssize_t n = ::write(fd_, d.data(), d.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::Io(std::string("cannot write: ") + std::strerror(errno));
      }
      d.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }
  std::string Hex() { return h_.FinishHex(); }

 private:
  int fd_;
  Hasher h_;
};

enum class Outcome { kRestored, kSkipped, kConflict, kFailed };

struct EntryResult {
  Outcome outcome = Outcome::kFailed;
  std::string message;
};

// Downloads `key` into fd (truncated first); true when the bytes have the wanted MD5.
Result<bool> FetchInto(ObjectStore& store, const std::string& key, int fd, const std::string& md5) {
  if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0)
    return Status::Io(std::string("cannot reset temporary file: ") + std::strerror(errno));
  FdHashSink sink(fd);
  Status st = store.Get(key, sink);
  if (st.Is(ErrorKind::kNotFound)) return false;
  DREDGE_RETURN_IF_ERROR(st);
  return sink.Hex() == md5;
}

// Creates the destination's directory and returns its real path; a symlinked directory inside
// the target must not lead the write elsewhere.
Result<std::string> SafeParent(const fs::path& dest, const std::string& root_real,
                               const std::string& path) {
  std::error_code ec;
  fs::create_directories(dest.parent_path(), ec);
  if (ec) return Status::Io("cannot create directory for " + path + ": " + ec.message());
  auto parent_real = fs::canonical(dest.parent_path(), ec);
  if (ec) return Status::Io("cannot resolve directory of " + path + ": " + ec.message());
  std::string pr = parent_real.string();
  if (pr != root_real && !pr.starts_with(root_real + "/"))
    return Status::Io("refusing " + path + ": its directory resolves outside the target");
  return pr;
}

// A temporary file beside the destination, removed unless it was moved into place.
class RestoreTemp {
 public:
  ~RestoreTemp() {
    if (fd_ >= 0) ::close(fd_);
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
  }
  Status Create(const std::string& dir, const std::string& path) {
    std::string tmpl = dir + "/.dredge-restore-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    fd_ = ::mkstemp(buf.data());
    if (fd_ < 0)
      return Status::Io("cannot create a temporary file for " + path + ": " + std::strerror(errno));
    tmp_ = buf.data();
    return Status::Ok();
  }
  int fd() const { return fd_; }
  // Sets mode and mtime, closes, and renames over `dest`.
  Status Commit(mode_t mode, int64_t mtime_ns, const std::string& dest, const std::string& path) {
    struct timespec times[2];
    times[0].tv_sec = times[1].tv_sec = mtime_ns / 1000000000LL;
    times[0].tv_nsec = times[1].tv_nsec = mtime_ns % 1000000000LL;
    if (times[0].tv_nsec < 0) {
      times[0].tv_nsec = times[1].tv_nsec = times[0].tv_nsec + 1000000000LL;
      times[0].tv_sec = times[1].tv_sec = times[0].tv_sec - 1;
    }
    ::fchmod(fd_, mode);  // mkstemp makes 0600; restored files get the usual 0666 & ~umask
    if (::futimens(fd_, times) != 0) return Status::Io("cannot set mtime of " + path);
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return Status::Io("cannot write " + path + ": " + std::strerror(errno));
    if (::rename(tmp_.c_str(), dest.c_str()) != 0)
      return Status::Io("cannot move " + path + " into place: " + std::strerror(errno));
    tmp_.clear();
    return Status::Ok();
  }

 private:
  int fd_ = -1;
  std::string tmp_;
};

// The entry's bytes into fd by rules 1-2 of docs/formats/snapshot.md: its own key, else
// preserved content.
Status FetchByContent(ObjectStore& store, const SnapshotEntry& e, int fd) {
  auto at_path = FetchInto(store, file_keys::DataKey(e.path), fd, e.md5);
  if (!at_path.ok()) return at_path.status().WithContext("cannot restore " + e.path);
  if (*at_path) return Status::Ok();
  auto kept = FetchInto(store, file_keys::ContentKey(e.md5), fd, e.md5);
  if (!kept.ok()) return kept.status().WithContext("cannot restore " + e.path);
  if (!*kept)
    return Status::NotFound("content of " + e.path + " (md5 " + e.md5 +
                            ") is no longer in the store: neither its key nor .dredge/content/ "
                            "holds it");
  return Status::Ok();
}

// Rule 0: the version the entry names; when the bucket lost it, rules 1-2 (MD5-checked, so
// never other bytes), and the lost version is named either way.
Status FetchEntry(ObjectStore& store, const SnapshotEntry& e, int fd) {
  if (e.version_id.empty()) return FetchByContent(store, e, fd);
  FdHashSink sink(fd);
  Status st = GetVersion(store, file_keys::DataKey(e.path), e.version_id, sink);
  if (st.ok() && sink.Hex() == e.md5) return Status::Ok();
  if (st.ok())
    return Status::Corrupt("version " + e.version_id + " of " + e.path + " in " + store.Describe() +
                           " has MD5 " + sink.Hex() + ", not the snapshot's " + e.md5 +
                           ": the stored version is damaged");
  Status lost = VersionProblem(store, e, st);
  if (!lost.Is(ErrorKind::kNotFound)) return lost.WithContext("cannot restore " + e.path);
  if (FetchByContent(store, e, fd).ok()) {
    log::Warn(lost.message() + "; restored " + e.path + " from a copy with the same MD5");
    return Status::Ok();
  }
  return lost.WithContext("cannot restore " + e.path);
}

// Decides (restore_decide.h), then, unless it is a dry run, carries the decision out.
EntryResult RestoreOne(ObjectStore& store, const RestoreOptions& o, const std::string& root_real,
                       mode_t mode, const SnapshotEntry& e) {
  auto rel = file_keys::SafeRelativePath(e.path);
  if (!rel.ok()) return {Outcome::kFailed, rel.status().message()};
  fs::path dest = fs::path(o.target) / *rel;
  const RestoreDecision d = DecideRestore(e, ReadTargetState(dest.string(), e), o.overwrite);
  if (o.dry_run && d.action != RestoreAction::kConflict && d.action != RestoreAction::kRefuse)
    log::Debug(std::string(DryRunWords(d.action)) + ": " + e.path);
  switch (d.action) {
    case RestoreAction::kSkip:
      return {Outcome::kSkipped, ""};
    case RestoreAction::kConflict:
      return {Outcome::kConflict, d.message};
    case RestoreAction::kRefuse:
      return {Outcome::kFailed, d.message};
    case RestoreAction::kRestore:
    case RestoreAction::kReplace:
      break;
  }
  if (o.dry_run) return {Outcome::kRestored, ""};
  auto parent = SafeParent(dest, root_real, e.path);
  if (!parent.ok()) return {Outcome::kFailed, parent.status().message()};
  RestoreTemp tmp;
  Status st = tmp.Create(*parent, e.path);
  if (st.ok()) st = FetchEntry(store, e, tmp.fd());
  if (st.ok()) st = tmp.Commit(mode, e.mtime_ns, dest.string(), e.path);
  if (!st.ok()) return {Outcome::kFailed, st.message()};
  return {Outcome::kRestored, ""};
}

// Files and bytes the restore will visit, for the progress totals and ETA. A first pass over
// the snapshot: it costs one more read of the snapshot record (small next to the files), and
// the entries are only counted, never held.
Status SetRestoreTotals(ObjectStore& store, const RestoreOptions& o) {
  uint64_t files = 0, bytes = 0;
  DREDGE_RETURN_IF_ERROR(ReadSnapshot(
      store, o.snapshot_id,
      [&](const SnapshotEntry& e) -> Status {
        if (!o.filter.Selects(e.path) || (o.select && !o.select(e.path))) return Status::Ok();
        ++files;
        bytes += e.size;
        return Status::Ok();
      },
      nullptr));
  o.progress->SetTotals(files, bytes);
  return Status::Ok();
}

}  // namespace

Result<RestoreSummary> RunFilesRestore(ObjectStore& store, const RestoreOptions& o) {
  std::error_code ec;
  if (!o.dry_run) fs::create_directories(o.target, ec);
  if (ec) return Status::Io("cannot create target directory " + o.target + ": " + ec.message());
  // A dry run's target may not exist: then everything in it is absent.
  std::string root_real = o.dry_run ? o.target : fs::canonical(o.target, ec).string();
  if (ec) return Status::Io("cannot resolve target directory " + o.target + ": " + ec.message());

  const mode_t old_mask = ::umask(022);  // read once, before any worker creates files
  ::umask(old_mask);
  const mode_t mode = 0666 & ~old_mask;
  RestoreSummary s;
  std::mutex mu;
  auto record = [&](const SnapshotEntry& e, const EntryResult& r) {
    if (o.progress) {
      o.progress->AddFiles(1);
      o.progress->AddBytes(e.size);
    }
    std::lock_guard lock(mu);
    switch (r.outcome) {
      case Outcome::kRestored:
        ++s.restored;
        s.bytes += e.size;
        return;
      case Outcome::kSkipped:
        ++s.skipped;
        return;
      case Outcome::kConflict:
        ++s.conflicts;
        [[fallthrough]];
      case Outcome::kFailed:
        ++s.failed;
        log::Warn(r.message);
        if (s.problems.size() < 1000) s.problems.push_back(r.message);
        return;
    }
  };
  if (o.progress) {
    DREDGE_RETURN_IF_ERROR(SetRestoreTotals(store, o));
    o.progress->Start();
  }
  Status st;
  {
    int n = o.workers > 0 ? o.workers : 1;
    ThreadPool pool(n, 2 * n);
    st = ReadSnapshot(
        store, o.snapshot_id,
        [&](const SnapshotEntry& e) -> Status {
          if (!o.filter.Selects(e.path)) return Status::Ok();
          if (o.select && !o.select(e.path)) return Status::Ok();
          pool.Submit([&, e] { record(e, RestoreOne(store, o, root_real, mode, e)); });
          return Status::Ok();
        },
        nullptr);
    pool.Wait();
  }
  if (o.progress) o.progress->Stop();
  DREDGE_RETURN_IF_ERROR(st);
  return s;
}

}  // namespace dredge
