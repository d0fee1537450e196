#include "store/s3/s3_store.h"

#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "common/hash.h"
#include "common/log.h"
#include "common/time_util.h"
#include "store/s3/s3_errors.h"
#include "store/s3/s3_region.h"
#include "store/s3/s3_xml.h"

namespace dredge {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsPlainMd5(const std::string& etag) {
  if (etag.size() != 32) return false;
  for (char c : etag)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// With SSE-KMS or SSE-C, S3's ETag is not the MD5 of the bytes.
bool EtagIsNotMd5(const s3::HttpResponse& r) {
  std::string sse = r.Header("x-amz-server-side-encryption");
  return sse.rfind("aws:kms", 0) == 0 ||
         !r.Header("x-amz-server-side-encryption-customer-algorithm").empty();
}

// Passes bytes to the real sink, hashing them, and — when the server ignored our Range and
// sent the whole object (200 instead of 206) — keeps only the requested window.
class GetSink final : public ByteSink {
 public:
  GetSink(ByteSink& inner, bool hash) : inner_(inner), hash_(hash), md5_(HashAlgo::kMd5) {}
  void SetWindow(uint64_t skip, uint64_t limit) {
    skip_ = skip;
    limit_ = limit;
  }
  Status Write(std::string_view data) override {
    if (hash_) md5_.Update(data);
    if (skip_ > 0) {
      size_t n = std::min<uint64_t>(skip_, data.size());
      data.remove_prefix(n);
      skip_ -= n;
    }
    if (data.size() > limit_) data = data.substr(0, limit_);
    limit_ -= data.size();
    if (data.empty()) return Status::Ok();
    return inner_.Write(data);
  }
  std::string Md5Hex() { return md5_.FinishHex(); }

 private:
  ByteSink& inner_;
  bool hash_;
  Hasher md5_;
  uint64_t skip_ = 0;
  uint64_t limit_ = UINT64_MAX;
};

}  // namespace

Result<std::shared_ptr<S3Store>> S3Store::Create(Config config) {
  s3::WriteSettings write{config.options.sse, config.options.sse_kms_key_id,
                          config.options.storage_class};
  DREDGE_RETURN_IF_ERROR(s3::ValidateWriteSettings(write));
  if (!config.aws.credentials)
    return Status::InvalidArgument("S3Store::Create needs a credential provider");
  if (config.options.part_size < (5ull << 20))
    return Status::Usage("multipart part size " + std::to_string(config.options.part_size) +
                         " is below S3's minimum of 5 MiB");
  DREDGE_ASSIGN_OR_RETURN(s3::S3Location loc,
                          s3::ResolveLocation(config.aws.endpoint_url, config.bucket, config.prefix,
                                              config.aws.region, config.options.force_path_style));
  if (!config.clock) config.clock = [] { return static_cast<int64_t>(std::time(nullptr)); };
  s3::RequestBuilder builder(loc, config.aws.region, config.aws.credentials, write, config.clock);
  // A region S3 named earlier in the run wins over a guessed one (an explicit one that
  // contradicts it is refused at the first answer that names it again).
  std::string known = s3::RememberedBucketRegion(config.aws.endpoint_url, config.bucket);
  if (!known.empty() && config.options.region.empty()) builder.SetRegion(known);
  std::shared_ptr<S3Store> store(new S3Store(std::move(config), std::move(builder)));
  store->RecallCapabilities();
  return store;
}

S3Store::S3Store(Config config, s3::RequestBuilder builder)
    : config_(std::move(config)), builder_(std::move(builder)) {
  s3::HttpClientOptions http = config_.http;
  if (!config_.aws.ca_bundle.empty()) http.ca_bundle = config_.aws.ca_bundle;
  if (config_.options.max_connections > 0)
    http.max_idle_handles = static_cast<size_t>(config_.options.max_connections);
  http_ = std::make_unique<s3::HttpClient>(http);
  describe_ = "s3://" + builder_.location().bucket +
              (builder_.location().prefix.empty() ? "" : "/" + builder_.location().prefix);
}

Result<s3::HttpResponse> S3Store::Send(const s3::HttpRequest& req, std::string_view op,
                                       std::string_view key, ByteSink* sink,
                                       const s3::ResponseStartFn& on_start) {
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp, SendOnce(req, op, key, sink, on_start));
  if (!req.unsigned_input || !s3::IsRegionRedirect(resp, req.method)) return resp;
  std::string region = s3::RegionFromAnswer(resp);
  if (region.empty()) region = ProbeBucketRegion();
  // Without a region to go to (or when it is the one signed for) the answer is the caller's
  // to report: a request is re-sent at most once.
  if (region.empty() || region == req.signed_region) return resp;
  DREDGE_RETURN_IF_ERROR(UseRegion(region));
  return SendOnce(builder_.Resign(req), op, key, sink, on_start);
}

