#include "store/file/file_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "common/hash.h"
#include "common/log.h"

namespace dredge {

using filestore::ErrnoStatus;
using filestore::FsyncFd;
using filestore::OpenDirAt;
using filestore::Sidecar;
using filestore::SidecarEntry;
using filestore::UniqueFd;

namespace {

constexpr size_t kBufferSize = 1 << 20;
// Deferred puts of at least this many bytes start their write-back at once (sync_file_range).
constexpr uint64_t kWriteBackHintMin = 64 << 10;
constexpr int64_t kStaleTempNs = 24ll * 3600 * 1000000000;

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

std::string LastSegment(std::string_view key) {
  auto pos = key.rfind('/');
  return std::string(pos == std::string_view::npos ? key : key.substr(pos + 1));
}

std::string ToLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Streams [first, first+count) of fd to `out` through a bounded buffer.
template <typename Out>
Status ReadFdRange(int fd, uint64_t first, uint64_t count, std::string_view what, Out&& out) {
  std::vector<char> buf(std::min<uint64_t>(kBufferSize, std::max<uint64_t>(count, 1)));
  uint64_t off = first, end = first + count;
  while (off < end) {
    size_t want = std::min<uint64_t>(buf.size(), end - off);
    ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(off));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot read", what);
    }
    if (n == 0)
      return Status::Io("'" + std::string(what) + "' shrank while being read (at byte " +
                        std::to_string(off) + ")");
    DREDGE_RETURN_IF_ERROR(out(std::string_view(buf.data(), static_cast<size_t>(n))));
    off += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

// Streams `src` into `fd` and returns the lower-case hex MD5 of the bytes it wrote: one read
// of the source. The buffer is per thread (allocating and zero-filling it per put cost as much
// as a fifth of the MD5 time for files of ~600 KB).
Result<std::string> CopyHashing(const ByteSource& src, int fd, std::string_view key) {
  thread_local std::unique_ptr<char[]> buf(new char[kBufferSize]);
  Hasher md5(HashAlgo::kMd5);
  uint64_t off = 0;
  while (off < src.size()) {
    DREDGE_ASSIGN_OR_RETURN(size_t n, src.ReadAt(off, std::span<char>(buf.get(), kBufferSize)));
    if (n == 0)
      return Status::Io("source for '" + std::string(key) + "' ended at byte " +
                        std::to_string(off) + " of " + std::to_string(src.size()));
    md5.Update(buf.get(), n);
    DREDGE_RETURN_IF_ERROR(filestore::WriteAll(fd, buf.get(), n, key));
    off += n;
  }
  return md5.FinishHex();
}

// A positional source over an open file of known size (Copy reads its source through one, so
// a concurrent replacement of the source key cannot change the bytes mid-copy).
class FdSource final : public ByteSource {
 public:
  FdSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
  uint64_t size() const override { return size_; }
  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    if (offset >= size_) return size_t{0};
    size_t want = std::min<uint64_t>(out.size(), size_ - offset);
    for (;;) {
      ssize_t n = ::pread(fd_, out.data(), want, static_cast<off_t>(offset));
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return ErrnoStatus(errno, "cannot read", "copy source");
    }
  }

 private:
  int fd_;
  uint64_t size_;
};

// Unlinks a temp file unless the put that made it succeeded.
class TempFile {
 public:
  TempFile(int dir, std::string name, int fd) : dir_(dir), name_(std::move(name)), fd_(fd) {}
  ~TempFile() {
    if (!committed_) ::unlinkat(dir_, name_.c_str(), 0);
  }
  void Commit() { committed_ = true; }
  int fd() const { return fd_.get(); }
  const std::string& name() const { return name_; }

