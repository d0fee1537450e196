// Byte sources and sinks used by the object store.
//
// A ByteSource is positional (read_at), so a request whose body was consumed can be replayed
// from its source by a retry, and multipart parts can be read independently and in parallel.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dredge {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Total size in bytes. Must not change while a put is in progress.
  virtual uint64_t size() const = 0;
  // Reads up to out.size() bytes at `offset`; returns the count (0 only at/after the end).
  // May be called concurrently from several threads with different offsets.
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const = 0;
};

// A source over bytes owned elsewhere; the bytes must outlive the source.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  uint64_t size() const override { return bytes_.size(); }
  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override;

 private:
  std::string_view bytes_;
};

// A source over a window [offset, offset+length) of another source (multipart parts).
class SliceSource final : public ByteSource {
 public:
  SliceSource(const ByteSource& base, uint64_t offset, uint64_t length)
      : base_(base), offset_(offset), length_(length) {}
  uint64_t size() const override { return length_; }
  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override;

 private:
  const ByteSource& base_;
  uint64_t offset_;
  uint64_t length_;
};

// A source over a local file opened read-only; Open fails with Io naming the path. size() and
// mtime_ns() are the file's as it was opened (one fstat of the open descriptor).
class FileSource final : public ByteSource {
 public:
  static Result<std::unique_ptr<FileSource>> Open(const std::string& path);
  ~FileSource() override;
  uint64_t size() const override { return size_; }
  int64_t mtime_ns() const { return mtime_ns_; }  // ns since the Unix epoch
  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override;
  int fd() const { return fd_; }

 private:
  FileSource(std::string path, int fd, uint64_t size, int64_t mtime_ns)
      : path_(std::move(path)), fd_(fd), size_(size), mtime_ns_(mtime_ns) {}
  std::string path_;
  int fd_;
  uint64_t size_;
  int64_t mtime_ns_;
};

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  // Receives the next bytes of an object, in order. A non-ok return aborts the transfer and
  // is returned by the get that called it.
  virtual Status Write(std::string_view data) = 0;
};

class StringSink final : public ByteSink {
 public:
  Status Write(std::string_view data) override {
    out.append(data);
    return Status::Ok();
  }
  std::string out;
};

// Computes the hash of a source by reading it whole, in bounded pieces (one 1 MiB buffer per
// thread, kept: allocating and zero-filling it per call cost 6 % of a backup's CPU).
Result<std::string> Md5HexOfSource(const ByteSource& src);

}  // namespace dredge
