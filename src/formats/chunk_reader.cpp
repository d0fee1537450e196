#include "formats/chunk_reader.h"

#include <charconv>
#include <cstdlib>
#include <unordered_map>

#include "formats/copy_text.h"

namespace dredge {
namespace {

// A reader written for the one shape a chunk has (an object whose `rows` hold objects of
// scalars), instead of a general JSON library: nlohmann's SAX lexer, which builds every token
// one push_back at a time, was two thirds of restore's CPU (docs/BENCHMARKS.md). It accepts
// any RFC 8259 layout of that shape (whitespace, member order, unknown members are skipped);
// bytes are not checked for UTF-8 validity (the chunk's sha256 was checked before).
class Reader {
 public:
  Reader(std::string_view text, ChunkRowSink& sink)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), sink_(sink) {}

  Status Run() {
    Ws();
    if (p_ < end_ && *p_ == '[')
      return Fail("a dredge chunk is a JSON object (is this a legacy chunk?)"), status_;
    if (!Expect('{')) return status_;
    Ws();
    if (Peek() == '}') {
      ++p_;
    } else {
      for (;;) {
        Ws();
        if (!ReadString(&member_) || !Ws() || !Expect(':') || !Ws() || !TopMember()) return status_;
        Ws();
        if (Peek() == ',') {
          ++p_;
          continue;
        }
        if (!Expect('}')) return status_;
        break;
      }
    }
    Ws();
    if (p_ != end_) return Syntax("data after the chunk object"), status_;
    if (header_.format != "dredge-chunk")
      return Fail("not a dredge chunk (format '" + header_.format + "')"), status_;
    if (!header_sent_) SendHeader();
    return status_;
  }

