// V1-V6 of store/object_versions.h on S3 (s3_store.h says what is sent for each).
#include "common/time_util.h"
#include "store/byte_io.h"
#include "store/s3/s3_errors.h"
#include "store/s3/s3_store.h"
#include "store/s3/s3_versions_xml.h"
#include "store/s3/s3_xml.h"

namespace dredge {
namespace {

std::string VersionText(std::string_view key, std::string_view version_id) {
  return "version '" + std::string(version_id) + "' of '" + std::string(key) + "'";
}

}  // namespace

Status S3Store::VersionFailed(const s3::HttpResponse& resp, std::string_view op,
                              std::string_view key, const std::string& version_id) const {
  auto err = s3::ParseErrorBody(resp.body);
  const std::string code = err ? err->code : "";
  // 404 NoSuchVersion; 405 when the id is a delete marker's; 400 InvalidArgument for an id S3
  // cannot read (a HEAD has no body to say so).
  const bool absent = (resp.status == 404 && code != "NoSuchBucket") || resp.status == 405 ||
                      (resp.status == 400 && (code.empty() || code == "InvalidArgument"));
  if (!absent) return Failed(resp, op, key);
  return Status::NotFound(describe_ + " has no " + VersionText(key, version_id) + " (S3 answered " +
                          std::to_string(resp.status) + (code.empty() ? "" : " " + code) +
                          "): it was removed for good, is a delete marker, or never existed");
}

Result<Versioning> S3Store::VersioningState() {
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp,
                          Send(builder_.BucketSubresource("versioning"), "GET", "?versioning"));
  // A server without the API keeps no versions.
  if (resp.status == 501 || resp.status == 405) return Versioning::kNone;
  if (resp.status != 200) return Failed(resp, "GET", "?versioning");
  DREDGE_ASSIGN_OR_RETURN(std::string status, s3::ParseVersioningStatus(resp.body));
  if (status == "Enabled") return Versioning::kEnabled;
  if (status == "Suspended") return Versioning::kSuspended;
  return Versioning::kNone;
}

Status S3Store::GetVersion(std::string_view key, std::string_view version_id, ByteSink& sink,
                           std::optional<ByteRange> range) {
  if (version_id.empty())
    return Status::InvalidArgument("no version id given to read '" + std::string(key) + "'");
  return GetObject(key, std::string(version_id), sink, range);
}

Result<ObjectInfo> S3Store::StatVersion(std::string_view key, std::string_view version_id) {
  if (version_id.empty())
    return Status::InvalidArgument("no version id given to look up '" + std::string(key) + "'");
  return StatObject(key, std::string(version_id));
}

Status S3Store::ListVersions(std::string_view prefix, const VersionListFn& fn) {
  const std::string full_prefix = builder_.ListPrefix(prefix);
  std::string key_marker, id_marker;
  do {
    s3::HttpRequest req = builder_.ListVersions(full_prefix, key_marker, id_marker);
    DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp, Send(req, "LIST-VERSIONS", prefix));
    if (resp.status != 200) return Failed(resp, "LIST-VERSIONS", prefix);
    auto page = s3::ParseListObjectVersions(resp.body);
    if (!page.ok())
      return page.status().WithContext("listing the versions under '" + std::string(prefix) +
                                       "' in " + describe_);
    for (auto& v : page->versions) {
      if (v.key.compare(0, full_prefix.size(), full_prefix) != 0) continue;  // not ours
      DREDGE_RETURN_IF_ERROR(fn({builder_.RelativeKey(v.key), std::move(v.version_id), v.is_latest,
                                 v.delete_marker, v.size, std::move(v.etag), v.mtime_ns}));
    }
    if (!page->truncated) break;
    if (page->next_key_marker == key_marker && page->next_version_id_marker == id_marker)
      return Status::Corrupt("S3 returned the same version markers twice while listing '" +
                             std::string(prefix) + "' in " + describe_);
    key_marker = page->next_key_marker;
    id_marker = page->next_version_id_marker;
  } while (true);
  return Status::Ok();
}

Status S3Store::RemoveVersion(std::string_view key, std::string_view version_id) {
  DREDGE_ASSIGN_OR_RETURN(std::string full, builder_.FullKey(key));
  const std::string id(version_id);
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp,
                          Send(builder_.DeleteVersion(full, id), "DELETE", key));
  // 404: already gone, which is what was asked.
  if (resp.status == 204 || resp.status == 200 || resp.status == 404) return Status::Ok();
  if (resp.status != 403) return VersionFailed(resp, "DELETE", key, id);
  // Object Lock refuses with AccessDenied: say until when, so the caller can plan around it.
  auto info = StatObject(key, id);
  if (!info.ok() || info->lock_retain_until == 0) return Failed(resp, "DELETE", key);
  return Status::Permanent(VersionText(key, id) + " in " + describe_ + " is under " +
                           info->lock_mode + " retention until " +
                           FormatIsoUtc(info->lock_retain_until) +
                           ": it cannot be removed before then");
}

Status S3Store::ExtendRetention(std::string_view key, std::string_view version_id,
                                const Retention& retention) {
  DREDGE_ASSIGN_OR_RETURN(std::string full, builder_.FullKey(key));
  const std::string xml = s3::BuildRetention(retention.mode, retention.retain_until);
  MemorySource body(xml);
  s3::HttpRequest req = builder_.PutRetention(full, std::string(version_id), xml, &body);
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse resp, Send(req, "PUT-RETENTION", key));
  if (resp.status == 200 || resp.status == 204) return Status::Ok();
  auto err = s3::ParseErrorBody(resp.body);
  if (resp.status == 400 && err && err->code == "InvalidRequest")
    return Status::Unsupported(describe_ + " refused to set the retention of " +
                               VersionText(key, version_id) + " (" + err->message +
                               "): the bucket has no Object Lock; create one with Object Lock "
                               "enabled (docs/object-lock.md)");
  return VersionFailed(resp, "PUT-RETENTION", key, std::string(version_id));
}

}  // namespace dredge
