#include "formats/chunk_reader.h"

#include <charconv>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "formats/copy_text.h"

namespace dredge {
namespace {

using json = nlohmann::json;

// States of the top-level walk. Depth counts open containers.
class Handler final : public nlohmann::json_sax<json> {
 public:
  explicit Handler(ChunkRowSink& sink) : sink_(sink) {}
  Status status;

  bool null() override { return Scalar(std::string(copytext::kNull), Kind::kNull); }
  bool boolean(bool v) override { return Scalar(v ? "t" : "f", Kind::kBool); }
  bool number_integer(number_integer_t v) override { return Int(v); }
  bool number_unsigned(number_unsigned_t v) override {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return Scalar(std::string(buf, r.ptr), Kind::kNumber);
  }
  bool number_float(number_float_t, const string_t& raw) override {
    return Scalar(raw == "-0.0" ? std::string("-0") : raw, Kind::kNumber);
  }
  bool string(string_t& v) override { return Scalar(std::move(v), Kind::kString); }
  bool binary(binary_t&) override { return Fail("binary values are not JSON"); }

  bool start_object(std::size_t) override {
    ++depth_;
    if (depth_ == 1) return true;
    if (skip_depth_) return true;
    if (depth_ == 3 && section_ == Section::kColumns) {
      col_name_.clear();
      col_type_.clear();
      return true;
    }
    if (depth_ == 3 && section_ == Section::kRows) {
      if (!header_sent_ && !SendHeader()) return false;
      fields_.assign(header_.columns.size(), std::string(copytext::kNull));
      seen_.assign(header_.columns.size(), false);
      next_col_ = 0;
      return true;
    }
    if (depth_ == 2) return StartSkip();
    return Fail("unexpected object in chunk");
  }
  bool end_object() override {
    if (skip_depth_ && depth_ == skip_depth_)
      skip_depth_ = 0;
    else if (!skip_depth_ && depth_ == 3 && section_ == Section::kColumns)
      header_.columns.push_back(MakeColumn(col_name_, col_type_));
    else if (!skip_depth_ && depth_ == 3 && section_ == Section::kRows) {
      for (size_t i = 0; i < seen_.size(); ++i)
        if (!seen_[i]) return Fail("row lacks column '" + header_.columns[i].name + "'");
      Status st = sink_.OnRow(fields_);
      if (!st.ok()) {
        status = st;
        return false;
      }
    }
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    if (skip_depth_) return true;
    if (depth_ == 1) return Fail("a dredge chunk is a JSON object (is this a legacy chunk?)");
    if (depth_ == 2 && (member_ == "columns" || member_ == "rows")) {
      section_ = member_ == "columns" ? Section::kColumns : Section::kRows;
      return true;
    }
    if (depth_ == 2) return StartSkip();
    return Fail("unexpected array in chunk");
  }
  bool end_array() override {
    if (skip_depth_ && depth_ == skip_depth_)
      skip_depth_ = 0;
    else if (!skip_depth_ && depth_ == 2) {
      if (section_ == Section::kRows && !header_sent_ && !SendHeader()) return false;
      section_ = Section::kNone;
    }
    --depth_;
    return true;
  }
  bool key(string_t& k) override {
    if (skip_depth_) return true;
    if (depth_ == 1)
      member_ = std::move(k);
    else if (depth_ == 3 && section_ == Section::kColumns)
      member3_ = std::move(k);
    else if (depth_ == 3 && section_ == Section::kRows) {
      // Writers emit columns in order: try the expected one before the map.
      if (next_col_ < header_.columns.size() && header_.columns[next_col_].name == k) {
        col_ = next_col_++;
      } else {
        auto it = by_name_.find(k);
        if (it == by_name_.end()) {
          col_ = SIZE_MAX;  // unknown member: ignored
          return true;
        }
        col_ = it->second;
        next_col_ = col_ + 1;
      }
    }
    return true;
  }
  bool parse_error(std::size_t pos, const std::string&,
                   const nlohmann::detail::exception& e) override {
    return Fail("invalid JSON at byte " + std::to_string(pos) + ": " + e.what());
  }

