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

EntryResult RestoreOne(ObjectStore& store, const RestoreOptions& o, const std::string& root_real,
                       mode_t mode, const SnapshotEntry& e) {
  auto rel = file_keys::SafeRelativePath(e.path);
  if (!rel.ok()) return {Outcome::kFailed, rel.status().message()};
  fs::path dest = fs::path(o.target) / *rel;
  const std::string dest_s = dest.string();

  struct stat st {};
  if (::lstat(dest_s.c_str(), &st) == 0) {
    if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) == e.size) {
      auto md5 = Md5HexOfFile(dest_s);
      if (md5.ok() && *md5 == e.md5) return {Outcome::kSkipped, ""};
    }
    if (S_ISDIR(st.st_mode))
      return {Outcome::kFailed, "cannot restore " + e.path + ": a directory is in the way"};
    if (!o.overwrite)
      return {Outcome::kConflict,
              "left alone: " + e.path + " exists and differs from the snapshot (use --overwrite)"};
  }

  std::error_code ec;
  fs::create_directories(dest.parent_path(), ec);
  if (ec) return {Outcome::kFailed, "cannot create directory for " + e.path + ": " + ec.message()};
  // A symlinked directory inside the target must not lead the write elsewhere.
  auto parent_real = fs::canonical(dest.parent_path(), ec);
  if (ec) return {Outcome::kFailed, "cannot resolve directory of " + e.path + ": " + ec.message()};
  std::string pr = parent_real.string();
  if (pr != root_real && !pr.starts_with(root_real + "/"))
    return {Outcome::kFailed, "refusing " + e.path + ": its directory resolves outside the target"};

  std::string tmpl = pr + "/.dredge-restore-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  int fd = ::mkstemp(buf.data());
  if (fd < 0)
    return {Outcome::kFailed,
            "cannot create a temporary file for " + e.path + ": " + std::strerror(errno)};
  std::string tmp = buf.data();
  auto fail = [&](std::string msg) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return EntryResult{Outcome::kFailed, std::move(msg)};
  };
  auto at_path = FetchInto(store, file_keys::DataKey(e.path), fd, e.md5);
  if (!at_path.ok()) return fail("cannot restore " + e.path + ": " + at_path.status().message());
  if (!*at_path) {
    auto kept = FetchInto(store, file_keys::ContentKey(e.md5), fd, e.md5);
    if (!kept.ok()) return fail("cannot restore " + e.path + ": " + kept.status().message());
    if (!*kept)
      return fail("content of " + e.path + " (md5 " + e.md5 +
                  ") is no longer in the store: neither its key nor .dredge/content/ holds it");
  }
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = e.mtime_ns / 1000000000LL;
  times[0].tv_nsec = times[1].tv_nsec = e.mtime_ns % 1000000000LL;
  if (times[0].tv_nsec < 0) {
    times[0].tv_nsec = times[1].tv_nsec = times[0].tv_nsec + 1000000000LL;
    times[0].tv_sec = times[1].tv_sec = times[0].tv_sec - 1;
  }
  ::fchmod(fd, mode);  // mkstemp makes 0600; restored files get the usual 0666 & ~umask
  if (::futimens(fd, times) != 0) return fail("cannot set mtime of " + e.path);
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return {Outcome::kFailed, "cannot write " + e.path + ": " + std::strerror(errno)};
  }
  if (::rename(tmp.c_str(), dest_s.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return {Outcome::kFailed, "cannot move " + e.path + " into place: " + std::strerror(err)};
  }
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
  fs::create_directories(o.target, ec);
  if (ec) return Status::Io("cannot create target directory " + o.target + ": " + ec.message());
  std::string root_real = fs::canonical(o.target, ec).string();
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
