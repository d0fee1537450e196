#include "formats/snapshot.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/hash.h"
#include "common/temp_file.h"
#include "common/time_util.h"
#include "formats/file_keys.h"
#include "store/stdio_sink.h"

namespace dredge {

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (int k = 1; k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

namespace {

std::string JsonString(std::string_view s) {
  return nlohmann::json(std::string(s)).dump();
}

std::string IsoSeconds(int64_t ns) {
  return FormatIsoUtc(ns / 1000000000LL);
}

}  // namespace

Result<std::unique_ptr<SnapshotWriter>> SnapshotWriter::Create(const std::string& tmp_dir,
                                                               const SnapshotHeader& h) {
  std::unique_ptr<SnapshotWriter> w(new SnapshotWriter());
  DREDGE_ASSIGN_OR_RETURN(TempFile tmp, CreateTempFile(tmp_dir, "dredge-snapshot-", "w"));
  w->tmp_path_ = tmp.path;
  w->f_ = tmp.f;
  std::string head =
      "{\"format\":\"dredge-files-snapshot\",\"version\":" +
      std::to_string(kSnapshotFormatVersion) + ",\n\"id\":" + JsonString(h.id) +
      ",\n\"started_at\":" + JsonString(IsoSeconds(h.started_ns)) +
      ",\n\"source\":" + JsonString(IsValidUtf8(h.source) ? h.source : Base64Encode(h.source)) +
      ",\n\"host\":" + JsonString(IsValidUtf8(h.host) ? h.host : "") + ",\n\"files\":[";
  if (std::fputs(head.c_str(), w->f_) < 0) w->ok_ = false;
  return w;
}

SnapshotWriter::~SnapshotWriter() {
  if (f_) std::fclose(f_);
  if (!tmp_path_.empty()) ::unlink(tmp_path_.c_str());
}

Status SnapshotWriter::Add(const SnapshotEntry& e) {
  std::string line = entries_ == 0 ? "\n" : ",\n";
  if (IsValidUtf8(e.path)) {
    line += "{\"path\":" + JsonString(e.path);
  } else {
    line += "{\"path_b64\":\"" + Base64Encode(e.path) + "\"";
  }
  line += ",\"size\":" + std::to_string(e.size) + ",\"mtime_ns\":\"" + std::to_string(e.mtime_ns) +
          "\",\"md5\":\"" + e.md5 + "\"";
  if (!e.version_id.empty()) line += ",\"version_id\":" + JsonString(e.version_id);
  if (e.retain_until > 0) line += ",\"retain_until\":" + std::to_string(e.retain_until);
  line += "}";
  if (std::fwrite(line.data(), 1, line.size(), f_) != line.size()) ok_ = false;
  ++entries_;
  if (!ok_) return Status::Io("cannot write snapshot temporary file " + tmp_path_);
  return Status::Ok();
}

Status SnapshotWriter::Finish(int64_t finished_ns, const std::map<std::string, uint64_t>& counts) {
  std::string tail =
      "\n],\n\"finished_at\":" + JsonString(IsoSeconds(finished_ns)) + ",\n\"counts\":{";
  bool first = true;
  for (const auto& [k, v] : counts) {
    tail += (first ? "" : ",") + JsonString(k) + ":" + std::to_string(v);
    first = false;
  }
  tail += "}}\n";
  if (std::fwrite(tail.data(), 1, tail.size(), f_) != tail.size()) ok_ = false;
  if (std::fflush(f_) != 0 || ::fsync(::fileno(f_)) != 0) ok_ = false;
  if (!ok_) return Status::Io("cannot write snapshot temporary file " + tmp_path_);
  return Status::Ok();
}

namespace {

using json = nlohmann::json;

class SnapshotSax : public nlohmann::json_sax<json> {
 public:
  SnapshotSax(const std::string& what, const SnapshotEntryFn& on_entry)
      : what_(what), on_entry_(on_entry) {}

  Status status = Status::Ok();
  SnapshotHeader header;
  bool saw_format = false;
  int64_t version = -1;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t v) override { return Number(static_cast<int64_t>(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Number(static_cast<int64_t>(v)); }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool string(string_t& v) override {
    if (AtTop()) {
      if (key_ == "format") {
        if (v != "dredge-files-snapshot") return Fail("its format is '" + v + "'");
        saw_format = true;
      } else if (key_ == "id") {
        header.id = v;
      } else if (key_ == "source") {
        header.source = v;
      } else if (key_ == "host") {
        header.host = v;
      } else if (key_ == "started_at" || key_ == "finished_at") {
        auto t = ParseIsoTime(v);
        if (!t.ok()) return Fail("bad time in " + key_);
        (key_ == "started_at" ? header.started_ns : header.finished_ns) = *t;
      }
    } else if (InEntry()) {
      if (key_ == "path") {
        entry_.path = v;
        has_path_ = true;
      } else if (key_ == "path_b64") {
        auto raw = Base64Decode(v);
        if (!raw.ok()) return Fail("bad path_b64 '" + v + "'");
        entry_.path = std::move(*raw);
        has_path_b64_ = true;
      } else if (key_ == "md5") {
        entry_.md5 = v;
      } else if (key_ == "version_id") {
        if (v.empty() || v.size() > 1024)
          return Fail("entry '" + entry_.path + "' has a bad version_id");
        entry_.version_id = v;
      } else if (key_ == "mtime_ns") {
        int64_t n = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc() || p != v.data() + v.size()) return Fail("bad mtime_ns '" + v + "'");
        entry_.mtime_ns = n;
      }
    }
    return true;
  }
  bool start_object(std::size_t) override { return Push(false); }
  bool end_object() override {
    if (InEntry()) {
      if (has_path_ == has_path_b64_)
        return Fail("an entry has " + std::string(has_path_ ? "both" : "neither") +
                    " of path and path_b64");
      if (entry_.md5.size() != 32) return Fail("entry '" + entry_.path + "' has no valid md5");
      Status s = on_entry_(entry_);
      if (!s.ok()) {
        status = s;
        return false;
      }
    }
    return Pop();
  }
  bool start_array(std::size_t) override { return Push(true); }
  bool end_array() override { return Pop(); }
  bool key(string_t& k) override {
    key_ = k;
    return true;
  }
  bool parse_error(std::size_t pos, const std::string&,
                   const nlohmann::detail::exception& e) override {
    return Fail("invalid JSON at byte " + std::to_string(pos) + " (" + e.what() + ")");
  }

 private:
  struct Frame {
    bool is_array;
    std::string key;  // key under which this container sits ("[]" for array elements)
  };
  bool AtTop() const { return frames_.size() == 1 && !frames_[0].is_array; }
  bool InEntry() const {
    return frames_.size() == 3 && frames_[1].key == "files" && frames_[1].is_array &&
           !frames_[2].is_array;
  }
  bool InCounts() const {
    return frames_.size() == 2 && frames_[1].key == "counts" && !frames_[1].is_array;
  }
  bool Number(int64_t v) {
    if (AtTop() && key_ == "version") {
      version = v;
      if (v > kSnapshotFormatVersion)
        return Fail("its version " + std::to_string(v) + " is newer than this dredge reads (" +
                    std::to_string(kSnapshotFormatVersion) + "): upgrade dredge");
    } else if (InEntry() && key_ == "size") {
      if (v < 0) return Fail("negative size");
      entry_.size = static_cast<uint64_t>(v);
    } else if (InEntry() && key_ == "retain_until") {
      if (v < 0) return Fail("negative retain_until");
      entry_.retain_until = v;
    } else if (InCounts() && v >= 0) {
      header.counts[key_] = static_cast<uint64_t>(v);
    }
    return true;
  }
  bool Push(bool is_array) {
    std::string k = (!frames_.empty() && frames_.back().is_array) ? "[]" : key_;
    frames_.push_back({is_array, std::move(k)});
    if (InEntry()) {
      entry_ = SnapshotEntry();
      has_path_ = has_path_b64_ = false;
    }
    return true;
  }
  bool Pop() {
    if (!frames_.empty()) frames_.pop_back();
    return true;
  }
  bool Fail(const std::string& why) {
    if (status.ok()) status = Status::Corrupt("snapshot " + what_ + " is not valid: " + why);
    return false;
  }

  const std::string& what_;
  const SnapshotEntryFn& on_entry_;
  std::vector<Frame> frames_;
  std::string key_;
  SnapshotEntry entry_;
  bool has_path_ = false, has_path_b64_ = false;
};

}  // namespace

Status ParseSnapshot(std::istream& in, const std::string& what, const SnapshotEntryFn& on_entry,
                     const SnapshotHeaderFn& on_header) {
  SnapshotSax sax(what, on_entry);
  bool ok = false;
  try {
    ok = json::sax_parse(in, &sax);
  } catch (const std::exception& e) {
    return Status::Corrupt("snapshot " + what + " is not valid JSON: " + e.what());
  }
  if (!sax.status.ok()) return sax.status;
  if (!ok) return Status::Corrupt("snapshot " + what + " is not valid JSON");
  if (!sax.saw_format || sax.version < 1)
    return Status::Corrupt("snapshot " + what + " lacks its format/version fields");
  return on_header ? on_header(sax.header) : Status::Ok();
}

Status ReadSnapshot(ObjectStore& store, const std::string& id, const SnapshotEntryFn& on_entry,
                    const SnapshotHeaderFn& on_header) {
  std::FILE* f = std::tmpfile();
  if (!f) return Status::Io(std::string("cannot create a temporary file: ") + std::strerror(errno));
  std::string key = file_keys::SnapshotKey(id);
  StdioSink sink(f);
  Status st = store.Get(key, sink);
  if (!st.ok()) {
    std::fclose(f);
    if (st.Is(ErrorKind::kNotFound))
      return Status::NotFound("snapshot " + id + " does not exist in " + store.Describe() +
                              " (see 'dredge snapshots')");
    return st.WithContext("cannot read snapshot " + id);
  }
  std::fflush(f);
  std::string path = "/proc/self/fd/" + std::to_string(::fileno(f));
  std::ifstream in(path, std::ios::binary);
  st = ParseSnapshot(in, id, on_entry, on_header);
  std::fclose(f);
  return st;
}

}  // namespace dredge
