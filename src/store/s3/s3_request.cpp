#include "store/s3/s3_request.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstdio>

#include "common/hash.h"
#include "common/time_util.h"

namespace dredge::s3 {
namespace {

bool IsIpLiteral(std::string_view host) {
  if (!host.empty() && host.front() == '[') return true;  // IPv6
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, std::string(host).c_str(), buf) == 1;
}

// A bucket that can be the first label of a TLS-verified host name.
bool IsDnsCompatibleBucket(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return b.front() != '-' && b.back() != '-';
}

Status ValidateBucket(const std::string& b) {
  if (b.empty()) return Status::Usage("the s3:// URL has no bucket: use s3://bucket[/prefix]");
  for (char c : b) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
    if (!ok)
      return Status::Usage("bucket name '" + b +
                           "' is not valid: use letters, digits, '-', '.' and '_'");
  }
  return Status::Ok();
}

// O10: Object Lock headers; S3 requires Content-MD5 beside them, which every PUT and part
// carries. The date in whole seconds: moto parses no other form.
void AddRetentionHeaders(const PutOptions& opts, HeaderList* h) {
  if (!opts.retention) return;
  h->emplace_back("x-amz-object-lock-mode", opts.retention->mode);
  h->emplace_back("x-amz-object-lock-retain-until-date",
                  FormatIsoUtc(opts.retention->retain_until));
}

std::string AwsHost(const std::string& region) {
  return "s3." + region + (region.rfind("cn-", 0) == 0 ? ".amazonaws.com.cn" : ".amazonaws.com");
}

QueryList VersionQuery(const std::string& version_id) {
  if (version_id.empty()) return {};
  return {{"versionId", version_id}};
}

}  // namespace

