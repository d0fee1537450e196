#include "formats/column_codec.h"

#include <array>
#include <cstring>

namespace dredge {
namespace {

bool EndsWith(std::string_view s, std::string_view suf) {
  return s.size() >= suf.size() && s.substr(s.size() - suf.size()) == suf;
}

// 1 for bytes a JSON string cannot hold raw; 2 for the COPY escape character.
constexpr std::array<uint8_t, 256> MakeTable(bool copy) {
  std::array<uint8_t, 256> t{};
  for (int i = 0; i < 0x20; ++i) t[i] = 1;
  t['"'] = 1;
  t['\\'] = copy ? 2 : 1;
  return t;
}
constexpr auto kJsonTable = MakeTable(false);
constexpr auto kCopyTable = MakeTable(true);

const char kHex[] = "0123456789abcdef";

}  // namespace

// Most text has none of these bytes, so it is scanned eight bytes per step (SWAR): a block passes
// when no byte is below 0x20 and none equals '"' or '\\'; a block that fails is walked bytewise.
const char* FindJsonSpecial(const char* p, const char* end) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  auto has_zero = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  while (end - p >= 8) {
    uint64_t x;
    std::memcpy(&x, p, 8);
    uint64_t special = ((x - kOnes * 0x20) & ~x & kHigh) | has_zero(x ^ (kOnes * '"')) |
                       has_zero(x ^ (kOnes * '\\'));
    if (special) break;
    p += 8;
  }
  while (p < end && !kCopyTable[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

namespace {

void AppendControl(unsigned char c, std::string* out) {
  switch (c) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    default: {
      char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(u, 6);
    }
  }
}

// COPY-escaped text straight to a JSON string body, without an intermediate raw copy.
void AppendJsonStringFromCopy(std::string_view f, std::string* out) {
  out->push_back('"');
  const char* p = f.data();
  const char* end = p + f.size();
  const char* run = p;
  while (p < end) {
    uint8_t k = kCopyTable[static_cast<unsigned char>(*p)];
    if (k == 0) {
      p = FindJsonSpecial(p, end);
      continue;
    }
    out->append(run, p - run);
    if (k == 1) {
      AppendControl(static_cast<unsigned char>(*p), out);
      ++p;
    } else if (p + 1 == end) {
      out->append("\\\\");
      ++p;
    } else {
      char n = p[1];
      p += 2;
      switch (n) {
        case 'b':
          out->append("\\b");
          break;
        case 'f':
          out->append("\\f");
          break;
        case 'n':
          out->append("\\n");
          break;
        case 'r':
          out->append("\\r");
          break;
        case 't':
          out->append("\\t");
          break;
        case 'v':
          out->append("\\u000b");
          break;
        case '\\':
          out->append("\\\\");
          break;
        default: {
          // Forms the server never prints (octal, \x): decode the slow way.
          std::string raw;
          if (n >= '0' && n <= '7') {
            int v = n - '0', k2 = 1;
            while (k2 < 3 && p < end && *p >= '0' && *p <= '7') v = v * 8 + (*p++ - '0'), ++k2;
            raw.push_back(static_cast<char>(v));
          } else {
            raw.push_back(n);
          }
          for (unsigned char c : raw) {
            if (kJsonTable[c])
              AppendControl(c, out);
            else
              out->push_back(static_cast<char>(c));
          }
        }
      }
    }
    run = p;
  }
  out->append(run, end - run);
  out->push_back('"');
}

bool FitsDouble(std::string_view digits) {
  // |v| < 2^53 = 9007199254740992 (16 digits): compare by length, then text.
  if (!digits.empty() && digits[0] == '-') digits.remove_prefix(1);
  if (digits.size() != 16) return digits.size() < 16;
  return digits < std::string_view("9007199254740992");
}

}  // namespace

Codec CodecForType(std::string_view t) {
  if (EndsWith(t, "[]")) return Codec::kString;
  if (t == "smallint" || t == "integer" || t == "oid") return Codec::kInt;
  if (t == "bigint") return Codec::kInt8;
  if (t == "real" || t == "double precision") return Codec::kFloat;
  if (t == "boolean") return Codec::kBool;
  return Codec::kString;
}

Temporal TemporalForType(std::string_view t) {
  if (t == "date") return Temporal::kDate;
  if (t.substr(0, 9) == "timestamp" && !EndsWith(t, "[]")) {
    return EndsWith(t, "with time zone") && !EndsWith(t, "without time zone")
               ? Temporal::kTimestampTz
               : Temporal::kTimestamp;
  }
  return Temporal::kNone;
}

ColumnSpec MakeColumn(std::string name, std::string type) {
  ColumnSpec c;
  c.codec = CodecForType(type);
  c.temporal = TemporalForType(type);
  c.name = std::move(name);
  c.type = std::move(type);
  return c;
}

bool IsIntegerCodec(Codec c) {
  return c == Codec::kInt || c == Codec::kInt8;
}

void AppendJsonString(std::string_view raw, std::string* out) {
  out->push_back('"');
  const char* p = raw.data();
  const char* end = p + raw.size();
  const char* run = p;
  for (; p < end; ++p) {
    if (!kJsonTable[static_cast<unsigned char>(*p)]) continue;
    out->append(run, p - run);
    AppendControl(static_cast<unsigned char>(*p), out);
    run = p + 1;
  }
  out->append(run, end - run);
  out->push_back('"');
}

void AppendJsonValue(Codec codec, std::string_view f, std::string* out) {
  switch (codec) {
    case Codec::kInt:
      out->append(f);
      return;
    case Codec::kInt8:
      if (FitsDouble(f)) {
        out->append(f);
      } else {
        out->push_back('"');
        out->append(f);
        out->push_back('"');
      }
      return;
    case Codec::kFloat:
      if (f == "NaN" || f == "Infinity" || f == "-Infinity") {
        out->push_back('"');
        out->append(f);
        out->push_back('"');
      } else if (f == "-0") {
        out->append("-0.0");  // a JSON parser would read "-0" as the integer 0
      } else {
        out->append(f);
      }
      return;
    case Codec::kBool:
      out->append(f == "t" ? "true" : "false");
      return;
    case Codec::kString:
      AppendJsonStringFromCopy(f, out);
      return;
  }
}

}  // namespace dredge