std::string S3Store::ProbeBucketRegion() {
  auto resp = SendOnce(builder_.Head(""), "HEAD", "", nullptr, nullptr);
  return resp.ok() ? s3::RegionFromAnswer(*resp) : "";
}

Status S3Store::UseRegion(const std::string& region) {
  const std::string& bucket = builder_.location().bucket;
  const std::string& explicit_region = config_.options.region;
  if (!explicit_region.empty() && explicit_region != region)
    return Status::Usage("bucket '" + bucket + "' is in region " + region +
                         ", but the region was set to " + explicit_region +
                         " (--region or region in dredge.toml): set it to " + region +
                         " or leave it out, and dredge finds the bucket's region itself");
  s3::RememberBucketRegion(config_.aws.endpoint_url, bucket, region);
  std::string was = builder_.region();
  if (builder_.SetRegion(region))
    log::Info("bucket '" + bucket + "' is in region " + region + ", not " + was +
              ": requests are signed for " + region + " from now on");
  return Status::Ok();
}

Result<s3::HttpResponse> S3Store::SendOnce(const s3::HttpRequest& req, std::string_view op,
                                           std::string_view key, ByteSink* sink,
                                           const s3::ResponseStartFn& on_start) {
  bool signed_request = false;
  for (const auto& h : req.headers) signed_request = signed_request || h.first == "Authorization";
  if (!signed_request) {
    // The builder found no valid credentials to sign with (s3_request.h): say why.
    auto creds = config_.aws.credentials->Get();
    Status why = creds.ok() ? Status::Retryable(
                                  "the AWS credentials were renewed while the "
                                  "request was being built; sending it again")
                            : creds.status();
    return why.WithContext("S3 " + std::string(op) + " '" + std::string(key) + "' in " + describe_);
  }
  auto start = std::chrono::steady_clock::now();
  auto r = http_->Perform(req, sink, on_start);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  uint64_t sent = req.body ? req.body->size() : 0;
  if (!r.ok()) {
    log::Debug("s3 " + std::string(op) + " '" + std::string(key) + "' failed after " +
               std::to_string(ms) + " ms: " + r.status().ToString());
    if (r.status().Is(ErrorKind::kRetryable) || r.status().Is(ErrorKind::kPermanent) ||
        r.status().Is(ErrorKind::kInvalidArgument))
      return r.status().WithContext("S3 " + std::string(op) + " '" + std::string(key) + "' in " +
                                    describe_);
    return r.status();
  }
  log::Debug("s3 " + std::string(op) + " '" + std::string(key) + "' " + std::to_string(r->status) +
             " sent " + std::to_string(sent) + " B, received " + std::to_string(r->body_bytes) +
             " B, " + std::to_string(ms) + " ms");
  return r;
}

Status S3Store::Failed(const s3::HttpResponse& resp, std::string_view op,
                       std::string_view key) const {
  return s3::StatusFromResponse(resp, {op, key, describe_, config_.aws.credentials_source});
}

Result<PutResult> S3Store::Put(std::string_view key, const ByteSource& src,
                               const PutOptions& opts) {
  DREDGE_ASSIGN_OR_RETURN(std::string full, builder_.FullKey(key));
  if (src.size() > config_.options.multipart_threshold) return PutMultipart(full, key, src, opts);

  std::string md5 = Lower(opts.content_md5_hex);
  const bool computed = md5.empty();
  if (computed) {
    DREDGE_ASSIGN_OR_RETURN(md5, Md5HexOfSource(src));
  }
  PutOptions effective = opts;
  const bool kms = config_.options.sse == "aws:kms";
  if (kms) effective.metadata["md5"] = md5;
  DREDGE_ASSIGN_OR_RETURN(s3::HttpRequest req, builder_.Put(full, effective, md5, &src));
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp, Send(req, "PUT", key));
  if (resp.status != 200) return Failed(resp, "PUT", key);
  std::string etag = Lower(s3::Unquote(resp.Header("etag")));
  if (!kms && !EtagIsNotMd5(resp) && etag != md5) {
    // S3 refuses a body that does not match Content-MD5 (BadDigest), so this happens only on
    // servers that do not check it. What they stored is not what the caller meant to store:
    // remove it, so a failed put leaves nothing new visible under the key.
    Status removed = Remove(key);
    if (!removed.ok())
      log::Warn("could not remove '" + std::string(key) +
                "' after its MD5 mismatch: " + removed.message());
    return Status::Corrupt("S3 stored '" + std::string(key) + "' in " + describe_ + " with ETag " +
                           etag + " but the caller's MD5 is " + md5 +
                           ": the source changed since it was hashed, or the bytes were damaged "
                           "in transit; the object was removed, upload it again");
  }
  // O11: the server checked the body against this Content-MD5 (BadDigest otherwise).
  return PutResult{etag, resp.Header("x-amz-version-id"), computed ? md5 : ""};
}