Result<S3Location> ResolveLocation(const std::string& endpoint_url, const std::string& bucket,
                                   const std::string& prefix, const std::string& region,
                                   bool force_path_style) {
  DREDGE_RETURN_IF_ERROR(ValidateBucket(bucket));
  S3Location loc;
  loc.bucket = bucket;
  loc.prefix = prefix;
  while (!loc.prefix.empty() && loc.prefix.back() == '/') loc.prefix.pop_back();
  std::string host;
  if (endpoint_url.empty()) {
    loc.scheme = "https";
    loc.aws_endpoint = true;
    host = AwsHost(region);
  } else {
    auto sep = endpoint_url.find("://");
    if (sep == std::string::npos)
      return Status::Usage("endpoint URL '" + endpoint_url +
                           "' has no scheme: use http://host:port or https://host");
    loc.scheme = endpoint_url.substr(0, sep);
    for (char& c : loc.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (loc.scheme != "http" && loc.scheme != "https")
      return Status::Usage("endpoint URL '" + endpoint_url +
                           "' must start with http:// or https://");
    std::string rest = endpoint_url.substr(sep + 3);
    auto slash = rest.find('/');
    host = rest.substr(0, slash);
    if (slash != std::string::npos) loc.base_path = rest.substr(slash);
    while (!loc.base_path.empty() && loc.base_path.back() == '/') loc.base_path.pop_back();
    if (host.empty() || host.find('@') != std::string::npos)
      return Status::Usage("endpoint URL '" + endpoint_url +
                           "' needs a host (and no user:password@ part)");
  }
  // Host without port, for the IP/localhost test.
  std::string bare = host;
  if (!bare.empty() && bare.front() == '[') {
    bare = bare.substr(0, bare.find(']') + 1);
  } else if (auto colon = bare.rfind(':'); colon != std::string::npos) {
    bare = bare.substr(0, colon);
  }
  loc.path_style = force_path_style || IsIpLiteral(bare) || bare == "localhost" ||
                   !IsDnsCompatibleBucket(bucket);
  loc.authority = loc.path_style ? host : bucket + "." + host;
  return loc;
}

Status ValidateWriteSettings(const WriteSettings& w) {
  if (!w.sse.empty() && w.sse != "AES256" && w.sse != "aws:kms")
    return Status::Usage("server-side encryption '" + w.sse +
                         "' is not supported: use AES256 or "
                         "aws:kms");
  if (!w.sse_kms_key_id.empty() && w.sse != "aws:kms")
    return Status::Usage("a KMS key id was given without --sse aws:kms");
  const std::string& c = w.storage_class;
  if (c.empty() || c == "STANDARD" || c == "STANDARD_IA" || c == "ONEZONE_IA" ||
      c == "INTELLIGENT_TIERING")
    return Status::Ok();
  if (c == "GLACIER" || c == "DEEP_ARCHIVE" || c == "GLACIER_IR" || c == "REDUCED_REDUNDANCY" ||
      c == "OUTPOSTS" || c == "SNOW" || c == "EXPRESS_ONEZONE")
    return Status::Usage("storage class " + c +
                         " is refused: dredge reads its objects back directly (verify, dedup "
                         "copies, restore), which archive classes only allow after a restore "
                         "request; use STANDARD, STANDARD_IA, ONEZONE_IA or INTELLIGENT_TIERING "
                         "and a lifecycle rule for archiving");
  return Status::Usage("unknown storage class '" + c +
                       "': use STANDARD, STANDARD_IA, ONEZONE_IA or INTELLIGENT_TIERING");
}

Status ValidateMetadata(const Metadata& m, std::string_view key) {
  for (const auto& [k, v] : m) {
    bool ok = !k.empty();
    for (char c : k)
      ok = ok &&
           ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
    if (!ok)
      return Status::InvalidArgument("metadata name '" + k + "' for '" + std::string(key) +
                                     "' must be lower-case letters, digits, '-', '_' or '.'");
    bool vok = v.empty() || (v.front() != ' ' && v.back() != ' ');
    for (char c : v) vok = vok && c >= 0x20 && c <= 0x7e;
    if (!vok)
      return Status::InvalidArgument("metadata value of '" + k + "' for '" + std::string(key) +
                                     "' must be printable ASCII without leading or trailing "
                                     "spaces");
  }
  return Status::Ok();
}

RequestBuilder::RequestBuilder(S3Location loc, std::string region, aws::ProviderPtr creds,
                               WriteSettings write, std::function<int64_t()> clock)
    : loc_(std::move(loc)),
      target_(std::make_shared<const Target>(Target{std::move(region), loc_.authority})),
      creds_(std::move(creds)),
      write_(std::move(write)),
      clock_(std::move(clock)) {}

RequestBuilder::RequestBuilder(S3Location loc, std::string region, Credentials creds,
                               WriteSettings write, std::function<int64_t()> clock)
    : RequestBuilder(std::move(loc), std::move(region),
                     std::make_shared<aws::StaticProvider>(std::move(creds), "static"),
                     std::move(write), std::move(clock)) {}

namespace {

// Length of the valid UTF-8 sequence at s[i] (1-4), or 0 when it is not one (overlong forms,
// surrogates and code points beyond U+10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = at(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xC2 && c <= 0xDF   ? 2
             : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4
                                      : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((at(i + k) & 0xC0) != 0x80) return 0;
  unsigned char c1 = at(i + 1);
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
      (c == 0xF4 && c1 > 0x8F))
    return 0;
  return n;
}

}  // namespace

Result<std::string> RequestBuilder::FullKey(std::string_view key) const {
  if (key.empty()) return Status::InvalidArgument("object key is empty");
  // S3 keys are Unicode text: a name that is not UTF-8 cannot be stored byte-exact (servers
  // answer with a misleading signature mismatch), so it is refused here, by name.
  for (size_t i = 0; i < key.size();) {
    size_t n = Utf8SequenceLength(key, i);
    if (n == 0) {
      std::string shown;
      for (unsigned char c : key) {
        char hex[5];
        std::snprintf(hex, sizeof hex, "\\x%02x", c);
        shown += c >= 0x20 && c < 0x7F ? std::string(1, static_cast<char>(c)) : std::string(hex);
      }
      return Status::InvalidArgument("object key '" + shown + "' is not valid UTF-8 (byte " +
                                     std::to_string(i) + "); S3 keys must be UTF-8: rename it " +
                                     "or back it up to a file:// destination");
    }
    i += n;
  }
  std::string full = loc_.prefix.empty() ? std::string(key) : loc_.prefix + "/" + std::string(key);
  if (full.size() > 1024)
    return Status::InvalidArgument("object key '" + std::string(key) + "' is " +
                                   std::to_string(full.size()) +
                                   " bytes with the store prefix; S3 allows 1024");
  return full;
}

