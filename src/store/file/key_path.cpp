#include "store/file/key_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dredge::filestore {

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<std::string_view> SplitKey(std::string_view key) {
  std::vector<std::string_view> segs;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    segs.push_back(key.substr(start, end - start));
    start = end + 1;
  }
  return segs;
}

Status ErrnoStatus(int err, std::string_view op, std::string_view what) {
  std::string msg = std::string(op) + " '" + std::string(what) + "': " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
    case ELOOP:
      return Status::NotFound(msg);
    case ENAMETOOLONG:
      return Status::InvalidArgument(msg + " (a path segment may hold at most 255 bytes)");
    default:
      return Status::Io(msg);
  }
}

Result<UniqueFd> OpenDirAt(int dir_fd, const std::string& name, std::string_view what) {
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "cannot open folder of", what);
  return UniqueFd(fd);
}

Result<UniqueFd> OpenParentDir(int root_fd, std::string_view key, bool create) {
  auto segs = SplitKey(key);
  int dup = ::fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return ErrnoStatus(errno, "cannot duplicate root descriptor for", key);
  UniqueFd cur(dup);
  std::string walked;
  for (size_t i = 0; i + 1 < segs.size(); ++i) {
    std::string name(segs[i]);
    walked += (walked.empty() ? "" : "/") + name;
    int fd = ::openat(cur.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(cur.get(), name.c_str(), 0777) == 0) {
        // The new directory entry must reach the disk before the object inside it does.
        DREDGE_RETURN_IF_ERROR(FsyncFd(cur.get(), walked));
      } else if (errno != EEXIST) {
        return ErrnoStatus(errno, "cannot create folder for", key);
      }
      fd = ::openat(cur.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      int e = errno;
      if (create && (e == ENOTDIR || e == ELOOP))
        return Status::Permanent("cannot store '" + std::string(key) + "': '" + walked +
                                 "' is an object or a symbolic link, and a file:// store cannot "
                                 "hold a folder of the same name; remove '" +
                                 walked + "' first");
      return ErrnoStatus(e, "cannot open folder of", key);
    }
    cur = UniqueFd(fd);
  }
  return cur;
}

std::vector<UniqueFd> OpenDirChain(int root_fd, std::string_view key) {
  auto segs = SplitKey(key);
  std::vector<UniqueFd> chain;
  int parent = root_fd;
  for (size_t i = 0; i + 1 < segs.size(); ++i) {
    std::string name(segs[i]);
    int fd = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) break;
    chain.emplace_back(fd);
    parent = fd;
  }
  return chain;
}

Status FsyncFd(int fd, std::string_view what) {
  while (::fsync(fd) != 0) {
    if (errno == EINTR) continue;
    return Status::Io("cannot fsync '" + std::string(what) + "': " + std::strerror(errno));
  }
  return Status::Ok();
}

Status WriteAll(int fd, const char* data, size_t n, std::string_view what) {
  size_t done = 0;
  while (done < n) {
    ssize_t w = ::write(fd, data + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::Io("cannot write '" + std::string(what) + "': " + std::strerror(errno));
    }
    done += static_cast<size_t>(w);
  }
  return Status::Ok();
}

Result<std::string> ReadSmallFileAt(int dir_fd, const std::string& name, std::string_view what) {
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return ErrnoStatus(errno, "cannot open", what);
  UniqueFd owner(fd);
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "cannot read", what);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (1u << 20)) return Status::Corrupt("'" + std::string(what) + "' is too large");
  }
  return out;
}

}  // namespace dredge::filestore
