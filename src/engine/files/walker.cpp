#include "engine/files/walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "formats/file_keys.h"

namespace dredge {
namespace {

// One entry of a directory being walked. The name is stored once (a directory's with a trailing
// '/', which makes DFS order equal byte order): a directory of 100,000 files holds 100,000 of
// these while it is sorted.
struct Child {
  std::string sort_key;
  bool is_dir() const { return !sort_key.empty() && sort_key.back() == '/'; }
  std::string name() const { return is_dir() ? sort_key.substr(0, sort_key.size() - 1) : sort_key; }
};

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

class TreeWalk {
 public:
  TreeWalk(const PathFilter& filter, const WalkFileFn& on_file, const WalkIssueFn& on_issue)
      : filter_(filter), on_file_(on_file), on_issue_(on_issue) {}

  // `dir_fd` is owned by this call; `prefix` is the relative path of the directory plus '/'
  // (empty at the root).
  Status Dir(int dir_fd, const std::string& prefix) {
    DIR* d = ::fdopendir(dir_fd);
    if (!d) {
      int e = errno;
      ::close(dir_fd);
      Issue(prefix, std::string("cannot read directory: ") + std::strerror(e), true);
      return Status::Ok();
    }
    std::vector<Child> children = ReadChildren(d, prefix);
    Status result = Status::Ok();
    for (const Child& c : children) {
      result = Visit(::dirfd(d), prefix, c);
      if (!result.ok()) break;
    }
    ::closedir(d);
    return result;
  }

 private:
  // The directory's regular files and folders in byte order of their sort keys; symbolic links
  // are left out, anything else is reported and left out.
  std::vector<Child> ReadChildren(DIR* d, const std::string& prefix) {
    std::vector<Child> children;
    while (struct dirent* de = ::readdir(d)) {
      std::string name = de->d_name;
      if (name == "." || name == "..") continue;
      // The source's own records folder (a destination inside the source) is never data.
      if (prefix.empty() && file_keys::IsRecordKey(name + "/")) continue;
      unsigned char type = de->d_type;
      if (type == DT_UNKNOWN && !TypeByStat(::dirfd(d), prefix, name, &type)) continue;
      if (type == DT_LNK) continue;  // never followed
      if (type != DT_DIR && type != DT_REG) {
        Issue(prefix + name, "skipped: not a regular file", false);
        continue;
      }
      if (type == DT_DIR) name.push_back('/');
      children.push_back({std::move(name)});
    }
    std::sort(children.begin(), children.end(),
              [](const Child& a, const Child& b) { return a.sort_key < b.sort_key; });
    return children;
  }

  // For file systems whose readdir gives no type: false (reported) when it cannot be stat'ed.
  bool TypeByStat(int dir_fd, const std::string& prefix, const std::string& name,
                  unsigned char* type) {
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      Issue(prefix + name, std::string("cannot stat: ") + std::strerror(errno), true);
      return false;
    }
    *type = S_ISDIR(st.st_mode)   ? DT_DIR
            : S_ISREG(st.st_mode) ? DT_REG
            : S_ISLNK(st.st_mode) ? DT_LNK
                                  : DT_FIFO;
    return true;
  }

  // One child: a folder is walked, a file the filter selects is stat'ed and handed on.
  Status Visit(int dir_fd, const std::string& prefix, const Child& c) {
    const std::string name = c.name();
    std::string rel = prefix + name;
    if (c.is_dir()) {
      int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        Issue(rel + "/", std::string("cannot open directory: ") + std::strerror(errno), true);
        return Status::Ok();
      }
      return Dir(fd, rel + "/");
    }
    if (!filter_.Selects(rel)) return Status::Ok();
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      Issue(rel, std::string("cannot stat: ") + std::strerror(errno), true);
      return Status::Ok();
    }
    if (!S_ISREG(st.st_mode)) return Status::Ok();  // replaced since readdir
    WalkEntry e{std::move(rel), static_cast<uint64_t>(st.st_size), MtimeNs(st),
                static_cast<uint64_t>(st.st_ino)};
    return on_file_(e);
  }

  void Issue(const std::string& rel, std::string msg, bool error) {
    if (on_issue_) on_issue_({rel, std::move(msg), error});
  }
  const PathFilter& filter_;
  const WalkFileFn& on_file_;
  const WalkIssueFn& on_issue_;
};

}  // namespace

Status WalkTree(const std::string& root, const PathFilter& filter, const WalkFileFn& on_file,
                const WalkIssueFn& on_issue) {
  int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return Status::Io("cannot open source directory " + root + ": " + std::strerror(errno));
  TreeWalk walk(filter, on_file, on_issue);
  return walk.Dir(fd, "");
}

Result<WalkEntry> StatFile(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0)
    return Status::Io("cannot stat " + path + ": " + std::strerror(errno));
  return WalkEntry{path, static_cast<uint64_t>(st.st_size), MtimeNs(st),
                   static_cast<uint64_t>(st.st_ino)};
}

}  // namespace dredge