 private:
  int dir_;
  std::string name_;
  UniqueFd fd_;
  bool committed_ = false;
};

// Gives the temp file a modification time different from `current_ns`, so the sidecar entries
// of the old and new data file can be told apart (see docs/formats/file-store.md). Filesystems
// with coarse timestamps may need a bigger step.
Status MakeMtimeDistinct(int fd, int64_t current_ns, SidecarEntry* entry, std::string_view key) {
  for (int64_t step : {1ll, 1000ll, 1000000ll, 1000000000ll, 2000000000ll}) {
    int64_t want = current_ns + step;
    struct timespec times[2];
    times[0].tv_sec = 0;
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec = want / 1000000000;
    times[1].tv_nsec = want % 1000000000;
    if (::futimens(fd, times) != 0) return ErrnoStatus(errno, "cannot set mtime of new", key);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "cannot stat new", key);
    if (MtimeNs(st) != current_ns) {
      entry->mtime_ns = MtimeNs(st);
      return Status::Ok();
    }
  }
  return Status::Io("cannot give the new version of '" + std::string(key) +
                    "' a modification time distinct from the old one");
}

// Renames the temp file to `name` in `parent`; with `if_absent`, never over an existing file.
// Returns 0 or the errno.
int MoveIntoPlace(int tmp_dir, const std::string& tmp_name, int parent, const std::string& name,
                  bool if_absent) {
  if (!if_absent)
    return ::renameat(tmp_dir, tmp_name.c_str(), parent, name.c_str()) == 0 ? 0 : errno;
  int rc = ::renameat2(tmp_dir, tmp_name.c_str(), parent, name.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && (errno == EINVAL || errno == ENOSYS)) {
    // Filesystems without RENAME_NOREPLACE: link() also refuses to replace.
    rc = ::linkat(tmp_dir, tmp_name.c_str(), parent, name.c_str(), 0);
    if (rc == 0) ::unlinkat(tmp_dir, tmp_name.c_str(), 0);
  }
  return rc == 0 ? 0 : errno;
}

}  // namespace

FileStore::FileStore(std::string root) : root_(std::move(root)), pid_(std::to_string(::getpid())) {}

Result<std::shared_ptr<ObjectStore>> OpenFile(const std::string& rest, const StoreOptions&) {
  if (rest.empty() || rest.front() != '/')
    return Status::Usage("file:// store root '" + rest + "' is not an absolute path");
  return std::shared_ptr<ObjectStore>(std::make_shared<FileStore>(rest));
}

Result<int> FileStore::RootFd(bool create) {
  std::lock_guard lock(root_mu_);
  if (root_fd_.valid()) return root_fd_.get();
  int fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create) {
    std::error_code ec;
    std::filesystem::create_directories(root_, ec);
    if (ec)
      return Status::Io("cannot create store folder " + root_ + ": " + ec.message() +
                        "; check the path and its permissions");
    fd = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT) return Status::NotFound("store folder " + root_ + " does not exist");
    return Status::Io("cannot open store folder " + root_ + ": " + std::strerror(e));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return Status::Io("cannot stat store folder " + root_ + ": " + std::strerror(e));
  }
  root_dev_ = st.st_dev;
  root_fd_ = UniqueFd(fd);
  return fd;
}

Result<int> FileStore::InternalDir(const char* name) {
  UniqueFd& cached = std::strcmp(name, "tmp") == 0 ? tmp_fd_ : meta_fd_;
  {
    std::lock_guard lock(root_mu_);
    if (cached.valid()) return cached.get();
  }
  DREDGE_ASSIGN_OR_RETURN(int root, RootFd(true));
  const std::string what = root_ + "/.dredge/" + name;
  UniqueFd dirs[2];  // .dredge, then .dredge/<name>
  const char* segs[2] = {".dredge", name};
  for (int i = 0; i < 2; ++i) {
    int parent = i == 0 ? root : dirs[0].get();
    if (::mkdirat(parent, segs[i], 0777) == 0) {
      DREDGE_RETURN_IF_ERROR(FsyncFd(parent, what));  // the new folder's entry
    } else if (errno != EEXIST) {
      return ErrnoStatus(errno, "cannot create folder", what);
    }
    auto fd = OpenDirAt(parent, segs[i], what);
    if (!fd.ok())
      return Status::Io("cannot open " + what +
                        " (is it a symbolic link or a file?): " + fd.status().message());
    dirs[i] = std::move(fd).value();
  }
  UniqueFd& dir = dirs[1];
  std::lock_guard lock(root_mu_);
  if (!cached.valid()) cached = std::move(dir);
  return cached.get();
}