 private:
  char Peek() const { return p_ < end_ ? *p_ : '\0'; }
  bool Ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
    return true;
  }
  bool Fail(std::string m) {
    if (status_.ok()) status_ = Status::Corrupt(std::move(m));
    return false;
  }
  bool Syntax(const std::string& what) {
    return Fail("invalid JSON at byte " + std::to_string(p_ - begin_) + ": " + what);
  }
  bool Expect(char c) {
    if (Peek() != c) return Syntax(std::string("expected '") + c + "'");
    ++p_;
    return true;
  }
  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
      return Syntax("invalid literal");
    p_ += word.size();
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  bool Hex4(uint32_t* v) {
    if (end_ - p_ < 4) return Syntax("truncated \\u escape");
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = *p_++;
      uint32_t d;
      if (c >= '0' && c <= '9')
        d = c - '0';
      else if (c >= 'a' && c <= 'f')
        d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        d = c - 'A' + 10;
      else
        return Syntax("invalid \\u escape");
      *v = *v * 16 + d;
    }
    return true;
  }
  // A JSON string (at its opening quote), decoded into `out` (replacing it).
  bool ReadString(std::string* out) { return ReadStringAs<false>(out); }
  // The same string as COPY text (what AppendEscaped makes of the decoded bytes), without the
  // decoded copy in between: runs of plain bytes need no escaping in either format.
  bool ReadStringAsCopy(std::string* out) { return ReadStringAs<true>(out); }

  // The byte a one-character JSON escape (after the backslash) stands for; 0 for 'u' and for
  // letters that are no escape.
  static char SimpleEscape(char e) {
    switch (e) {
      case '"':
      case '\\':
      case '/':
        return e;
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      default:
        return 0;
    }
  }

  template <bool kCopy>
  static void Emit(char c, std::string* out) {
    if constexpr (kCopy)
      copytext::AppendEscaped(std::string_view(&c, 1), out);
    else
      out->push_back(c);
  }

  template <bool kCopy>
  bool ReadStringAs(std::string* out) {
    if (!Expect('"')) return false;
    out->clear();
    for (;;) {
      const char* run = p_;
      p_ = FindJsonSpecial(p_, end_);
      out->append(run, p_ - run);
      if (p_ >= end_) return Syntax("unterminated string");
      char c = *p_++;
      if (c == '"') return true;
      if (c != '\\') return --p_, Syntax("control character in string");
      if (p_ >= end_) return Syntax("unterminated string");
      char e = *p_++;
      if (char plain = SimpleEscape(e)) {
        Emit<kCopy>(plain, out);
        continue;
      }
      if (e != 'u') return Syntax("invalid escape");
      uint32_t cp = 0;
      if (!Hex4(&cp)) return false;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t lo = 0;
        if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
          return Syntax("high surrogate without its low surrogate");
        p_ += 2;
        if (!Hex4(&lo)) return false;
        if (lo < 0xDC00 || lo > 0xDFFF) return Syntax("invalid low surrogate");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return Syntax("low surrogate without its high surrogate");
      }
      if constexpr (kCopy) {
        std::string bytes;
        AppendUtf8(cp, &bytes);
        copytext::AppendEscaped(bytes, out);
      } else {
        AppendUtf8(cp, out);
      }
    }
  }
  // A number token as the old reader printed it: integers and floats as written, except the
  // two spellings of negative zero ("-0" is the integer 0, "-0.0" the float -0).
  bool ReadNumber(std::string* out) {
    const char* s = p_;
    if (Peek() == '-') ++p_;
    if (Peek() == '0') {
      ++p_;
    } else if (Peek() >= '1' && Peek() <= '9') {
      while (Peek() >= '0' && Peek() <= '9') ++p_;
    } else {
      return Syntax("invalid number");
    }
    bool is_float = false;
    if (Peek() == '.') {
      is_float = true;
      ++p_;
      if (!(Peek() >= '0' && Peek() <= '9')) return Syntax("invalid number");
      while (Peek() >= '0' && Peek() <= '9') ++p_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      is_float = true;
      ++p_;
      if (Peek() == '+' || Peek() == '-') ++p_;
      if (!(Peek() >= '0' && Peek() <= '9')) return Syntax("invalid number");
      while (Peek() >= '0' && Peek() <= '9') ++p_;
    }
    std::string_view tok(s, p_ - s);
    if (!is_float && tok == "-0")
      out->assign(1, '0');
    else if (is_float && tok == "-0.0")
      out->assign("-0");
    else
      out->assign(tok);
    return true;
  }
  bool SkipValue(int depth) {
    if (depth > 256) return Syntax("nesting too deep");
    Ws();
    char c = Peek();
    if (c == '"') return ReadString(&scratch_);
    if (c == 't') return Literal("true");
    if (c == 'f') return Literal("false");
    if (c == 'n') return Literal("null");
    if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber(&scratch_);
    if (c != '{' && c != '[') return Syntax("expected a value");
    char close = c == '{' ? '}' : ']';
    ++p_;
    Ws();
    if (Peek() == close) return ++p_, true;
    for (;;) {
      Ws();
      if (c == '{' && (!ReadString(&scratch_) || !Ws() || !Expect(':'))) return false;
      if (!SkipValue(depth + 1)) return false;
      Ws();
      if (Peek() == ',') {
        ++p_;
        continue;
      }
      return Expect(close);
    }
  }

  bool TopMember() {
    char c = Peek();
    if ((member_ == "format" || member_ == "table" || member_ == "run") && c == '"') {
      std::string* dst = member_ == "format"  ? &header_.format
                         : member_ == "table" ? &header_.table
                                              : &header_.run;
      return ReadString(dst);
    }
    if ((member_ == "version" || member_ == "chunk") && (c == '-' || (c >= '0' && c <= '9'))) {
      if (!ReadNumber(&scratch_)) return false;
      if (member_ == "version")
        header_.version = std::strtoll(scratch_.c_str(), nullptr, 10);
      else
        header_.number = std::strtoull(scratch_.c_str(), nullptr, 10);
      return true;
    }
    if (member_ == "columns" && c == '[') {
      // Rows are decoded against the columns known when they start: a "columns" member after
      // "rows" would describe rows already delivered (and outgrow the field buffer), and a
      // second one would silently add columns.
      if (header_sent_ || columns_seen_)
        return Fail("chunk has \"columns\" twice or after \"rows\"");
      columns_seen_ = true;
      return Columns();
    }
    if (member_ == "rows" && c == '[') return Rows();
    return SkipValue(0);
  }

  bool Columns() {
    ++p_;
    Ws();
    if (Peek() == ']') return ++p_, true;
    for (;;) {
      Ws();
      if (Peek() != '{')
        return Fail(Peek() == '[' ? "unexpected array in chunk" : "unexpected value in chunk");
      ++p_;
      std::string name, type;
      Ws();
      if (Peek() == '}') {
        ++p_;
      } else {
        for (;;) {
          Ws();
          if (!ReadString(&key_) || !Ws() || !Expect(':') || !Ws()) return false;
          if ((key_ == "name" || key_ == "type") && Peek() == '"') {
            if (!ReadString(key_ == "name" ? &name : &type)) return false;
          } else if (Peek() == '{' || Peek() == '[') {
            return Fail(Peek() == '{' ? "unexpected object in chunk" : "unexpected array in chunk");
          } else if (!SkipValue(0)) {
            return false;
          }
          Ws();
          if (Peek() == ',') {
            ++p_;
            continue;
          }
          if (!Expect('}')) return false;
          break;
        }
      }
      header_.columns.push_back(MakeColumn(std::move(name), std::move(type)));
      Ws();
      if (Peek() == ',') {
        ++p_;
        continue;
      }
      return Expect(']');
    }
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
      status_ = st;
      return false;
    }
    fields_.resize(header_.columns.size());
    return true;
  }

  bool BadValue(const ColumnSpec& c) {
    return Fail("value of column '" + c.name + "' (" + c.type + ") has the wrong JSON type");
  }

  // One member value of a row into fields_[col] (col == SIZE_MAX: read and dropped).
  bool RowValue(size_t col) {
    const ColumnSpec* c = col == SIZE_MAX ? nullptr : &header_.columns[col];
    std::string& f = col == SIZE_MAX ? scratch_ : fields_[col];
    char ch = Peek();
    if (ch == 'n') {
      if (!Literal("null")) return false;
      f.assign(copytext::kNull);
    } else if (ch == 't' || ch == 'f') {
      if (!Literal(ch == 't' ? "true" : "false")) return false;
      if (c && c->codec != Codec::kBool) return BadValue(*c);
      f.assign(1, ch);
    } else if (ch == '"') {
      if (c && (c->codec == Codec::kBool || c->codec == Codec::kInt)) return BadValue(*c);
      if (!ReadStringAsCopy(&f)) return false;
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
      if (c && c->codec != Codec::kInt && c->codec != Codec::kInt8 && c->codec != Codec::kFloat)
        return BadValue(*c);
      if (!ReadNumber(&f)) return false;
    } else if (ch == '{' || ch == '[') {
      return Fail(ch == '{' ? "unexpected object in chunk" : "unexpected array in chunk");
    } else {
      return Syntax("expected a value");
    }
    if (c) seen_[col] = true;
    return true;
  }

  bool Rows() {
    ++p_;
    Ws();
    if (Peek() == ']') {
      ++p_;
      return header_sent_ || SendHeader();
    }
    for (;;) {
      Ws();
      if (Peek() != '{')
        return Fail(Peek() == '[' ? "unexpected array in chunk" : "unexpected value in chunk");
      ++p_;
      if (!header_sent_ && !SendHeader()) return false;
      seen_.assign(header_.columns.size(), false);
      for (auto& f : fields_) f.assign(copytext::kNull);
      size_t next_col = 0;
      Ws();
      if (Peek() == '}') {
        ++p_;
      } else {
        for (;;) {
          Ws();
          if (!ReadString(&key_) || !Ws() || !Expect(':') || !Ws()) return false;
          size_t col = SIZE_MAX;
          // Writers emit columns in order: try the expected one before the map.
          if (next_col < header_.columns.size() && header_.columns[next_col].name == key_) {
            col = next_col++;
          } else if (auto it = by_name_.find(key_); it != by_name_.end()) {
            col = it->second;
            next_col = col + 1;
          }
          if (!RowValue(col)) return false;
          Ws();
          if (Peek() == ',') {
            ++p_;
            continue;
          }
          if (!Expect('}')) return false;
          break;
        }
      }
      for (size_t i = 0; i < seen_.size(); ++i)
        if (!seen_[i]) return Fail("row lacks column '" + header_.columns[i].name + "'");
      Status st = sink_.OnRow(fields_);
      if (!st.ok()) return status_ = st, false;
      Ws();
      if (Peek() == ',') {
        ++p_;
        continue;
      }
      return Expect(']');
    }
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  ChunkRowSink& sink_;
  Status status_;
  ChunkHeader header_;
  bool header_sent_ = false;
  bool columns_seen_ = false;
  std::unordered_map<std::string, size_t> by_name_;
  std::vector<std::string> fields_;
  std::vector<bool> seen_;
  std::string member_, key_, scratch_;
};

}  // namespace

Status DecodeChunk(std::string_view text, ChunkRowSink& sink) {
  Reader r(text, sink);
  return r.Run();
}

}  // namespace dredge