  bool Finished() {
    if (!status.ok()) return false;
    if (header_.format != "dredge-chunk")
      return Fail("not a dredge chunk (format '" + header_.format + "')");
    if (!header_sent_) return SendHeader();
    return true;
  }

 private:
  enum class Section { kNone, kColumns, kRows };
  enum class Kind { kNull, kBool, kNumber, kString };

  bool Fail(std::string m) {
    if (status.ok()) status = Status::Corrupt(std::move(m));
    return false;
  }
  bool StartSkip() {
    skip_depth_ = depth_;
    return true;
  }
  bool Int(int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return Scalar(std::string(buf, r.ptr), Kind::kNumber);
  }
  bool SendHeader() {
    header_sent_ = true;
    if (header_.format != "dredge-chunk")
      return Fail("not a dredge chunk (format '" + header_.format + "')");
    if (header_.version != 1)
      return Fail("chunk format version " + std::to_string(header_.version) +
                  " is not supported by this dredge (it reads version 1)");
    for (size_t i = 0; i < header_.columns.size(); ++i) by_name_[header_.columns[i].name] = i;
    Status st = sink_.OnHeader(header_);
    if (!st.ok()) {
      status = st;
      return false;
    }
    return true;
  }
  bool Scalar(std::string v, Kind kind) {
    if (skip_depth_) return true;
    if (depth_ == 1) {
      if (member_ == "format" && kind == Kind::kString)
        header_.format = std::move(v);
      else if (member_ == "table" && kind == Kind::kString)
        header_.table = std::move(v);
      else if (member_ == "run" && kind == Kind::kString)
        header_.run = std::move(v);
      else if (member_ == "version" && kind == Kind::kNumber)
        header_.version = std::stoll(v);
      else if (member_ == "chunk" && kind == Kind::kNumber)
        header_.number = std::stoull(v);
      return true;
    }
    if (depth_ == 3 && section_ == Section::kColumns) {
      if (member3_ == "name")
        col_name_ = std::move(v);
      else if (member3_ == "type")
        col_type_ = std::move(v);
      return true;
    }
    if (depth_ == 3 && section_ == Section::kRows) {
      if (col_ == SIZE_MAX) return true;
      const ColumnSpec& c = header_.columns[col_];
      seen_[col_] = true;
      switch (kind) {
        case Kind::kNull:
          fields_[col_] = std::move(v);
          return true;
        case Kind::kBool:
          if (c.codec != Codec::kBool) return BadValue(c);
          fields_[col_] = std::move(v);
          return true;
        case Kind::kNumber:
          if (c.codec != Codec::kInt && c.codec != Codec::kInt8 && c.codec != Codec::kFloat)
            return BadValue(c);
          fields_[col_] = std::move(v);
          return true;
        case Kind::kString: {
          if (c.codec == Codec::kBool || c.codec == Codec::kInt) return BadValue(c);
          std::string& f = fields_[col_];
          f.clear();
          copytext::AppendEscaped(v, &f);
          return true;
        }
      }
    }
    return Fail("unexpected value in chunk");
  }
  bool BadValue(const ColumnSpec& c) {
    return Fail("value of column '" + c.name + "' (" + c.type + ") has the wrong JSON type");
  }

  ChunkRowSink& sink_;
  int depth_ = 0;
  int skip_depth_ = 0;
  Section section_ = Section::kNone;
  std::string member_, member3_;
  std::string col_name_, col_type_;
  ChunkHeader header_;
  bool header_sent_ = false;
  std::unordered_map<std::string, size_t> by_name_;
  std::vector<std::string> fields_;
  std::vector<bool> seen_;
  size_t next_col_ = 0;
  size_t col_ = 0;
};

}  // namespace

Status DecodeChunk(std::string_view text, ChunkRowSink& sink) {
  Handler h(sink);
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &h);
  } catch (const std::exception& e) {
    return Status::Corrupt(std::string("invalid chunk: ") + e.what());
  }
  if (!ok) return h.status.ok() ? Status::Corrupt("invalid chunk") : h.status;
  if (!h.Finished()) return h.status;
  return Status::Ok();
}

}  // namespace dredge