std::string RequestBuilder::RelativeKey(std::string_view full_key) const {
  if (loc_.prefix.empty()) return std::string(full_key);
  return std::string(full_key.substr(std::min(full_key.size(), loc_.prefix.size() + 1)));
}

std::string RequestBuilder::ListPrefix(std::string_view prefix) const {
  if (loc_.prefix.empty()) return std::string(prefix);
  return loc_.prefix + "/" + std::string(prefix);
}

std::string RequestBuilder::CopySource(const std::string& full_key) const {
  return "/" + UriEncode(loc_.bucket, false) + "/" + UriEncode(full_key, true);
}

std::shared_ptr<const RequestBuilder::Target> RequestBuilder::target() const {
  std::lock_guard lock(*target_mu_);
  return target_;
}

std::string RequestBuilder::region() const {
  return target()->region;
}
std::string RequestBuilder::authority() const {
  return target()->authority;
}

bool RequestBuilder::SetRegion(const std::string& region) {
  std::string authority = loc_.authority;
  if (loc_.aws_endpoint)
    authority = loc_.path_style ? AwsHost(region) : loc_.bucket + "." + AwsHost(region);
  auto next = std::make_shared<const Target>(Target{region, std::move(authority)});
  std::lock_guard lock(*target_mu_);
  if (target_->region == region) return false;
  target_ = std::move(next);
  return true;
}

HttpRequest RequestBuilder::Sign(std::string method, const std::string& full_key, QueryList query,
                                 HeaderList headers, std::string payload_hash,
                                 const ByteSource* body) const {
  std::string path = loc_.base_path;
  if (loc_.path_style) path += "/" + UriEncode(loc_.bucket, false);
  // An empty key addresses the bucket: "/bucket" path-style, "/" virtual-hosted.
  if (!full_key.empty() || !loc_.path_style) path += "/" + UriEncode(full_key, true);
  return SignFor(std::make_shared<const SigningInput>(
                     SigningInput{std::move(method), std::move(path), std::move(query),
                                  std::move(headers), std::move(payload_hash)}),
                 body);
}

HttpRequest RequestBuilder::Resign(const HttpRequest& req) const {
  if (!req.unsigned_input) return req;
  return SignFor(req.unsigned_input, req.body);
}

HttpRequest RequestBuilder::SignFor(std::shared_ptr<const SigningInput> unsigned_input,
                                    const ByteSource* body) const {
  auto t = target();
  SigningInput in = *unsigned_input;
  in.headers.insert(in.headers.begin(), {"Host", t->authority});
  auto creds = creds_->Get();
  SigningResult sig;
  if (creds.ok()) sig = SignV4(in, creds->keys, t->region, "s3", clock_());

  HttpRequest req;
  req.method = in.method;
  req.url = loc_.scheme + "://" + t->authority + in.canonical_uri;
  std::string qs = CanonicalQueryString(in.query);
  if (!qs.empty()) req.url += "?" + qs;
  req.headers = std::move(in.headers);
  for (auto& h : sig.add_headers) req.headers.push_back(std::move(h));
  if (creds.ok()) req.headers.emplace_back("Authorization", std::move(sig.authorization));
  req.body = body;
  req.unsigned_input = std::move(unsigned_input);
  req.signed_region = t->region;
  return req;
}

void RequestBuilder::AddWriteHeaders(HeaderList* h) const {
  if (!write_.sse.empty()) h->emplace_back("x-amz-server-side-encryption", write_.sse);
  if (!write_.sse_kms_key_id.empty())
    h->emplace_back("x-amz-server-side-encryption-aws-kms-key-id", write_.sse_kms_key_id);
  if (!write_.storage_class.empty()) h->emplace_back("x-amz-storage-class", write_.storage_class);
}

