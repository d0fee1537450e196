// FileStore::List: a depth-first walk that yields keys in ascending byte order of the whole
// key. A per-directory sorted walk by plain names is not enough, because a folder's keys
// continue with '/' (0x2f): "a-b" < "a/b" < "a0". So each directory's entries are sorted by
// name with '/' appended to folder names, which is exactly the order of the keys below them.
// Only one directory's names per level of depth are held in memory; nothing is buffered across
// the tree, and fn runs as each object is reached.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "store/file/file_store.h"

namespace dredge {

using filestore::UniqueFd;

namespace {

struct Entry {
  std::string sort_name;  // name, plus '/' for folders
  bool is_dir = false;
};

// Whether anything under `dir_key` (ending in '/') can start with `prefix`.
bool DirMayMatch(std::string_view dir_key, std::string_view prefix) {
  return dir_key.starts_with(prefix) || prefix.starts_with(dir_key);
}

Result<std::vector<Entry>> ReadSortedDir(int dir_fd, std::string_view dir_key,
                                         std::string_view prefix, std::string_view what) {
  int dup = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return filestore::ErrnoStatus(errno, "cannot list", what);
  DIR* dir = ::fdopendir(dup);
  if (!dir) {
    int e = errno;
    ::close(dup);
    return filestore::ErrnoStatus(e, "cannot list", what);
  }
  // A dup shares the descriptor's read position with the original (which stays open for the
  // next listing), so start from the top every time.
  ::rewinddir(dir);
  std::vector<Entry> out;
  errno = 0;
  while (struct dirent* de = ::readdir(dir)) {
    std::string name = de->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = false;
    unsigned char type = de->d_type;
    if (type == DT_UNKNOWN) {
      struct stat st {};
      if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    if (type == DT_DIR) {
      is_dir = true;
    } else if (type != DT_REG) {
      continue;  // symlinks, fifos, sockets, devices are not objects
    }
    // The store's own folders are not objects.
    if (dir_key == ".dredge/" && (name == "tmp" || name == "meta")) continue;
    std::string key = std::string(dir_key) + name;
    if (is_dir ? !DirMayMatch(key + "/", prefix) : !key.starts_with(prefix)) continue;
    out.push_back({is_dir ? name + "/" : name, is_dir});
  }
  int e = errno;
  ::closedir(dir);
  if (e != 0) return filestore::ErrnoStatus(e, "cannot list", what);
  // std::string compares as unsigned bytes, which is the order the contract asks for.
  std::sort(out.begin(), out.end(),
            [](const Entry& a, const Entry& b) { return a.sort_name < b.sort_name; });
  return out;
}

}  // namespace

Status FileStore::List(std::string_view prefix, const ListFn& fn) {
  auto root = RootFd(false);
  if (!root.ok()) return root.status().Is(ErrorKind::kNotFound) ? Status::Ok() : root.status();
  struct Level {
    UniqueFd fd;  // invalid for the root (borrowed)
    int raw_fd;
    std::string key;  // "" or "a/b/"
    std::vector<Entry> entries;
    size_t next = 0;
  };
  std::vector<Level> stack;
  {
    DREDGE_ASSIGN_OR_RETURN(auto entries, ReadSortedDir(*root, "", prefix, root_));
    stack.push_back(Level{UniqueFd(), *root, "", std::move(entries), 0});
  }
  while (!stack.empty()) {
    Level& top = stack.back();
    if (top.next == top.entries.size()) {
      stack.pop_back();
      continue;
    }
    const Entry& e = top.entries[top.next++];
    std::string key = top.key + e.sort_name;
    if (e.is_dir) {
      std::string name = e.sort_name.substr(0, e.sort_name.size() - 1);
      auto fd = filestore::OpenDirAt(top.raw_fd, name, key);
      if (!fd.ok()) {
        if (fd.status().Is(ErrorKind::kNotFound)) continue;  // removed or replaced meanwhile
        return fd.status();
      }
      DREDGE_ASSIGN_OR_RETURN(auto entries, ReadSortedDir(fd->get(), key, prefix, key));
      int raw = fd->get();
      stack.push_back(Level{std::move(fd).value(), raw, key, std::move(entries), 0});
      continue;
    }
    struct stat st {};
    if (::fstatat(top.raw_fd, e.sort_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode))
      continue;  // removed or replaced since the directory was read
    ObjectInfo info;
    info.key = key;
    info.size = static_cast<uint64_t>(st.st_size);
    info.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    auto sc = ReadSidecar(key);
    const filestore::SidecarEntry* hit =
        sc.ok() ? filestore::FindEntry(*sc, info.size, info.mtime_ns) : nullptr;
    if (hit) {
      info.etag = hit->md5;
    } else {
      auto data = OpenData(key);
      if (!data.ok()) {
        if (data.status().Is(ErrorKind::kNotFound)) continue;
        return data.status();
      }
      DREDGE_ASSIGN_OR_RETURN(auto entry, EntryFor(key, *data));
      info.size = data->size;
      info.mtime_ns = data->mtime_ns;
      info.etag = entry.md5;
    }
    DREDGE_RETURN_IF_ERROR(fn(info));
  }
  return Status::Ok();
}

}  // namespace dredge
