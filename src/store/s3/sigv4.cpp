#include "store/s3/sigv4.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "common/hash.h"

namespace dredge::s3 {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Canonical header value: leading/trailing whitespace removed, inner runs of spaces collapsed
// to one (AWS "Trimall"). Servers see values trimmed, so signing them trimmed is what matches.
std::string TrimAll(std::string_view v) {
  size_t b = 0, e = v.size();
  while (b < e && (v[b] == ' ' || v[b] == '\t')) ++b;
  while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t')) --e;
  std::string out;
  out.reserve(e - b);
  bool prev_space = false;
  for (size_t i = b; i < e; ++i) {
    char c = v[i] == '\t' ? ' ' : v[i];
    if (c == ' ' && prev_space) continue;
    prev_space = c == ' ';
    out.push_back(c);
  }
  return out;
}

std::tm UtcTm(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

}  // namespace

std::string UriEncode(std::string_view bytes, bool keep_slash) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (unsigned char c : bytes) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string CanonicalQueryString(const QueryList& query) {
  std::vector<std::pair<std::string, std::string>> enc;
  enc.reserve(query.size());
  for (const auto& [k, v] : query) enc.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

std::string AmzDate(int64_t unix_seconds) {
  std::tm tm = UtcTm(unix_seconds);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string AmzDay(int64_t unix_seconds) {
  std::tm tm = UtcTm(unix_seconds);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

bool IsUnsignedHeader(std::string_view lower_name, std::string_view value) {
  // These are added, rewritten or dropped by the transport or proxies after signing; signing
  // them would make a correct request fail verification.
  static const char* const kUnsigned[] = {"authorization",     "expect",     "user-agent",
                                          "content-length",    "connection", "accept-encoding",
                                          "transfer-encoding", "accept"};
  for (const char* n : kUnsigned)
    if (lower_name == n) return true;
  return TrimAll(value).empty();
}

SigningResult SignV4(const SigningInput& in, const Credentials& creds, std::string_view region,
                     std::string_view service, int64_t unix_seconds) {
  SigningResult r;
  const std::string amz_date = AmzDate(unix_seconds);
  const std::string day = AmzDay(unix_seconds);

  // Headers the signer owns replace any the caller passed under the same name.
  std::map<std::string, std::string> own;
  own["x-amz-date"] = amz_date;
  if (service == "s3") own["x-amz-content-sha256"] = in.payload_hash;
  if (!creds.session_token.empty()) own["x-amz-security-token"] = creds.session_token;

  // name → values in the order given (duplicates are joined with ',' as AWS specifies).
  std::map<std::string, std::string> canon;
  for (const auto& [name, value] : in.headers) {
    std::string lname = Lower(name);
    if (own.count(lname) || IsUnsignedHeader(lname, value)) continue;
    auto [it, inserted] = canon.emplace(lname, TrimAll(value));
    if (!inserted) it->second += "," + TrimAll(value);
  }
  for (const auto& [name, value] : own) {
    canon[name] = value;
    r.add_headers.emplace_back(name, value);
  }

  std::string canonical_headers;
  for (const auto& [name, value] : canon) {
    canonical_headers += name + ":" + value + "\n";
    if (!r.signed_headers.empty()) r.signed_headers.push_back(';');
    r.signed_headers += name;
  }

  r.canonical_request = in.method + "\n" + in.canonical_uri + "\n" +
                        CanonicalQueryString(in.query) + "\n" + canonical_headers + "\n" +
                        r.signed_headers + "\n" + in.payload_hash;

  const std::string scope =
      day + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  r.string_to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(r.canonical_request);

  std::string k = HmacSha256Raw("AWS4" + creds.secret_access_key, day);
  k = HmacSha256Raw(k, region);
  k = HmacSha256Raw(k, service);
  k = HmacSha256Raw(k, "aws4_request");
  const std::string signature = ToHex(HmacSha256Raw(k, r.string_to_sign));

  r.authorization = "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + "/" + scope +
                    ",SignedHeaders=" + r.signed_headers + ",Signature=" + signature;
  return r;
}

}  // namespace dredge::s3
