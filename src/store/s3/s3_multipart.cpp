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
  if (!opts.content_md5_hex.empty()) {
    std::string given = opts.content_md5_hex;
    for (char& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (given != hashes.whole_hex)
      return Status::Corrupt("the bytes of '" + std::string(key) + "' have MD5 " +
                             hashes.whole_hex + " but " + given +
                             " was given: the source changed or the recorded MD5 is wrong");
  }
  PutOptions with_md5 = opts;
  with_md5.metadata["md5"] = hashes.whole_hex;
  DREDGE_ASSIGN_OR_RETURN(s3::HttpRequest init, builder_.InitiateMultipart(full, with_md5));
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse init_resp, Send(init, "CREATE-MULTIPART", key));
  if (init_resp.status != 200) return Failed(init_resp, "CREATE-MULTIPART", key);
  DREDGE_ASSIGN_OR_RETURN(std::string upload_id, s3::ParseInitiateMultipartUpload(init_resp.body));

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
  auto worker = [&] {
    for (uint64_t p = next++; p < nparts && !failed; p = next++) {
      uint64_t off = p * part_size;
      SliceSource part(src, off, std::min(part_size, size - off));
      const int number = static_cast<int>(p + 1);
      const std::string op = "PUT-PART " + std::to_string(number) + "/" + std::to_string(nparts);
      auto req = builder_.UploadPart(full, upload_id, number, hashes.part_hex[p], &part);
      if (!req.ok()) return fail(req.status());
      auto resp = Send(*req, op, key);
      if (!resp.ok()) return fail(resp.status());
      if (resp->status != 200) return fail(Failed(*resp, op, key));
      std::string etag = s3::Unquote(resp->Header("etag"));
      for (char& c : etag) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (etag != hashes.part_hex[p] && config_.options.sse != "aws:kms")
        return fail(Status::Corrupt("S3 stored part " + std::to_string(number) + " of '" +
                                    std::string(key) + "' with ETag " + etag +
                                    " but the bytes sent have MD5 " + hashes.part_hex[p]));
      etags[p] = etag;
    }
  };
  const size_t threads = static_cast<size_t>(std::min<uint64_t>(kMaxParallelParts, nparts));
  std::vector<std::thread> pool;
  for (size_t i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failed) {
    (void)AbortMultipart(key, upload_id);
    return first_error;
  }

  std::vector<std::pair<int, std::string>> parts;
  for (uint64_t p = 0; p < nparts; ++p) parts.emplace_back(static_cast<int>(p + 1), etags[p]);
  const std::string xml = s3::BuildCompleteMultipartUpload(parts);
  MemorySource body(xml);
  s3::HttpRequest done = builder_.CompleteMultipart(full, upload_id, xml, &body, opts.if_absent);
  auto resp = Send(done, "COMPLETE-MULTIPART", key);
  Status st;
  std::string etag;
  if (!resp.ok()) {
    st = resp.status();
  } else if (resp->status != 200) {
    st = Failed(*resp, "COMPLETE-MULTIPART", key);
  } else {
    auto result = s3::ParseEtagResult(resp->body);
    if (!result.ok()) {
      st = result.status().WithContext("completing the upload of '" + std::string(key) + "'");
    } else if (result->error) {
      st = s3::StatusFromS3Error(
          200, result->error, "",
          {"COMPLETE-MULTIPART", key, describe_, config_.aws.credentials_source});
    } else {
      etag = result->etag;
      for (char& c : etag) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      // S3 answers "<md5 of part digests>-N"; some servers (the test server) the whole MD5.
      if (etag != hashes.multipart_etag && etag != hashes.whole_hex &&
          config_.options.sse != "aws:kms")
        st = Status::Corrupt("S3 assembled '" + std::string(key) + "' with ETag " + etag +
                             " but the parts sent give " + hashes.multipart_etag +
                             ": upload it again");
    }
  }
  if (!st.ok()) {
    // After a failed or unreadable completion the upload may or may not exist: abort it; a
    // 404 (already completed) is fine.
    (void)AbortMultipart(key, upload_id);
    return st;
  }
  return PutResult{etag, resp->Header("x-amz-version-id")};
}

}  // namespace dredge
