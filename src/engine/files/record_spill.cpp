#include "engine/files/record_spill.h"

#include <unistd.h>

#include <cstring>

#include "common/temp_file.h"

namespace dredge {

Result<std::unique_ptr<RecordSpill>> RecordSpill::Create(const std::string& tmp_dir) {
  DREDGE_ASSIGN_OR_RETURN(TempFile tmp, CreateTempFile(tmp_dir, "dredge-spill-", "w+b"));
  ::unlink(tmp.path.c_str());  // read back through the open stream only
  std::unique_ptr<RecordSpill> s(new RecordSpill());
  s->where_ = "temporary file in " + tmp_dir;
  s->f_ = tmp.f;
  return s;
}

RecordSpill::~RecordSpill() {
  if (f_) std::fclose(f_);
}

Status RecordSpill::Append(std::string_view record) {
  if (reading_) return Status::InvalidArgument("record spill: append after rewind");
  uint64_t n = record.size();
  if (std::fwrite(&n, sizeof n, 1, f_) != 1 || (n > 0 && std::fwrite(record.data(), 1, n, f_) != n))
    return Status::Io("cannot write the " + where_ + " (disk full?)");
  ++count_;
  return Status::Ok();
}

Status RecordSpill::Rewind() {
  reading_ = true;
  if (std::fflush(f_) != 0 || std::fseek(f_, 0, SEEK_SET) != 0)
    return Status::Io("cannot rewind the " + where_);
  return Status::Ok();
}

Result<bool> RecordSpill::Next(std::string* record) {
  if (!reading_) return Status::InvalidArgument("record spill: read before rewind");
  uint64_t n = 0;
  size_t got = std::fread(&n, sizeof n, 1, f_);
  if (got != 1) {
    if (std::feof(f_)) return false;
    return Status::Io("cannot read the " + where_);
  }
  record->resize(n);
  if (n > 0 && std::fread(record->data(), 1, n, f_) != n)
    return Status::Io("the " + where_ + " ended in the middle of a record");
  return true;
}

bool RecordReader::U64(uint64_t* v) {
  if (in_.size() < sizeof *v) return false;
  std::memcpy(v, in_.data(), sizeof *v);
  in_.remove_prefix(sizeof *v);
  return true;
}

bool RecordReader::Str(std::string* s) {
  uint64_t n = 0;
  if (!U64(&n) || in_.size() < n) return false;
  s->assign(in_.data(), n);
  in_.remove_prefix(n);
  return true;
}

}  // namespace dredge
