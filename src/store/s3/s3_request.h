// Builds the exact HTTP requests the s3:// driver sends: URL (addressing + key encoding),
// headers (Content-MD5, metadata, SSE, storage class, conditions, Object Lock retention) and the
// SigV4 signature. No I/O: the clock is injected, so tests can compare the bytes we would send.
//
// Contract:
//  - Addressing: path-style (https://host/bucket/key) when the endpoint host is an IP literal
//    or "localhost", when force_path_style is set, or when the bucket name is not a DNS label
//    (dots would break TLS host matching); virtual-hosted (https://bucket.host/key) otherwise.
//    Without an endpoint URL the host is s3.<region>.amazonaws.com (.com.cn for cn-*).
//  - The region is found, not guessed: SetRegion switches it for every later request (and for
//    Resign) from any thread; on AWS's own endpoints the host follows the region.
//  - Keys are sent byte-exact: the store prefix and the key are joined with one '/', then
//    every byte outside A-Za-z0-9-._~/ is %XX-encoded. No unicode normalisation, no "//"
//    collapsing, "." and ".." segments kept (the transport sets CURLOPT_PATH_AS_IS).
//  - x-amz-copy-source is "/bucket/key" encoded the same way.
//  - A full key (prefix + key) must be 1..1024 bytes: else InvalidArgument naming it.
//  - Metadata keys must be lower-case [a-z0-9-_.] and values printable ASCII without leading
//    or trailing spaces (HTTP trims them, so they could not round-trip): else InvalidArgument.
//  - Object PUTs and parts carry Content-MD5 and are signed with UNSIGNED-PAYLOAD: S3 checks
//    the MD5 against the body (BadDigest; Object Lock headers need it too), so integrity is kept
//    without a second SHA-256 pass over every upload; TLS protects the body in transit on https
//    endpoints.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/aws/credential_provider.h"
#include "store/http/http_client.h"
#include "store/object_store.h"
#include "store/s3/sigv4.h"

namespace dredge::s3 {

struct S3Location {
  std::string scheme;     // "http" or "https"
  std::string authority;  // host[:port] as sent in Host (bucket. prepended when virtual)
  std::string base_path;  // "" or "/base" from the endpoint URL
  std::string bucket;
  std::string prefix;  // "" or "dir/sub" (no leading/trailing '/')
  bool path_style = false;
  bool aws_endpoint = false;  // no endpoint URL: the host is derived from the region
};

// Parses the endpoint (may be empty) and decides the addressing. InvalidArgument/Usage on a
// bad endpoint URL or bucket name.
Result<S3Location> ResolveLocation(const std::string& endpoint_url, const std::string& bucket,
                                   const std::string& prefix, const std::string& region,
                                   bool force_path_style);

// Settings applied to every object written.
struct WriteSettings {
  std::string sse;             // "", "AES256", "aws:kms"
  std::string sse_kms_key_id;  // with aws:kms
  std::string storage_class;   // "" or STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING
};
// Usage error naming the value and why (archive classes need a restore before reading).
Status ValidateWriteSettings(const WriteSettings& w);

Status ValidateMetadata(const Metadata& m, std::string_view key);

// Signing: every request is signed when it is built, with the provider's credentials of that
// moment (so temporary credentials refreshed mid-run are picked up by the next request). When
// the provider has none to give, the request is returned without an Authorization header: the
// sender must not send it (S3Store::Send reports the provider's error instead).
class RequestBuilder {
 public:
  RequestBuilder(S3Location loc, std::string region, aws::ProviderPtr creds, WriteSettings write,
                 std::function<int64_t()> clock);
  // Fixed keys (tests).
  RequestBuilder(S3Location loc, std::string region, Credentials creds, WriteSettings write,
                 std::function<int64_t()> clock);

  // The location as resolved at construction (authority: see authority()).
  const S3Location& location() const { return loc_; }
  // The region requests are signed for now, and the Host they are sent to.
  std::string region() const;
  std::string authority() const;
  // Signs every later request for `region` (thread-safe); on AWS endpoints also sends it to
  // that region's host. False when the region was already that one.
  bool SetRegion(const std::string& region);
  // `req`, built by this builder, signed again for the current region (and host).
  HttpRequest Resign(const HttpRequest& req) const;
  // prefix + "/" + key (or key alone without prefix); InvalidArgument when unusable.
  Result<std::string> FullKey(std::string_view key) const;
  // The key relative to the store, for a full key listed by S3.
  std::string RelativeKey(std::string_view full_key) const;
  // The prefix to list for a relative prefix (store prefix + "/" + prefix).
  std::string ListPrefix(std::string_view prefix) const;

