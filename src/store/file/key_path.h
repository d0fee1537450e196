// Resolving object keys to files beneath a store root without ever following a symbolic link,
// so neither a hostile key nor a symlink planted in the tree can make the file:// driver read,
// write or list anything outside its root. Every directory on the way is opened with
// O_NOFOLLOW|O_DIRECTORY relative to the one before, starting from the root's descriptor.
//
// Error kinds: a missing directory, a path component that is a file, or a symlink on the way is
// NotFound when reading (there is no object there) and Permanent when creating (the key
// collides with an existing object of the same name, which a filesystem cannot hold next to a
// folder); an over-long segment is InvalidArgument; any other failure is Io naming the key.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace dredge::filestore {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// "a/b/c" → {"a", "b", "c"}. The key must already have passed ValidatePathKey.
std::vector<std::string_view> SplitKey(std::string_view key);

// The directory that holds the key's last segment, opened beneath `root_fd`. With `create`,
// missing directories are made (and their parents fsynced so the new entry is durable).
Result<UniqueFd> OpenParentDir(int root_fd, std::string_view key, bool create);

// Every directory on the way to the key's last segment, root excluded, outermost first
// (fds[i] is the directory named segs[i]). Stops quietly at the first one that is missing.
std::vector<UniqueFd> OpenDirChain(int root_fd, std::string_view key);

// Opens a directory entry relative to `dir_fd` without following a symlink.
Result<UniqueFd> OpenDirAt(int dir_fd, const std::string& name, std::string_view what);

// Status for a failed system call on `what` (a key or path), mapping errno to a kind:
// ENOENT/ENOTDIR/ELOOP → NotFound, ENAMETOOLONG → InvalidArgument, else Io.
Status ErrnoStatus(int err, std::string_view op, std::string_view what);

// fsync with EINTR handled; Io naming `what` on failure.
Status FsyncFd(int fd, std::string_view what);

// Writes all of `data` (handles short writes and EINTR).
Status WriteAll(int fd, const char* data, size_t n, std::string_view what);

// Reads a whole small file beneath dir_fd (no symlinks). NotFound when it is missing.
Result<std::string> ReadSmallFileAt(int dir_fd, const std::string& name, std::string_view what);

}  // namespace dredge::filestore
