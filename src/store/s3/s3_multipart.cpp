// Multipart upload for objects above StoreOptions.multipart_threshold (see s3_store.h).
//
// One read pass hashes the whole object and every part (the whole MD5 must be in the
// metadata when the upload is created; each part's MD5 goes in its Content-MD5), then parts are
// streamed from the source by a few threads, each part's ETag checked against its MD5. Any
// failure aborts the upload so no parts are left behind to be billed; an upload left by a
// killed run is found and aborted later (s3_uploads.cpp, ops/upload_cleanup.h).
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "common/hash.h"
#include "common/log.h"
#include "store/s3/s3_errors.h"
#include "store/s3/s3_store.h"
#include "store/s3/s3_xml.h"

namespace dredge {
namespace {

constexpr uint64_t kMinPartSize = 5ull << 20;
constexpr uint64_t kMaxParts = 10000;
constexpr size_t kMaxParallelParts = 4;

struct Hashes {
  std::string whole_hex;
  std::vector<std::string> part_hex;
  std::string multipart_etag;  // MD5 of the concatenated part digests + "-N", as S3 computes it
};

Result<Hashes> HashParts(const ByteSource& src, uint64_t part_size, uint64_t nparts) {
  Hashes h;
  Hasher whole(HashAlgo::kMd5), part(HashAlgo::kMd5), combined(HashAlgo::kMd5);
  std::vector<char> buf(1 << 20);
  uint64_t off = 0;
  for (uint64_t p = 0; p < nparts; ++p) {
    uint64_t end = std::min(src.size(), off + part_size);
    while (off < end) {
      size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), end - off));
      DREDGE_ASSIGN_OR_RETURN(size_t n, src.ReadAt(off, std::span<char>(buf.data(), want)));
      if (n == 0) return Status::Io("source ended early at byte " + std::to_string(off));
      whole.Update(buf.data(), n);
      part.Update(buf.data(), n);
      off += n;
    }
    std::string raw = part.FinishRaw();
    combined.Update(raw);
    h.part_hex.push_back(ToHex(raw));
  }
  h.whole_hex = whole.FinishHex();
  h.multipart_etag = combined.FinishHex() + "-" + std::to_string(nparts);
  return h;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Status S3Store::AbortMultipart(std::string_view key, const std::string& upload_id) {
  Status why = AbortIncompleteUpload({std::string(key), upload_id, 0});
  if (why.ok()) return why;
  log::Warn("could not abort the multipart upload of '" + std::string(key) + "' in " + describe_ +
            " (" + why.message() +
            "); the next backup or prune aborts it once it is older than "
            "--abort-incomplete-after (docs/s3.md)");
  return why;
}

Result<PutResult> S3Store::PutMultipart(const std::string& full, std::string_view key,
                                        const ByteSource& src, const PutOptions& opts) {
  const uint64_t size = src.size();
  uint64_t part_size = std::max(config_.options.part_size, kMinPartSize);
  if ((size + part_size - 1) / part_size > kMaxParts)
    part_size = (size + kMaxParts - 1) / kMaxParts;
  const uint64_t nparts = (size + part_size - 1) / part_size;

  DREDGE_ASSIGN_OR_RETURN(Hashes hashes, HashParts(src, part_size, nparts));
  if (!opts.content_md5_hex.empty() && Lower(opts.content_md5_hex) != hashes.whole_hex)
    return Status::Corrupt("the bytes of '" + std::string(key) + "' have MD5 " + hashes.whole_hex +
                           " but " + Lower(opts.content_md5_hex) +
                           " was given: the source changed or the recorded MD5 is wrong");
  DREDGE_ASSIGN_OR_RETURN(std::string upload_id,
                          CreateMultipart(full, key, opts, hashes.whole_hex));
  auto etags = UploadParts(full, key, src, upload_id, part_size, hashes.part_hex);
  if (!etags.ok()) {
    (void)AbortMultipart(key, upload_id);
    return etags.status();
  }
  auto done = CompleteMultipart(full, key, upload_id, *etags, opts.if_absent, hashes.multipart_etag,
                                hashes.whole_hex);
  // After a failed or unreadable completion the upload may or may not exist: abort it; a 404
  // (already completed) is fine.
  if (!done.ok()) (void)AbortMultipart(key, upload_id);
  return done;
}

