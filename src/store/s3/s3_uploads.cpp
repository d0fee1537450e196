// U1-U2 on S3: ListMultipartUploads under the store prefix, paged by key-marker and
// upload-id-marker, and AbortMultipartUpload (see object_store.h and s3_store.h).
#include "common/log.h"
#include "store/s3/s3_errors.h"
#include "store/s3/s3_store.h"
#include "store/s3/s3_uploads_xml.h"

namespace dredge {

Status S3Store::ListIncompleteUploads(std::string_view prefix, const IncompleteUploadFn& fn) {
  const std::string full_prefix = builder_.ListPrefix(prefix);
  std::string key_marker, id_marker;
  do {
    s3::HttpRequest req = builder_.ListMultipartUploads(full_prefix, key_marker, id_marker);
    DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp, Send(req, "LIST-UPLOADS", prefix));
    if (resp.status != 200) return Failed(resp, "LIST-UPLOADS", prefix);
    auto page = s3::ParseListMultipartUploads(resp.body);
    if (!page.ok())
      return page.status().WithContext("listing the incomplete uploads under '" +
                                       std::string(prefix) + "' in " + describe_);
    for (const auto& u : page->uploads) {
      if (u.key.compare(0, full_prefix.size(), full_prefix) != 0) continue;  // not ours
      DREDGE_RETURN_IF_ERROR(fn({builder_.RelativeKey(u.key), u.upload_id, u.initiated_ns}));
    }
    if (!page->truncated) break;
    if (page->next_key_marker == key_marker && page->next_upload_id_marker == id_marker)
      return Status::Corrupt(
          "S3 returned the same upload markers twice while listing the "
          "incomplete uploads under '" +
          std::string(prefix) + "' in " + describe_);
    key_marker = page->next_key_marker;
    id_marker = page->next_upload_id_marker;
  } while (true);
  return Status::Ok();
}

Status S3Store::AbortIncompleteUpload(const IncompleteUpload& upload) {
  DREDGE_ASSIGN_OR_RETURN(std::string full, builder_.FullKey(upload.key));
  DREDGE_ASSIGN_OR_RETURN(
      s3::HttpResponse resp,
      Send(builder_.AbortMultipart(full, upload.upload_id), "ABORT", upload.key));
  // 404 NoSuchUpload: completed or aborted meanwhile, which is what was asked.
  if (resp.status == 204 || resp.status == 200 || resp.status == 404) return Status::Ok();
  return Failed(resp, "ABORT", upload.key);
}

}  // namespace dredge