HttpRequest RequestBuilder::Get(const std::string& full_key, std::optional<ByteRange> range,
                                const std::string& version_id) const {
  HeaderList h;
  if (range) {
    std::string r = "bytes=" + std::to_string(range->first) + "-";
    if (range->last != UINT64_MAX) r += std::to_string(range->last);
    h.emplace_back("Range", r);
  }
  return Sign("GET", full_key, VersionQuery(version_id), std::move(h), kEmptyPayloadSha256,
              nullptr);
}

HttpRequest RequestBuilder::Head(const std::string& full_key, const std::string& version_id) const {
  return Sign("HEAD", full_key, VersionQuery(version_id), {}, kEmptyPayloadSha256, nullptr);
}

HttpRequest RequestBuilder::Delete(const std::string& full_key) const {
  return Sign("DELETE", full_key, {}, {}, kEmptyPayloadSha256, nullptr);
}

HttpRequest RequestBuilder::DeleteVersion(const std::string& full_key,
                                          const std::string& version_id) const {
  return Sign("DELETE", full_key, {{"versionId", version_id}}, {}, kEmptyPayloadSha256, nullptr);
}

HttpRequest RequestBuilder::BucketSubresource(const std::string& name) const {
  return Sign("GET", "", {{name, ""}}, {}, kEmptyPayloadSha256, nullptr);
}

HttpRequest RequestBuilder::List(const std::string& full_prefix,
                                 const std::string& continuation_token) const {
  QueryList q{{"list-type", "2"}, {"encoding-type", "url"}};
  if (!full_prefix.empty()) q.emplace_back("prefix", full_prefix);
  if (!continuation_token.empty()) q.emplace_back("continuation-token", continuation_token);
  HttpRequest req = Sign("GET", "", std::move(q), {}, kEmptyPayloadSha256, nullptr);
  return req;
}

Result<HttpRequest> RequestBuilder::Put(const std::string& full_key, const PutOptions& opts,
                                        const std::string& md5_hex, const ByteSource* body) const {
  DREDGE_RETURN_IF_ERROR(ValidateMetadata(opts.metadata, full_key));
  auto raw = FromHex(md5_hex);
  if (!raw.ok() || raw->size() != 16)
    return Status::InvalidArgument("MD5 '" + md5_hex + "' given for '" + full_key +
                                   "' is not 32 hex digits");
  HeaderList h;
  h.emplace_back("Content-MD5", Base64Encode(*raw));
  h.emplace_back("Content-Type",
                 opts.content_type.empty() ? "application/octet-stream" : opts.content_type);
  if (opts.if_absent) h.emplace_back("If-None-Match", "*");
  for (const auto& [k, v] : opts.metadata) h.emplace_back("x-amz-meta-" + k, v);
  AddWriteHeaders(&h);
  AddRetentionHeaders(opts, &h);
  return Sign("PUT", full_key, {}, std::move(h), kUnsignedPayload, body);
}

Result<HttpRequest> RequestBuilder::Copy(const std::string& src_full_key,
                                         const std::string& dst_full_key,
                                         const std::optional<Metadata>& metadata) const {
  HeaderList h;
  h.emplace_back("x-amz-copy-source", CopySource(src_full_key));
  if (metadata) {
    DREDGE_RETURN_IF_ERROR(ValidateMetadata(*metadata, dst_full_key));
    h.emplace_back("x-amz-metadata-directive", "REPLACE");
    for (const auto& [k, v] : *metadata) h.emplace_back("x-amz-meta-" + k, v);
  }
  AddWriteHeaders(&h);
  return Sign("PUT", dst_full_key, {}, std::move(h), kEmptyPayloadSha256, nullptr);
}

