#include "store/s3/s3_uploads_xml.h"

#include "store/s3/s3_xml.h"
#include "store/s3/s3_xml_depth.h"

namespace dredge::s3 {
namespace {

// Collects an <Upload> (depth 2) from its children (depth 3) and the page's own fields.
struct UploadsParse {
  bool in_upload = false;
  bool url_encoded = false;
  ListedUpload cur;
  UploadsPage page;
  Status bad;

  void Start(int depth, std::string_view n) {
    if (depth == 2 && n == "Upload") {
      in_upload = true;
      cur = ListedUpload{};
    }
  }
  void End(int depth, std::string_view n, const std::string& text) {
    if (depth == 2 && n == "Upload") {
      in_upload = false;
      page.uploads.push_back(std::move(cur));
    } else if (depth == 3 && in_upload) {
      if (n == "Key") cur.key = text;
      if (n == "UploadId") cur.upload_id = text;
      if (n == "Initiated") {
        auto t = ParseS3Timestamp(text);
        if (t.ok()) cur.initiated_ns = *t;
        if (!t.ok() && bad.ok()) bad = t.status();
      }
    } else if (depth == 2) {
      if (n == "IsTruncated") page.truncated = text == "true";
      if (n == "NextKeyMarker") page.next_key_marker = text;
      if (n == "NextUploadIdMarker") page.next_upload_id_marker = text;
      if (n == "EncodingType") url_encoded = text == "url";
    }
  }
};

Status Decode(std::string* s) {
  auto d = UrlDecode(*s);
  if (!d.ok())
    return Status::Corrupt("S3 listed an undecodable upload key: " + d.status().message());
  *s = std::move(*d);
  return Status::Ok();
}

}  // namespace

Result<UploadsPage> ParseListMultipartUploads(std::string_view xml) {
  UploadsParse p;
  DREDGE_RETURN_IF_ERROR(
      ParseByDepth(xml, "ListMultipartUploads",
                   {[&](int d, std::string_view n) { p.Start(d, n); },
                    [&](int d, std::string_view n, const std::string& t) { p.End(d, n, t); }}));
  DREDGE_RETURN_IF_ERROR(p.bad);
  UploadsPage& page = p.page;
  if (p.url_encoded) {
    for (auto& u : page.uploads) DREDGE_RETURN_IF_ERROR(Decode(&u.key));
    DREDGE_RETURN_IF_ERROR(Decode(&page.next_key_marker));
  }
  for (const auto& u : page.uploads)
    if (u.key.empty() || u.upload_id.empty())
      return Status::Corrupt(
          "the S3 ListMultipartUploads response lists an upload without a "
          "Key or UploadId");
  if (page.truncated && page.next_key_marker.empty())
    return Status::Corrupt("S3 said the upload listing is truncated but sent no NextKeyMarker");
  return std::move(page);
}

}  // namespace dredge::s3