  // With a version id, that version (?versionId=) rather than the current one.
  HttpRequest Get(const std::string& full_key, std::optional<ByteRange> range,
                  const std::string& version_id = "") const;
  HttpRequest Head(const std::string& full_key, const std::string& version_id = "") const;
  HttpRequest Delete(const std::string& full_key) const;
  // DELETE ?versionId=: removes that version for good (refused while it is locked).
  HttpRequest DeleteVersion(const std::string& full_key, const std::string& version_id) const;
  // GET /?<name> on the bucket: "object-lock", "versioning".
  HttpRequest BucketSubresource(const std::string& name) const;
  HttpRequest List(const std::string& full_prefix, const std::string& continuation_token) const;
  // md5_hex is the body's MD5 (Content-MD5). body may be null only for tests of the headers.
  Result<HttpRequest> Put(const std::string& full_key, const PutOptions& opts,
                          const std::string& md5_hex, const ByteSource* body) const;
  Result<HttpRequest> Copy(const std::string& src_full_key, const std::string& dst_full_key,
                           const std::optional<Metadata>& metadata) const;
  // CreateMultipartUpload with the object's metadata (which includes "md5").
  Result<HttpRequest> InitiateMultipart(const std::string& full_key, const PutOptions& opts) const;
  Result<HttpRequest> UploadPart(const std::string& full_key, const std::string& upload_id,
                                 int part_number, const std::string& md5_hex,
                                 const ByteSource* body) const;
  // body must stay alive until the request is sent; if_absent adds If-None-Match: *.
  HttpRequest CompleteMultipart(const std::string& full_key, const std::string& upload_id,
                                const std::string& xml, const ByteSource* body,
                                bool if_absent) const;
  HttpRequest AbortMultipart(const std::string& full_key, const std::string& upload_id) const;
  // ListMultipartUploads: GET /?uploads&encoding-type=url&prefix=…, paged by the markers of
  // the previous page (both empty for the first page).
  HttpRequest ListMultipartUploads(const std::string& full_prefix, const std::string& key_marker,
                                   const std::string& upload_id_marker) const;

  // ListObjectVersions: GET /?versions&encoding-type=url&prefix=…, paged by the markers of the
  // previous page (both empty for the first page).
  HttpRequest ListVersions(const std::string& full_prefix, const std::string& key_marker,
                           const std::string& version_id_marker) const;
  // PutObjectRetention: PUT ?retention&versionId= with `xml` (which `body` holds) and its
  // Content-MD5, which S3 requires on this call.
  HttpRequest PutRetention(const std::string& full_key, const std::string& version_id,
                           const std::string& xml, const ByteSource* body) const;

  // "/bucket/key" as x-amz-copy-source wants it.
  std::string CopySource(const std::string& full_key) const;

 private:
  HttpRequest Sign(std::string method, const std::string& full_key, QueryList query,
                   HeaderList headers, std::string payload_hash, const ByteSource* body) const;
  // Adds Host and the signature for the current region to `in` (which has no Host).
  HttpRequest SignFor(std::shared_ptr<const SigningInput> in, const ByteSource* body) const;
  struct Target {
    std::string region;
    std::string authority;
  };
  std::shared_ptr<const Target> target() const;
  void AddWriteHeaders(HeaderList* h) const;

  S3Location loc_;
  std::shared_ptr<std::mutex> target_mu_ = std::make_shared<std::mutex>();
  std::shared_ptr<const Target> target_;  // guarded by target_mu_
  aws::ProviderPtr creds_;
  WriteSettings write_;
  std::function<int64_t()> clock_;
};

// "PUT /bucket/key?x=y HTTP/1.1\r\nHost: ...\r\n...\r\n\r\n": what a request looks like on the
// wire apart from what the transport adds (User-Agent, Content-Length, Accept).
std::string RenderRequest(const HttpRequest& req);

}  // namespace dredge::s3
