// The s3:// ObjectStore driver: s3://bucket[/prefix] on AWS S3 or any S3-compatible server
// (MinIO, Ceph RGW, ...). Honours the contract in store/object_store.h; what it sends is
// described in docs/s3.md.
//
// What a caller may rely on beyond the contract:
//  - Keys are relative to the prefix and sent byte-exact (see s3_request.h). Empty keys and
//    keys over 1024 bytes with the prefix are InvalidArgument; "."/".." segments, "//" and
//    leading '/' are allowed (S3 stores them; file:// does not).
//  - Put sends Content-MD5 and compares the returned ETag with the MD5: on a mismatch (only
//    possible on servers that do not check Content-MD5) it removes what was stored and
//    returns Corrupt.
//    Above StoreOptions.multipart_threshold it uploads in parts of StoreOptions.part_size
//    (grown to stay within 10,000 parts), each with its own Content-MD5, stores the whole
//    object's MD5 in metadata "md5", and aborts the upload on any failure. With SSE-KMS the
//    ETag is not an MD5, so the MD5 is also kept in metadata "md5" for single-part objects.
//  - O10: PutOptions.retention becomes x-amz-object-lock-mode/-retain-until-date on the PUT (or
//    CreateMultipartUpload); Stat fills ObjectInfo.lock_mode/lock_retain_until from them.
//  - Get of a whole object checks the bytes against a plain-MD5 ETag (Corrupt on mismatch,
//    reported after the bytes were delivered to the sink).
//  - capabilities(): conditional_put is found out, not assumed, when the store is opened:
//    Create takes the answer remembered on this machine, and DecideCapabilities (which OpenS3,
//    the registry's factory, calls) probes the server once per endpoint and bucket — a PUT of
//    `.dredge/check/conditional-put-<hex>` with If-None-Match: *, the same again, which must
//    answer 412, then a DELETE of the probe — and remembers the answer in
//    DredgeCacheDir()/s3-capabilities/<sha256(endpoint, bucket)[:16]>.json for 7 days
//    (docs/s3.md). AWS (since 2024) and moto honour the header; the SigV4-checking test server,
//    older MinIO and Ceph ignore it and report false. A probe that cannot be completed
//    (network, permissions) leaves it undecided (false) and is not remembered.
//    capabilities() itself never sends a request. A capability is reported true only with
//    proof. versioning is false: the driver does not query bucket versioning there
//    (VersioningState does, on request).
//  - Object versions (V1-V6 of store/object_versions.h, s3_versions.cpp): VersioningState is
//    GetBucketVersioning (a server without the API, 501/405, is kNone); GetVersion/StatVersion
//    send ?versionId= (StatVersion fills the lock fields from the x-amz-object-lock-* headers);
//    a version S3 does not have (404 NoSuchVersion, 400 for an id it cannot read, 405 for a
//    delete marker) is NotFound naming the key and the id. ListVersions is ListObjectVersions,
//    paged by key-marker/version-id-marker, each page passed on before the next is asked for.
//    RemoveVersion is DELETE ?versionId=; a refusal (403) of a version under retention is
//    Permanent naming the key, the id and the retain-until date. ExtendRetention is
//    PutObjectRetention (?retention&versionId=, with Content-MD5); a bucket without Object
//    Lock (400 InvalidRequest) answers Unsupported.
//  - Incomplete uploads (store/incomplete_uploads.h): ListMultipartUploads (paged by key-marker
//    and upload-id-marker) and AbortMultipartUpload; Unsupported where the server answers 501
//    or 405.
//  - No retries here: the retry wrapper around the store retries Retryable errors.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "store/http/http_client.h"
#include "store/incomplete_uploads.h"
#include "store/object_lock.h"
#include "store/object_store.h"
#include "store/object_versions.h"
#include "store/s3/aws_config.h"
#include "store/s3/s3_request.h"
#include "store/store_options.h"

namespace dredge {

class S3Store final : public ObjectStore, public IncompleteUploads, public ObjectVersions {
 public:
  struct Config {
    std::string bucket;
    std::string prefix;
    StoreOptions options;
    s3::AwsConfig aws;
    std::function<int64_t()> clock;  // Unix seconds; the system clock when empty
    s3::HttpClientOptions http;      // ca_bundle is taken from `aws`
  };
  static Result<std::shared_ptr<S3Store>> Create(Config config);

  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override;
  Status Get(std::string_view key, ByteSink& sink,
             std::optional<ByteRange> range = std::nullopt) override;
  Result<ObjectInfo> Stat(std::string_view key) override;
  Status List(std::string_view prefix, const ListFn& fn) override;
  Status Remove(std::string_view key) override;
  Status Copy(std::string_view src_key, std::string_view dst_key,
              const std::optional<Metadata>& metadata = std::nullopt) override;
  // D2: a PUT answered 200 is durable on S3, so nothing is ever deferred.
  Status Sync() override { return Status::Ok(); }
  bool KeepsIncompleteUploads() const override { return true; }
  Status ListIncompleteUploads(std::string_view prefix, const IncompleteUploadFn& fn) override;
  Status AbortIncompleteUpload(const IncompleteUpload& upload) override;
  StoreCapabilities capabilities() const override;
  // Probes whether the server honours If-None-Match: * unless the answer is known (see above).
  void DecideCapabilities();
  std::string Describe() const override { return describe_; }
  // s3_versions.cpp (V1-V6, see above).
  Result<Versioning> VersioningState() override;
  Status GetVersion(std::string_view key, std::string_view version_id, ByteSink& sink,
                    std::optional<ByteRange> range) override;
  Result<ObjectInfo> StatVersion(std::string_view key, std::string_view version_id) override;
  Status ListVersions(std::string_view prefix, const VersionListFn& fn) override;
  Status RemoveVersion(std::string_view key, std::string_view version_id) override;
  Status ExtendRetention(std::string_view key, std::string_view version_id,
                         const Retention& retention) override;
  // Where the credentials came from, in the words `dredge check` prints (never a secret).
  const std::string& CredentialsSource() const { return config_.aws.credentials_source; }
  // The bucket's name, as the URL gave it.
  const std::string& Bucket() const { return config_.bucket; }

