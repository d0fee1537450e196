// The file:// driver: an object is the regular file ROOT/<key>, so ROOT minus its .dredge/
// folder is exactly the stored tree. Layout, sidecar format and crash behaviour are specified in
// docs/formats/file-store.md. What a caller may rely on, beyond store/object_store.h:
//  - Put and Copy are atomic and durable: bytes go to ROOT/.dredge/tmp/, are fsynced and renamed
//    into place; a killed writer leaves debris only under .dredge/tmp/. A put with
//    defer_durability skips every fsync (data, sidecar, folders) and only starts write-back.
//    Sync() then makes them durable: with more than kFsyncKeysMax such keys on the root's
//    filesystem, by one syncfs(2) of that filesystem (an fsync costs a disk cache flush each,
//    ~3 ms on the project's VM: thousands of files cannot pay that); with fewer, by fsyncing
//    each key's data file, sidecar and folders. Keys whose folders lie on another filesystem (a
//    mount inside the tree) are always fsynced one by one. A machine crash before that Sync may
//    leave such an object empty, short or missing, and its sidecar stale (recomputed on read,
//    see below). A put whose bytes do not match content_md5_hex fails Corrupt and leaves the old
//    object untouched.
//  - if_absent is enforced atomically (renameat2 RENAME_NOREPLACE, or link()), also against
//    other processes; capabilities().conditional_put is true.
//  - List returns ETags from the sidecars without reading data; a sidecar that is missing or
//    stale (size/mtime differ) is recomputed from the data, never trusted.
//  - Keys are checked with ValidatePathKey; `.dredge/tmp/…`, `.dredge/meta/…` are reserved
//    (InvalidArgument). Symbolic links inside the tree are not objects and are never followed.
//    A key below an existing object (`a` exists, put `a/b`) fails Permanent.
//  - Opening does not touch the disk; the root is created by the first write. Reading a root
//    that does not exist finds no objects.
//  - Large objects are streamed through a bounded buffer (1 MiB per call in flight).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/file/key_locks.h"
#include "store/file/key_path.h"
#include "store/file/sidecar.h"
#include "store/object_store.h"
#include "store/store_options.h"

namespace dredge {

class FileStore final : public ObjectStore {
 public:
  // `root` is an absolute path (ParseStoreUrl makes it so).
  explicit FileStore(std::string root);

  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override;
  Status Get(std::string_view key, ByteSink& sink,
             std::optional<ByteRange> range = std::nullopt) override;
  Result<ObjectInfo> Stat(std::string_view key) override;
  Status List(std::string_view prefix, const ListFn& fn) override;
  Status Remove(std::string_view key) override;
  Status Copy(std::string_view src_key, std::string_view dst_key,
              const std::optional<Metadata>& metadata = std::nullopt) override;
  Status Sync() override;
  StoreCapabilities capabilities() const override { return {true, false, true}; }

  // Sync() fsyncs key by key up to this many deferred keys, and syncs the filesystem above it.
  static constexpr size_t kFsyncKeysMax = 4;
  std::string Describe() const override { return "file://" + root_; }

  const std::string& root() const { return root_; }

 private:
  // An open data file with the stat it had when opened; `parent` is its folder.
  struct DataFile {
    filestore::UniqueFd parent;
    std::string name;
    filestore::UniqueFd fd;
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    uint64_t dev = 0;
    uint64_t ino = 0;
  };

  // The root's descriptor, opened once. Without `create`, NotFound when the root is missing.
  Result<int> RootFd(bool create);
  // ROOT/.dredge/<name>/ ("tmp" or "meta"), created on demand and kept open while the store
  // lives (removing it under a running store fails that store's puts, loudly).
  Result<int> InternalDir(const char* name);
  Status CheckKey(std::string_view key) const;
  Result<DataFile> OpenData(std::string_view key);
  // The sidecar entry describing `file`, recomputed from its bytes when missing or stale.
  Result<filestore::SidecarEntry> EntryFor(std::string_view key, const DataFile& file);
  Result<filestore::Sidecar> ReadSidecar(std::string_view key);
  // `durable`: fsync the file and its folder (false for deferred puts, D2). `dev`, when given,
  // receives the device of the sidecar's folder. `fresh`: no data file exists at the key (the
  // caller holds its lock), so nothing reads this sidecar until the caller renames the data in
  // after it returns: a sidecar that does not exist yet is then written in place, without a
  // temp file and rename (a torn one, left by a kill, belongs to no data file and is replaced
  // by the next put through a temp file). Else, or when one exists, through a temp file.
  Status WriteSidecar(const filestore::Sidecar& sidecar, bool durable = true,
                      uint64_t* dev = nullptr, bool fresh = false);
  // WriteSidecar's in-place create (O_EXCL) of .dredge/meta/`rel`; false when a file is there
  // already or its folder is gone (the caller then goes through a temp file).
  Result<bool> WriteNewSidecar(int meta_dir, const std::string& rel, const std::string& text,
                               bool durable, const std::string& what);
  Status FsyncMetaSubdir(int meta_dir, const std::string& sub, const std::string& what);
  // The device of ROOT/.dredge/meta/<sub>, created (fsynced into its parent when `durable`) and
  // checked to be a folder on first use, then remembered: a put renames its sidecar into
  // "<sub>/<name>" under the kept-open meta folder without a mkdir, open and stat per object.
  Result<uint64_t> MetaSubdir(int meta_dir, const std::string& sub, bool durable,
                              const std::string& what);
  Result<PutResult> PutLocked(std::string_view key, int tmp_dir, const std::string& tmp_name,
                              int tmp_fd, const filestore::SidecarEntry& entry, bool if_absent,
                              bool durable, bool* on_root_fs);
  void SweepOldTemps(int tmp_dir);
  Status SyncKeys(const std::vector<std::string>& keys);

  std::string root_;
  std::mutex root_mu_;
  filestore::UniqueFd root_fd_;
  filestore::UniqueFd tmp_fd_, meta_fd_;  // InternalDir's folders; guarded by root_mu_
  std::once_flag swept_;
  // Temp names are "<pid>.<counter>.data|meta"; the pid is read once (a getpid per put and
  // sidecar was two system calls per object).
  const std::string pid_;
  std::atomic<uint64_t> tmp_counter_{0};
  uint64_t root_dev_ = 0;  // st_dev of the root, set with root_fd_
  // A deferred put that returned since the last Sync took the list. `on_root_fs`: its data
  // folder and sidecar folder are on the root's filesystem (a syncfs of the root covers it).
  struct Unsynced {
    std::string key;
    bool on_root_fs = false;
  };
  std::mutex meta_mu_;
  std::unordered_map<std::string, uint64_t> meta_devs_;  // MetaSubdir's, by <sub>
  std::mutex unsynced_mu_;
  std::vector<Unsynced> unsynced_;
  filestore::KeyLocks locks_;
};

// The registry's factory for file:// URLs: `rest` is the absolute root path.
Result<std::shared_ptr<ObjectStore>> OpenFile(const std::string& rest, const StoreOptions& opts);

}  // namespace dredge
