// An append-then-read sequence of byte records kept in an unlinked temporary file, so a list
// that grows with the number of files (planned uploads, removed paths) costs disk, not memory.
// Memory use is one stdio buffer, whatever the record count.
//
// Use: Append every record, then Rewind once and Next until it returns false. Appending after
// Rewind is a bug (InvalidArgument). Not thread-safe: callers that append from several threads
// serialise themselves. The file is deleted when the spill is destroyed (and by the OS at once,
// since it is unlinked on creation, if the process dies).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dredge {

class RecordSpill {
 public:
  static Result<std::unique_ptr<RecordSpill>> Create(const std::string& tmp_dir);
  ~RecordSpill();
  RecordSpill(const RecordSpill&) = delete;
  RecordSpill& operator=(const RecordSpill&) = delete;

  Status Append(std::string_view record);
  Status Rewind();
  // Fills *record with the next one and returns true; false at the end.
  Result<bool> Next(std::string* record);
  uint64_t count() const { return count_; }

 private:
  RecordSpill() = default;
  std::FILE* f_ = nullptr;
  std::string where_;  // for messages
  uint64_t count_ = 0;
  bool reading_ = false;
};

// Little helpers to build and parse records field by field.
class RecordWriter {
 public:
  void U64(uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void Str(std::string_view s) {
    U64(s.size());
    out_.append(s);
  }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

class RecordReader {
 public:
  explicit RecordReader(std::string_view in) : in_(in) {}
  bool U64(uint64_t* v);
  bool Str(std::string* s);

 private:
  std::string_view in_;
};

}  // namespace dredge
