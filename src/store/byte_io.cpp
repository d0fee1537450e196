#include "store/byte_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "common/hash.h"

namespace dredge {

Result<size_t> MemorySource::ReadAt(uint64_t offset, std::span<char> out) const {
  if (offset >= bytes_.size()) return size_t{0};
  size_t n = std::min<uint64_t>(out.size(), bytes_.size() - offset);
  std::memcpy(out.data(), bytes_.data() + offset, n);
  return n;
}

Result<size_t> SliceSource::ReadAt(uint64_t offset, std::span<char> out) const {
  if (offset >= length_) return size_t{0};
  size_t n = std::min<uint64_t>(out.size(), length_ - offset);
  return base_.ReadAt(offset_ + offset, out.first(n));
}

Result<std::unique_ptr<FileSource>> FileSource::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Io("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return Status::Io("cannot stat " + path + ": " + std::strerror(e));
  }
  return std::unique_ptr<FileSource>(
      new FileSource(path, fd, static_cast<uint64_t>(st.st_size),
                     static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec));
}

FileSource::~FileSource() {
  ::close(fd_);
}

Result<size_t> FileSource::ReadAt(uint64_t offset, std::span<char> out) const {
  if (offset >= size_) return size_t{0};
  size_t want = std::min<uint64_t>(out.size(), size_ - offset);
  size_t got = 0;
  while (got < want) {
    ssize_t n = ::pread(fd_, out.data() + got, want - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Io("cannot read " + path_ + ": " + std::strerror(errno));
    }
    if (n == 0) break;  // file shrank: the caller notices the short count
    got += static_cast<size_t>(n);
  }
  return got;
}

Result<std::string> Md5HexOfSource(const ByteSource& src) {
  constexpr size_t kBuffer = 1 << 20;
  thread_local std::unique_ptr<char[]> buf(new char[kBuffer]);
  Hasher h(HashAlgo::kMd5);
  uint64_t off = 0;
  while (off < src.size()) {
    DREDGE_ASSIGN_OR_RETURN(size_t n, src.ReadAt(off, std::span<char>(buf.get(), kBuffer)));
    if (n == 0) return Status::Io("source ended early at byte " + std::to_string(off));
    h.Update(buf.get(), n);
    off += n;
  }
  return h.FinishHex();
}

}  // namespace dredge