Status S3Store::Get(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) {
  return GetObject(key, "", sink, range);
}

Status S3Store::GetObject(std::string_view key, const std::string& version_id, ByteSink& sink,
                          std::optional<ByteRange> range) {
  DREDGE_ASSIGN_OR_RETURN(std::string full, builder_.FullKey(key));
  if (range && range->last < range->first)
    return Status::InvalidArgument("range " + std::to_string(range->first) + "-" +
                                   std::to_string(range->last) + " of '" + std::string(key) +
                                   "' is empty");
  // bytes=0- is the whole object: ask for it plainly (servers disagree on ranges over empty
  // objects) and check its MD5.
  if (range && range->first == 0 && range->last == UINT64_MAX) range.reset();
  GetSink guard(sink, /*hash=*/!range);
  std::string etag;
  bool check_md5 = false;
  s3::ResponseStartFn on_start = [&](const s3::HttpResponse& head) -> Status {
    etag = Lower(s3::Unquote(head.Header("etag")));
    check_md5 = !range && head.status == 200 && IsPlainMd5(etag) && !EtagIsNotMd5(head);
    if (!range || (head.status != 200 && head.status != 206)) return Status::Ok();
    // Deliver exactly the requested window even when the server sent more: a 200 with the
    // whole object, or a 206 whose Content-Range starts earlier or ends later than asked.
    uint64_t sent_first = 0;
    if (head.status == 206) {
      unsigned long long a = 0, b = 0;
      if (std::sscanf(head.Header("content-range").c_str(), "bytes %llu-%llu", &a, &b) != 2 ||
          a > range->first)
        return Status::Corrupt("S3 answered the range " + std::to_string(range->first) + "-" +
                               " of '" + std::string(key) + "' with Content-Range '" +
                               head.Header("content-range") + "'");
      sent_first = a;
    }
    uint64_t len = range->last == UINT64_MAX ? UINT64_MAX : range->last - range->first + 1;
    guard.SetWindow(range->first - sent_first, len);
    return Status::Ok();
  };
  s3::HttpRequest req = builder_.Get(full, range, version_id);
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp, Send(req, "GET", key, &guard, on_start));
  if (resp.status == 416 && range && range->first == 0) {
    // An empty object has no byte 0: a range over it is the empty read the contract asks for.
    std::string cr = resp.Header("content-range");
    if (cr == "bytes */0") return Status::Ok();
  }
  if (resp.status != 200 && resp.status != 206)
    return version_id.empty() ? Failed(resp, "GET", key)
                              : VersionFailed(resp, "GET", key, version_id);
  if (check_md5) {
    std::string got = guard.Md5Hex();
    if (got != etag)
      return Status::Corrupt("the bytes of '" + std::string(key) + "' read from " + describe_ +
                             " have MD5 " + got + " but S3 lists ETag " + etag +
                             ": read it again; if it persists the stored object is damaged");
  }
  return Status::Ok();
}

Result<ObjectInfo> S3Store::Stat(std::string_view key) {
  return StatObject(key, "");
}