  // s3_lock.cpp: the pre-flight check of Object Lock (docs/object-lock.md):
  // GetObjectLockConfiguration and GetBucketVersioning. A bucket without an Object Lock
  // configuration, or a server without the API (501), is lock_enabled = false with the
  // server's error code in lock_answer; transport and permission errors are returned as they are.
  Result<BucketLockState> BucketObjectLock();

  // The transport, for tests of connection reuse.
  const s3::HttpClient& transport() const { return *http_; }

 private:
  S3Store(Config config, s3::RequestBuilder builder);
  // Sends and logs one request (debug: method, key, status, bytes, time). Transport errors
  // come back with the operation and key as context; HTTP statuses are the caller's to judge.
  // An answer saying the bucket is in another region (s3_region.h) switches the store to that
  // region for the rest of the run and the request is signed again and sent once more; an
  // explicit region (StoreOptions.region: --region, region in dredge.toml) that the bucket
  // contradicts is a Usage error naming both.
  Result<s3::HttpResponse> Send(const s3::HttpRequest& req, std::string_view op,
                                std::string_view key, ByteSink* sink = nullptr,
                                const s3::ResponseStartFn& on_start = nullptr);
  Result<s3::HttpResponse> SendOnce(const s3::HttpRequest& req, std::string_view op,
                                    std::string_view key, ByteSink* sink,
                                    const s3::ResponseStartFn& on_start);
  // The region a bucket-level HEAD's x-amz-bucket-region names ("" when none).
  std::string ProbeBucketRegion();
  Status UseRegion(const std::string& region);
  Status Failed(const s3::HttpResponse& resp, std::string_view op, std::string_view key) const;
  // Get and Stat of the current version (version_id empty) or of one version.
  Status GetObject(std::string_view key, const std::string& version_id, ByteSink& sink,
                   std::optional<ByteRange> range);
  Result<ObjectInfo> StatObject(std::string_view key, const std::string& version_id);
  // s3_versions.cpp: Failed for a request on one version: the answers S3 gives for a version
  // it does not have become NotFound naming the key and the id.
  Status VersionFailed(const s3::HttpResponse& resp, std::string_view op, std::string_view key,
                       const std::string& version_id) const;

  // s3_multipart.cpp
  Result<PutResult> PutMultipart(const std::string& full_key, std::string_view key,
                                 const ByteSource& src, const PutOptions& opts);
  // Aborts (AbortIncompleteUpload) and warns when that fails.
  Status AbortMultipart(std::string_view key, const std::string& upload_id);
  // The steps of PutMultipart: CreateMultipartUpload (the upload id); the parts on a few
  // threads, each ETag checked against its MD5 (their ETags in part order); the completion,
  // with the assembled ETag checked against the parts' (expected_etag) or the whole MD5.
  Result<std::string> CreateMultipart(const std::string& full_key, std::string_view key,
                                      const PutOptions& opts, const std::string& md5_hex);
  Result<std::vector<std::string>> UploadParts(const std::string& full_key, std::string_view key,
                                               const ByteSource& src, const std::string& upload_id,
                                               uint64_t part_size,
                                               const std::vector<std::string>& part_md5s);
  Result<PutResult> CompleteMultipart(const std::string& full_key, std::string_view key,
                                      const std::string& upload_id,
                                      const std::vector<std::string>& etags, bool if_absent,
                                      const std::string& expected_etag, const std::string& md5_hex);

  // s3_probe.cpp: true when a second If-None-Match: * PUT of a probe key answers 412.
  Result<bool> ProbeConditionalPut();
  // s3_probe.cpp: takes the answer remembered on this machine, if any (no request).
  void RecallCapabilities();

  Config config_;
  s3::RequestBuilder builder_;
  std::unique_ptr<s3::HttpClient> http_;
  std::string describe_;
  mutable std::mutex caps_mu_;
  std::optional<bool> conditional_put_;  // probed or read from the cache; unset = no proof
};

// The registry's entry: `rest` is "bucket[/prefix]"; endpoint, region and credentials come
// from StoreOptions and the AWS environment (s3/aws_config.h).
Result<std::shared_ptr<ObjectStore>> OpenS3(const std::string& rest, const StoreOptions& opts);
// The same with the environment injected (tests).
Result<std::shared_ptr<S3Store>> OpenS3WithEnv(const std::string& rest, const StoreOptions& opts,
                                               const s3::EnvFn& env);

}  // namespace dredge