Result<std::string> S3Store::CreateMultipart(const std::string& full, std::string_view key,
                                             const PutOptions& opts, const std::string& md5_hex) {
  PutOptions with_md5 = opts;
  with_md5.metadata["md5"] = md5_hex;
  DREDGE_ASSIGN_OR_RETURN(s3::HttpRequest init, builder_.InitiateMultipart(full, with_md5));
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp, Send(init, "CREATE-MULTIPART", key));
  if (resp.status != 200) return Failed(resp, "CREATE-MULTIPART", key);
  return s3::ParseInitiateMultipartUpload(resp.body);
}

Result<std::vector<std::string>> S3Store::UploadParts(const std::string& full, std::string_view key,
                                                      const ByteSource& src,
                                                      const std::string& upload_id,
                                                      uint64_t part_size,
                                                      const std::vector<std::string>& part_md5s) {
  const uint64_t nparts = part_md5s.size();
  std::vector<std::string> etags(nparts);
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;
  auto fail = [&](Status s) {
    std::lock_guard lock(mu);
    if (first_error.ok()) first_error = std::move(s);
    failed = true;
  };
  auto one = [&](uint64_t p) -> Status {
    const uint64_t off = p * part_size;
    SliceSource part(src, off, std::min(part_size, src.size() - off));
    const int number = static_cast<int>(p + 1);
    const std::string op = "PUT-PART " + std::to_string(number) + "/" + std::to_string(nparts);
    DREDGE_ASSIGN_OR_RETURN(s3::HttpRequest req,
                            builder_.UploadPart(full, upload_id, number, part_md5s[p], &part));
    DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp, Send(req, op, key));
    if (resp.status != 200) return Failed(resp, op, key);
    std::string etag = Lower(s3::Unquote(resp.Header("etag")));
    if (etag != part_md5s[p] && config_.options.sse != "aws:kms")
      return Status::Corrupt("S3 stored part " + std::to_string(number) + " of '" +
                             std::string(key) + "' with ETag " + etag +
                             " but the bytes sent have MD5 " + part_md5s[p]);
    etags[p] = std::move(etag);
    return Status::Ok();
  };
  auto worker = [&] {
    for (uint64_t p = next++; p < nparts && !failed; p = next++)
      if (Status st = one(p); !st.ok()) return fail(std::move(st));
  };
  const size_t threads = static_cast<size_t>(std::min<uint64_t>(kMaxParallelParts, nparts));
  std::vector<std::thread> pool;
  for (size_t i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failed) return first_error;
  return etags;
}

Result<PutResult> S3Store::CompleteMultipart(const std::string& full, std::string_view key,
                                             const std::string& upload_id,
                                             const std::vector<std::string>& etags, bool if_absent,
                                             const std::string& expected_etag,
                                             const std::string& md5_hex) {
  std::vector<std::pair<int, std::string>> parts;
  for (size_t p = 0; p < etags.size(); ++p) parts.emplace_back(static_cast<int>(p + 1), etags[p]);
  const std::string xml = s3::BuildCompleteMultipartUpload(parts);
  MemorySource body(xml);
  s3::HttpRequest done = builder_.CompleteMultipart(full, upload_id, xml, &body, if_absent);
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp, Send(done, "COMPLETE-MULTIPART", key));
  if (resp.status != 200) return Failed(resp, "COMPLETE-MULTIPART", key);
  auto result = s3::ParseEtagResult(resp.body);
  if (!result.ok())
    return result.status().WithContext("completing the upload of '" + std::string(key) + "'");
  if (result->error)
    return s3::StatusFromS3Error(
        200, result->error, "",
        {"COMPLETE-MULTIPART", key, describe_, config_.aws.credentials_source});
  std::string etag = Lower(result->etag);
  // S3 answers "<md5 of part digests>-N"; some servers (the test server) the whole MD5.
  if (etag != expected_etag && etag != md5_hex && config_.options.sse != "aws:kms")
    return Status::Corrupt("S3 assembled '" + std::string(key) + "' with ETag " + etag +
                           " but the parts sent give " + expected_etag + ": upload it again");
  return PutResult{etag, resp.Header("x-amz-version-id")};
}

}  // namespace dredge