Status FileStore::CheckKey(std::string_view key) const {
  DREDGE_RETURN_IF_ERROR(ValidatePathKey(key));
  for (std::string_view reserved : {".dredge/tmp", ".dredge/meta"}) {
    if (key == reserved ||
        (key.size() > reserved.size() && key.starts_with(reserved) && key[reserved.size()] == '/'))
      return Status::InvalidArgument("object key '" + std::string(key) +
                                     "' is reserved: " + std::string(reserved) +
                                     "/ holds the file:// store's own data");
  }
  if (key == ".dredge")
    return Status::InvalidArgument("object key '.dredge' is reserved: it is the store's folder");
  for (auto seg : filestore::SplitKey(key))
    if (seg.size() > 255)
      return Status::InvalidArgument("object key '" + std::string(key) +
                                     "' has a segment longer than 255 bytes, which a file:// "
                                     "store cannot hold");
  return Status::Ok();
}

Result<FileStore::DataFile> FileStore::OpenData(std::string_view key) {
  DREDGE_RETURN_IF_ERROR(CheckKey(key));
  auto missing = [&] {
    return Status::NotFound("no object '" + std::string(key) + "' in " + Describe());
  };
  auto root = RootFd(false);
  if (!root.ok()) return root.status().Is(ErrorKind::kNotFound) ? missing() : root.status();
  auto parent = filestore::OpenParentDir(*root, key, false);
  if (!parent.ok()) return parent.status().Is(ErrorKind::kNotFound) ? missing() : parent.status();
  DataFile f;
  f.parent = std::move(parent).value();
  f.name = LastSegment(key);
  int fd = ::openat(f.parent.get(), f.name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    Status s = ErrnoStatus(errno, "cannot open", key);
    return s.Is(ErrorKind::kNotFound) ? missing() : s;
  }
  f.fd = UniqueFd(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "cannot stat", key);
  if (!S_ISREG(st.st_mode)) return missing();
  f.size = static_cast<uint64_t>(st.st_size);
  f.mtime_ns = MtimeNs(st);
  f.dev = st.st_dev;
  f.ino = st.st_ino;
  return f;
}

Result<Sidecar> FileStore::ReadSidecar(std::string_view key) {
  DREDGE_ASSIGN_OR_RETURN(int root, RootFd(false));
  auto [sub, file] = filestore::SidecarLocation(key);
  std::string what = "sidecar of '" + std::string(key) + "'";
  DREDGE_ASSIGN_OR_RETURN(UniqueFd d1, OpenDirAt(root, ".dredge", what));
  DREDGE_ASSIGN_OR_RETURN(UniqueFd d2, OpenDirAt(d1.get(), "meta", what));
  DREDGE_ASSIGN_OR_RETURN(UniqueFd d3, OpenDirAt(d2.get(), sub, what));
  DREDGE_ASSIGN_OR_RETURN(std::string text, filestore::ReadSmallFileAt(d3.get(), file, what));
  DREDGE_ASSIGN_OR_RETURN(Sidecar sc, filestore::DecodeSidecar(text));
  if (sc.key != key) return Status::Corrupt(what + " names another key");
  return sc;
}

Result<uint64_t> FileStore::MetaSubdir(int meta_dir, const std::string& sub, bool durable,
                                       const std::string& what) {
  {
    std::lock_guard lock(meta_mu_);
    if (auto it = meta_devs_.find(sub); it != meta_devs_.end()) return it->second;
  }
  if (::mkdirat(meta_dir, sub.c_str(), 0777) == 0) {
    if (durable) DREDGE_RETURN_IF_ERROR(FsyncFd(meta_dir, root_ + "/.dredge/meta"));
  } else if (errno != EEXIST) {
    return ErrnoStatus(errno, "cannot create folder for", what);
  }
  DREDGE_ASSIGN_OR_RETURN(UniqueFd sub_dir, OpenDirAt(meta_dir, sub, what));  // not a symlink
  struct stat st {};
  if (::fstat(sub_dir.get(), &st) != 0) return ErrnoStatus(errno, "cannot stat folder of", what);
  std::lock_guard lock(meta_mu_);
  meta_devs_[sub] = st.st_dev;
  return static_cast<uint64_t>(st.st_dev);
}

