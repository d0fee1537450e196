#include "formats/copy_text.h"

#include <cstring>

namespace dredge::copytext {

void SplitLine(std::string_view line, std::vector<std::string_view>* fields) {
  fields->clear();
  size_t start = 0;
  for (;;) {
    const void* p = std::memchr(line.data() + start, '\t', line.size() - start);
    if (!p) {
      fields->push_back(line.substr(start));
      return;
    }
    size_t pos = static_cast<const char*>(p) - line.data();
    fields->push_back(line.substr(start, pos - start));
    start = pos + 1;
  }
}

void AppendEscaped(std::string_view raw, std::string* out) {
  size_t run = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c >= 0x20 && c != '\\') continue;
    const char* esc = nullptr;
    switch (c) {
      case '\\':
        esc = "\\\\";
        break;
      case '\b':
        esc = "\\b";
        break;
      case '\f':
        esc = "\\f";
        break;
      case '\n':
        esc = "\\n";
        break;
      case '\r':
        esc = "\\r";
        break;
      case '\t':
        esc = "\\t";
        break;
      case '\v':
        esc = "\\v";
        break;
      default:
        continue;  // other control characters travel raw, as the server prints them
    }
    out->append(raw.data() + run, i - run);
    out->append(esc, 2);
    run = i + 1;
  }
  out->append(raw.data() + run, raw.size() - run);
}

namespace {
int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string Unescape(std::string_view f) {
  std::string out;
  out.reserve(f.size());
  for (size_t i = 0; i < f.size(); ++i) {
    char c = f[i];
    if (c != '\\' || i + 1 == f.size()) {
      out.push_back(c);
      continue;
    }
    char n = f[++i];
    switch (n) {
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'v':
        out.push_back('\v');
        break;
      case 'x': {
        int v = 0, k = 0;
        while (k < 2 && i + 1 < f.size() && HexVal(f[i + 1]) >= 0) v = v * 16 + HexVal(f[++i]), ++k;
        if (k == 0)
          out.push_back('x');
        else
          out.push_back(static_cast<char>(v));
        break;
      }
      default:
        if (n >= '0' && n <= '7') {
          int v = n - '0', k = 1;
          while (k < 3 && i + 1 < f.size() && f[i + 1] >= '0' && f[i + 1] <= '7')
            v = v * 8 + (f[++i] - '0'), ++k;
          out.push_back(static_cast<char>(v));
        } else {
          out.push_back(n);
        }
    }
  }
  return out;
}

}  // namespace dredge::copytext