Result<HttpRequest> RequestBuilder::InitiateMultipart(const std::string& full_key,
                                                      const PutOptions& opts) const {
  DREDGE_RETURN_IF_ERROR(ValidateMetadata(opts.metadata, full_key));
  HeaderList h;
  h.emplace_back("Content-Type",
                 opts.content_type.empty() ? "application/octet-stream" : opts.content_type);
  for (const auto& [k, v] : opts.metadata) h.emplace_back("x-amz-meta-" + k, v);
  AddWriteHeaders(&h);
  AddRetentionHeaders(opts, &h);
  return Sign("POST", full_key, {{"uploads", ""}}, std::move(h), kEmptyPayloadSha256, nullptr);
}

Result<HttpRequest> RequestBuilder::UploadPart(const std::string& full_key,
                                               const std::string& upload_id, int part_number,
                                               const std::string& md5_hex,
                                               const ByteSource* body) const {
  auto raw = FromHex(md5_hex);
  if (!raw.ok() || raw->size() != 16)
    return Status::InvalidArgument("part MD5 '" + md5_hex + "' is not 32 hex digits");
  HeaderList h{{"Content-MD5", Base64Encode(*raw)}};
  return Sign("PUT", full_key,
              {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}}, std::move(h),
              kUnsignedPayload, body);
}

HttpRequest RequestBuilder::CompleteMultipart(const std::string& full_key,
                                              const std::string& upload_id, const std::string& xml,
                                              const ByteSource* body, bool if_absent) const {
  HeaderList h{{"Content-Type", "application/xml"}};
  if (if_absent) h.emplace_back("If-None-Match", "*");
  // A small body: sign its hash rather than relying on Content-MD5.
  return Sign("POST", full_key, {{"uploadId", upload_id}}, std::move(h), Sha256Hex(xml), body);
}

HttpRequest RequestBuilder::AbortMultipart(const std::string& full_key,
                                           const std::string& upload_id) const {
  return Sign("DELETE", full_key, {{"uploadId", upload_id}}, {}, kEmptyPayloadSha256, nullptr);
}

HttpRequest RequestBuilder::ListMultipartUploads(const std::string& full_prefix,
                                                 const std::string& key_marker,
                                                 const std::string& upload_id_marker) const {
  QueryList q{{"uploads", ""}, {"encoding-type", "url"}};
  if (!full_prefix.empty()) q.emplace_back("prefix", full_prefix);
  if (!key_marker.empty()) q.emplace_back("key-marker", key_marker);
  if (!upload_id_marker.empty()) q.emplace_back("upload-id-marker", upload_id_marker);
  return Sign("GET", "", std::move(q), {}, kEmptyPayloadSha256, nullptr);
}

HttpRequest RequestBuilder::ListVersions(const std::string& full_prefix,
                                         const std::string& key_marker,
                                         const std::string& version_id_marker) const {
  QueryList q{{"versions", ""}, {"encoding-type", "url"}};
  if (!full_prefix.empty()) q.emplace_back("prefix", full_prefix);
  if (!key_marker.empty()) q.emplace_back("key-marker", key_marker);
  if (!version_id_marker.empty()) q.emplace_back("version-id-marker", version_id_marker);
  return Sign("GET", "", std::move(q), {}, kEmptyPayloadSha256, nullptr);
}

HttpRequest RequestBuilder::PutRetention(const std::string& full_key, const std::string& version_id,
                                         const std::string& xml, const ByteSource* body) const {
  HeaderList h{{"Content-MD5", Base64Encode(FromHex(Md5Hex(xml)).value())},
               {"Content-Type", "application/xml"}};
  QueryList q = VersionQuery(version_id);  // without one: the current version
  q.insert(q.begin(), {"retention", ""});
  return Sign("PUT", full_key, std::move(q), std::move(h), Sha256Hex(xml), body);
}

std::string RenderRequest(const HttpRequest& req) {
  std::string target = req.url.substr(req.url.find('/', req.url.find("://") + 3));
  std::string out = req.method + " " + target + " HTTP/1.1\r\n";
  for (const auto& [n, v] : req.headers) out += n + ": " + v + "\r\n";
  return out + "\r\n";
}

}  // namespace dredge::s3