Status FileStore::WriteSidecar(const Sidecar& sidecar, bool durable, uint64_t* dev, bool fresh) {
  auto [sub, file] = filestore::SidecarLocation(sidecar.key);
  std::string what = "sidecar of '" + sidecar.key + "'";
  DREDGE_ASSIGN_OR_RETURN(int tmp_dir, InternalDir("tmp"));
  DREDGE_ASSIGN_OR_RETURN(int meta_dir, InternalDir("meta"));
  DREDGE_ASSIGN_OR_RETURN(uint64_t sub_dev, MetaSubdir(meta_dir, sub, durable, what));
  if (dev) *dev = sub_dev;
  const std::string rel = sub + "/" + file;
  std::string text = filestore::EncodeSidecar(sidecar);
  if (fresh) {
    auto wrote = WriteNewSidecar(meta_dir, rel, text, durable, what);
    if (!wrote.ok()) return wrote.status();
    if (*wrote) return durable ? FsyncMetaSubdir(meta_dir, sub, what) : Status::Ok();
  }
  std::string tmp_name = pid_ + "." + std::to_string(++tmp_counter_) + ".meta";
  int fd = ::openat(tmp_dir, tmp_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return ErrnoStatus(errno, "cannot create temp file for", what);
  TempFile tmp(tmp_dir, tmp_name, fd);
  DREDGE_RETURN_IF_ERROR(filestore::WriteAll(fd, text.data(), text.size(), what));
  if (durable) DREDGE_RETURN_IF_ERROR(FsyncFd(fd, what));
  if (::renameat(tmp_dir, tmp_name.c_str(), meta_dir, rel.c_str()) != 0) {
    if (errno != ENOENT) return ErrnoStatus(errno, "cannot rename into place", what);
    // Its folder was removed behind the store's back: make it again, once.
    {
      std::lock_guard lock(meta_mu_);
      meta_devs_.erase(sub);
    }
    DREDGE_RETURN_IF_ERROR(MetaSubdir(meta_dir, sub, durable, what).status());
    if (::renameat(tmp_dir, tmp_name.c_str(), meta_dir, rel.c_str()) != 0)
      return ErrnoStatus(errno, "cannot rename into place", what);
  }
  tmp.Commit();
  return durable ? FsyncMetaSubdir(meta_dir, sub, what) : Status::Ok();
}

Status FileStore::FsyncMetaSubdir(int meta_dir, const std::string& sub, const std::string& what) {
  DREDGE_ASSIGN_OR_RETURN(UniqueFd sub_dir, OpenDirAt(meta_dir, sub, what));
  return FsyncFd(sub_dir.get(), what);
}

Result<bool> FileStore::WriteNewSidecar(int meta_dir, const std::string& rel,
                                        const std::string& text, bool durable,
                                        const std::string& what) {
  int fd =
      ::openat(meta_dir, rel.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0) {
    if (errno == EEXIST || errno == ENOENT) return false;  // debris, or its folder went away
    return ErrnoStatus(errno, "cannot create", what);
  }
  UniqueFd owned(fd);
  Status st = filestore::WriteAll(fd, text.data(), text.size(), what);
  if (st.ok() && durable) st = FsyncFd(fd, what);
  if (!st.ok()) {
    ::unlinkat(meta_dir, rel.c_str(), 0);
    return st;
  }
  return true;
}

Result<SidecarEntry> FileStore::EntryFor(std::string_view key, const DataFile& file) {
  auto sc = ReadSidecar(key);
  if (sc.ok())
    if (const SidecarEntry* e = filestore::FindEntry(*sc, file.size, file.mtime_ns)) return *e;
  // Missing or stale: the bytes are the truth.
  SidecarEntry entry;
  entry.size = file.size;
  entry.mtime_ns = file.mtime_ns;
  Hasher md5(HashAlgo::kMd5);
  DREDGE_RETURN_IF_ERROR(ReadFdRange(file.fd.get(), 0, file.size, key, [&](std::string_view d) {
    md5.Update(d);
    return Status::Ok();
  }));
  entry.md5 = md5.FinishHex();
  log::Warn("file store: metadata of '" + std::string(key) + "' in " + Describe() +
            " was missing or stale; MD5 recomputed from its bytes, user metadata dropped");
  // Persist only if the path still names the very file we hashed, unchanged; a put of the key
  // holds its lock from sidecar to rename, so nothing can slip in between check and write.
  auto guard = locks_.Lock(key);
  struct stat now {};
  if (::fstatat(file.parent.get(), file.name.c_str(), &now, AT_SYMLINK_NOFOLLOW) == 0 &&
      now.st_dev == file.dev && now.st_ino == file.ino &&
      static_cast<uint64_t>(now.st_size) == file.size && MtimeNs(now) == file.mtime_ns) {
    Status s = WriteSidecar(Sidecar{std::string(key), {entry}});
    if (!s.ok()) log::Warn("file store: cannot rewrite sidecar: " + s.message());
  }
  return entry;
}

void FileStore::SweepOldTemps(int tmp_dir) {
  int dup = ::fcntl(tmp_dir, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return;
  DIR* dir = ::fdopendir(dup);
  if (!dir) {
    ::close(dup);
    return;
  }
  ::rewinddir(dir);
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  int64_t now_ns = static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
  while (struct dirent* de = ::readdir(dir)) {
    struct stat st {};
    if (::fstatat(tmp_dir, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISREG(st.st_mode) && now_ns - MtimeNs(st) > kStaleTempNs)
      ::unlinkat(tmp_dir, de->d_name, 0);
  }
  ::closedir(dir);
}

Result<PutResult> FileStore::Put(std::string_view key, const ByteSource& src,
                                 const PutOptions& opts) {
  DREDGE_RETURN_IF_ERROR(CheckKey(key));
  DREDGE_RETURN_IF_ERROR(RefuseRetention(opts, key));
  DREDGE_RETURN_IF_ERROR(filestore::ValidateMetadata(key, opts.metadata));
  DREDGE_ASSIGN_OR_RETURN(int tmp_dir, InternalDir("tmp"));
  std::call_once(swept_, [&] { SweepOldTemps(tmp_dir); });

  std::string tmp_name;
  int fd = -1;
  while (fd < 0) {
    tmp_name = pid_ + "." + std::to_string(++tmp_counter_) + ".data";
    fd = ::openat(tmp_dir, tmp_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST)
      return ErrnoStatus(errno, "cannot create temp file under " + root_ + "/.dredge/tmp for", key);
  }
  TempFile tmp(tmp_dir, tmp_name, fd);

  SidecarEntry entry;
  DREDGE_ASSIGN_OR_RETURN(entry.md5, CopyHashing(src, fd, key));
  if (!opts.content_md5_hex.empty() && ToLower(opts.content_md5_hex) != entry.md5)
    return Status::Corrupt("content of '" + std::string(key) + "' does not match its MD5 (given " +
                           opts.content_md5_hex + ", computed " + entry.md5 +
                           "); the stored object was left unchanged");
  const bool durable = !opts.defer_durability;
  if (durable) {
    DREDGE_RETURN_IF_ERROR(FsyncFd(fd, key));
  } else if (src.size() >= kWriteBackHintMin) {
    // Start writing the bytes back now, without waiting, so the run's one Sync finds little
    // left to write. Only a hint: failure is harmless, Sync reports real errors. Small objects
    // go without it: the hint made every 1-4 KB put allocate blocks and submit I/O in the
    // caller's thread, and the Sync writes them anyway.
    ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno, "cannot stat new", key);
  entry.size = static_cast<uint64_t>(st.st_size);
  entry.mtime_ns = MtimeNs(st);
  entry.content_type = opts.content_type;
  entry.metadata = opts.metadata;

  auto guard = locks_.Lock(key);
  bool on_root_fs = false;
  DREDGE_ASSIGN_OR_RETURN(PutResult result, PutLocked(key, tmp_dir, tmp_name, fd, entry,
                                                      opts.if_absent, durable, &on_root_fs));
  tmp.Commit();
  if (!durable) {
    std::lock_guard lock(unsynced_mu_);
    unsynced_.push_back({std::string(key), on_root_fs});
  }
  return result;
}

Result<PutResult> FileStore::PutLocked(std::string_view key, int tmp_dir,
                                       const std::string& tmp_name, int tmp_fd,
                                       const SidecarEntry& new_entry, bool if_absent, bool durable,
                                       bool* on_root_fs) {
  DREDGE_ASSIGN_OR_RETURN(int root, RootFd(true));
  std::string name = LastSegment(key);
  SidecarEntry entry = new_entry;
  // A concurrent Remove may delete an emptied parent folder between our mkdir and rename;
  // then the rename fails with ENOENT and we walk again.
  for (int attempt = 0;; ++attempt) {
    DREDGE_ASSIGN_OR_RETURN(UniqueFd parent, filestore::OpenParentDir(root, key, true));
    struct stat cur {};
    bool exists = ::fstatat(parent.get(), name.c_str(), &cur, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && S_ISDIR(cur.st_mode)) {
      if (::unlinkat(parent.get(), name.c_str(), AT_REMOVEDIR) != 0)
        return Status::Permanent("cannot store '" + std::string(key) +
                                 "': a folder of other objects has that name, and a file:// "
                                 "store cannot hold both; remove the objects under '" +
                                 std::string(key) + "/' first");
      exists = false;
    }
    if (exists && if_absent)
      return Status::PreconditionFailed("object '" + std::string(key) + "' already exists");
    Sidecar sidecar{std::string(key), {}};
    std::optional<SidecarEntry> prev;
    if (exists && S_ISREG(cur.st_mode)) {
      auto old = ReadSidecar(key);
      if (old.ok())
        if (auto* e = filestore::FindEntry(*old, static_cast<uint64_t>(cur.st_size), MtimeNs(cur)))
          prev = *e;
      if (static_cast<uint64_t>(cur.st_size) == entry.size && MtimeNs(cur) == entry.mtime_ns)
        DREDGE_RETURN_IF_ERROR(MakeMtimeDistinct(tmp_fd, MtimeNs(cur), &entry, key));
    }
    sidecar.entries.push_back(entry);
    if (prev) sidecar.entries.push_back(*prev);
    uint64_t meta_dev = 0;
    DREDGE_RETURN_IF_ERROR(WriteSidecar(sidecar, durable, &meta_dev, !exists));

    if (int e = MoveIntoPlace(tmp_dir, tmp_name, parent.get(), name, if_absent); e != 0) {
      if (e == EEXIST)
        return Status::PreconditionFailed("object '" + std::string(key) + "' already exists");
      if (e == ENOENT && attempt < 5) continue;
      if (e == EISDIR || e == ENOTEMPTY)
        return Status::Permanent("cannot store '" + std::string(key) +
                                 "': a folder of other objects has that name");
      return ErrnoStatus(e, "cannot move into place", key);
    }
    if (durable) {
      DREDGE_RETURN_IF_ERROR(FsyncFd(parent.get(), key));
    } else if (key.find('/') == std::string_view::npos) {
      *on_root_fs = meta_dev == root_dev_;  // its folder is the root
    } else {
      struct stat pst {};
      *on_root_fs =
          ::fstat(parent.get(), &pst) == 0 && pst.st_dev == root_dev_ && meta_dev == root_dev_;
    }
    return PutResult{entry.md5, "", entry.md5};
  }
}

Status FileStore::Sync() {
  std::vector<Unsynced> owed;
  {
    std::lock_guard lock(unsynced_mu_);
    owed.swap(unsynced_);
  }
  if (owed.empty()) return Status::Ok();
  std::vector<std::string> on_root, elsewhere;
  for (auto& u : owed) (u.on_root_fs ? on_root : elsewhere).push_back(u.key);
  Status st = Status::Ok();
  if (on_root.size() > kFsyncKeysMax) {
    // One syncfs writes back and commits everything on the filesystem, our keys included;
    // it reports write-back errors since root_fd_ was opened (Linux >= 5.8).
    DREDGE_ASSIGN_OR_RETURN(int root, RootFd(false));
    if (::syncfs(root) != 0) st = ErrnoStatus(errno, "cannot sync the filesystem of", root_);
  } else {
    st = SyncKeys(on_root);
  }
  if (st.ok()) st = SyncKeys(elsewhere);
  if (!st.ok()) {  // keep them owed, so a later Sync tries again
    std::lock_guard lock(unsynced_mu_);
    unsynced_.insert(unsynced_.end(), owed.begin(), owed.end());
  }
  return st;
}

// fsyncs each key's data file and sidecar, then every folder holding them: for a few keys
// (or keys on another filesystem) this is cheaper than syncfs(2), which also flushes whatever
// else is dirty on the filesystem (a database next to the store). Each fsync costs a disk
// cache flush even when the puts' write-back is done, so Sync switches to syncfs above
// kFsyncKeysMax keys. A key removed or replaced since its put is skipped: its remover or new
// put answers for it.
Status FileStore::SyncKeys(const std::vector<std::string>& keys) {
  if (keys.empty()) return Status::Ok();
  DREDGE_ASSIGN_OR_RETURN(int root, RootFd(false));
  std::map<std::string, UniqueFd> folders;  // parent folder of each key, by path
  std::map<std::string, UniqueFd> meta;     // sidecar folders, by name under .dredge/meta
  UniqueFd meta_dir;
  auto sync_at = [&](int dir, const std::string& name, std::string_view what) -> Status {
    int fd = ::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? Status::Ok() : ErrnoStatus(errno, "cannot open", what);
    UniqueFd owned(fd);
    return FsyncFd(fd, what);
  };
  for (const std::string& key : keys) {
    auto slash = key.rfind('/');
    std::string folder = slash == std::string::npos ? "" : key.substr(0, slash);
    auto it = folders.find(folder);
    if (it == folders.end()) {
      auto parent = filestore::OpenParentDir(root, key, false);
      if (!parent.ok()) {
        if (parent.status().Is(ErrorKind::kNotFound)) continue;
        return parent.status();
      }
      it = folders.emplace(folder, std::move(parent).value()).first;
    }
    DREDGE_RETURN_IF_ERROR(sync_at(it->second.get(), LastSegment(key), key));

    auto [sub, file] = filestore::SidecarLocation(key);
    if (!meta_dir.valid()) {
      DREDGE_ASSIGN_OR_RETURN(UniqueFd d1, OpenDirAt(root, ".dredge", root_ + "/.dredge"));
      DREDGE_ASSIGN_OR_RETURN(meta_dir, OpenDirAt(d1.get(), "meta", root_ + "/.dredge/meta"));
    }
    auto m = meta.find(sub);
    if (m == meta.end()) {
      DREDGE_ASSIGN_OR_RETURN(UniqueFd d, OpenDirAt(meta_dir.get(), sub, "sidecar of " + key));
      m = meta.emplace(sub, std::move(d)).first;
    }
    DREDGE_RETURN_IF_ERROR(sync_at(m->second.get(), file, "sidecar of '" + key + "'"));
  }
  for (auto& [path, fd] : meta) DREDGE_RETURN_IF_ERROR(FsyncFd(fd.get(), root_ + "/.dredge/meta"));
  if (meta_dir.valid()) DREDGE_RETURN_IF_ERROR(FsyncFd(meta_dir.get(), root_ + "/.dredge/meta"));
  for (auto& [path, fd] : folders) DREDGE_RETURN_IF_ERROR(FsyncFd(fd.get(), root_ + "/" + path));
  return Status::Ok();
}

Status FileStore::Get(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) {
  DREDGE_ASSIGN_OR_RETURN(DataFile f, OpenData(key));
  uint64_t first = 0, count = f.size;
  if (range && f.size > 0) {
    if (range->first >= f.size || range->first > range->last)
      return Status::InvalidArgument("range " + std::to_string(range->first) + "-" +
                                     std::to_string(range->last) + " is outside '" +
                                     std::string(key) + "' (" + std::to_string(f.size) + " bytes)");
    first = range->first;
    count = std::min<uint64_t>(range->last, f.size - 1) - first + 1;
  }
  return ReadFdRange(f.fd.get(), first, count, key,
                     [&](std::string_view d) { return sink.Write(d); });
}

Result<ObjectInfo> FileStore::Stat(std::string_view key) {
  DREDGE_ASSIGN_OR_RETURN(DataFile f, OpenData(key));
  DREDGE_ASSIGN_OR_RETURN(SidecarEntry e, EntryFor(key, f));
  return ObjectInfo{std::string(key), f.size, e.md5, f.mtime_ns, e.metadata, ""};
}

Status FileStore::Remove(std::string_view key) {
  DREDGE_RETURN_IF_ERROR(CheckKey(key));
  auto root = RootFd(false);
  if (!root.ok()) return root.status().Is(ErrorKind::kNotFound) ? Status::Ok() : root.status();
  auto guard = locks_.Lock(key);
  auto segs = filestore::SplitKey(key);
  auto chain = filestore::OpenDirChain(*root, key);
  if (chain.size() + 1 == segs.size()) {
    int parent = chain.empty() ? *root : chain.back().get();
    std::string name(segs.back());
    struct stat st {};
    // Only regular files are objects; a folder or symlink of that name is left alone.
    if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        ::unlinkat(parent, name.c_str(), 0) != 0 && errno != ENOENT)
      return ErrnoStatus(errno, "cannot remove", key);
  }
  auto [sub, file] = filestore::SidecarLocation(key);
  if (auto d1 = OpenDirAt(*root, ".dredge", key); d1.ok())
    if (auto d2 = OpenDirAt(d1->get(), "meta", key); d2.ok())
      if (auto d3 = OpenDirAt(d2->get(), sub, key); d3.ok()) ::unlinkat(d3->get(), file.c_str(), 0);
  // Drop folders the removal emptied, innermost first; the first non-empty one stops it.
  for (size_t i = chain.size(); i-- > 0;) {
    int parent = i == 0 ? *root : chain[i - 1].get();
    if (::unlinkat(parent, std::string(segs[i]).c_str(), AT_REMOVEDIR) != 0) break;
  }
  return Status::Ok();
}

Status FileStore::Copy(std::string_view src_key, std::string_view dst_key,
                       const std::optional<Metadata>& metadata) {
  DREDGE_RETURN_IF_ERROR(CheckKey(dst_key));
  DREDGE_ASSIGN_OR_RETURN(DataFile f, OpenData(src_key));
  DREDGE_ASSIGN_OR_RETURN(SidecarEntry e, EntryFor(src_key, f));
  FdSource src(f.fd.get(), f.size);
  PutOptions opts;
  opts.metadata = metadata ? *metadata : e.metadata;
  opts.content_md5_hex = e.md5;
  opts.content_type = e.content_type;
  auto r = Put(dst_key, src, opts);
  if (!r.ok() && r.status().Is(ErrorKind::kCorrupt))
    return Status::Corrupt("cannot copy '" + std::string(src_key) + "' to '" +
                           std::string(dst_key) +
                           "': the source's bytes no longer match its "
                           "recorded MD5 " +
                           e.md5 + "; run verify");
  return r.status();
}

}  // namespace dredge