Result<ObjectInfo> S3Store::StatObject(std::string_view key, const std::string& version_id) {
  DREDGE_ASSIGN_OR_RETURN(std::string full, builder_.FullKey(key));
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp,
                          Send(builder_.Head(full, version_id), "HEAD", key));
  if (resp.status != 200)
    return version_id.empty() ? Failed(resp, "HEAD", key)
                              : VersionFailed(resp, "HEAD", key, version_id);
  ObjectInfo info;
  info.key = std::string(key);
  const std::string len = resp.Header("content-length");
  info.size = len.empty() ? 0 : std::strtoull(len.c_str(), nullptr, 10);
  info.etag = Lower(s3::Unquote(resp.Header("etag")));
  time_t lm = curl_getdate(resp.Header("last-modified").c_str(), nullptr);
  info.mtime_ns = lm < 0 ? 0 : static_cast<int64_t>(lm) * 1000000000LL;
  info.version_id = resp.Header("x-amz-version-id");
  info.lock_mode = resp.Header("x-amz-object-lock-mode");
  if (auto until = ParseIsoTime(resp.Header("x-amz-object-lock-retain-until-date")); until.ok())
    info.lock_retain_until = *until / 1000000000LL;
  for (const auto& [name, value] : resp.headers)
    if (name.rfind("x-amz-meta-", 0) == 0) info.metadata[name.substr(11)] = value;
  return info;
}

Status S3Store::List(std::string_view prefix, const ListFn& fn) {
  const std::string full_prefix = builder_.ListPrefix(prefix);
  std::string token;
  do {
    s3::HttpRequest req = builder_.List(full_prefix, token);
    DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp, Send(req, "LIST", prefix));
    if (resp.status != 200) return Failed(resp, "LIST", prefix);
    auto page = s3::ParseListObjectsV2(resp.body);
    if (!page.ok()) return page.status().WithContext("listing '" + std::string(prefix) + "'");
    for (auto& o : page->objects) {
      if (o.key.compare(0, full_prefix.size(), full_prefix) != 0) continue;  // not ours
      ObjectInfo info;
      info.key = builder_.RelativeKey(o.key);
      info.size = o.size;
      info.etag = Lower(std::move(o.etag));
      info.mtime_ns = o.mtime_ns;
      DREDGE_RETURN_IF_ERROR(fn(info));
    }
    if (page->truncated && page->next_continuation_token == token)
      return Status::Corrupt("S3 returned the same continuation token twice while listing '" +
                             std::string(prefix) + "' in " + describe_);
    token = page->truncated ? page->next_continuation_token : "";
  } while (!token.empty());
  return Status::Ok();
}

Status S3Store::Remove(std::string_view key) {
  DREDGE_ASSIGN_OR_RETURN(std::string full, builder_.FullKey(key));
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp, Send(builder_.Delete(full), "DELETE", key));
  if (resp.status == 204 || resp.status == 200 || resp.status == 404) return Status::Ok();
  return Failed(resp, "DELETE", key);
}

Status S3Store::Copy(std::string_view src_key, std::string_view dst_key,
                     const std::optional<Metadata>& metadata) {
  DREDGE_ASSIGN_OR_RETURN(std::string src, builder_.FullKey(src_key));
  DREDGE_ASSIGN_OR_RETURN(std::string dst, builder_.FullKey(dst_key));
  DREDGE_ASSIGN_OR_RETURN(s3::HttpRequest req, builder_.Copy(src, dst, metadata));
  const std::string what = std::string(src_key) + "' to '" + std::string(dst_key);
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp, Send(req, "COPY", what));
  if (resp.status != 200) return Failed(resp, "COPY", what);
  // A 200 can still carry an <Error>: S3 reports failures found after it started answering.
  auto result = s3::ParseEtagResult(resp.body);
  if (!result.ok()) return result.status().WithContext("copying '" + what + "'");
  if (result->error)
    return s3::StatusFromS3Error(200, result->error, "",
                                 {"COPY", what, describe_, config_.aws.credentials_source});
  return Status::Ok();
}

Result<std::shared_ptr<S3Store>> OpenS3WithEnv(const std::string& rest, const StoreOptions& opts,
                                               const s3::EnvFn& env) {
  auto slash = rest.find('/');
  S3Store::Config cfg;
  cfg.bucket = rest.substr(0, slash);
  cfg.prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  cfg.options = opts;
  DREDGE_ASSIGN_OR_RETURN(cfg.aws, s3::LoadAwsConfig(opts, env));
  return S3Store::Create(std::move(cfg));
}

Result<std::shared_ptr<ObjectStore>> OpenS3(const std::string& rest, const StoreOptions& opts) {
  DREDGE_ASSIGN_OR_RETURN(auto store, OpenS3WithEnv(rest, opts, s3::ProcessEnv));
  store->DecideCapabilities();  // when opened, so capabilities() is a plain answer after
  return std::shared_ptr<ObjectStore>(std::move(store));
}

}  // namespace dredge
