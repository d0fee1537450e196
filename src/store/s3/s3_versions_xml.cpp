#include "store/s3/s3_versions_xml.h"

#include <algorithm>
#include <charconv>

#include "common/time_util.h"
#include "store/s3/s3_xml.h"
#include "store/s3/s3_xml_depth.h"

namespace dredge::s3 {
namespace {

// Collects a <Version> or <DeleteMarker> (depth 2) from its children (depth 3) and the page's
// own fields.
struct VersionsParse {
  bool in_entry = false;
  bool url_encoded = false;
  ListedVersion cur;
  VersionsPage page;
  Status bad;

  void Start(int depth, std::string_view n) {
    if (depth == 2 && (n == "Version" || n == "DeleteMarker")) {
      in_entry = true;
      cur = ListedVersion{};
      cur.delete_marker = n == "DeleteMarker";
    }
  }
  void Fail(const Status& s) {
    if (bad.ok()) bad = s;
  }
  void EntryField(std::string_view n, const std::string& text) {
    if (n == "Key") cur.key = text;
    if (n == "VersionId") cur.version_id = text;
    if (n == "IsLatest") cur.is_latest = text == "true" || text == "True";
    if (n == "ETag") cur.etag = Unquote(text);
    if (n == "Size") {
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), cur.size);
      if (ec != std::errc() || end != text.data() + text.size())
        Fail(Status::Corrupt("S3 listed a version size '" + text + "' that is not a number"));
    }
    if (n == "LastModified") {
      auto t = ParseS3Timestamp(text);
      if (t.ok()) cur.mtime_ns = *t;
      if (!t.ok()) Fail(t.status());
    }
  }
  void End(int depth, std::string_view n, const std::string& text) {
    if (depth == 2 && in_entry && (n == "Version" || n == "DeleteMarker")) {
      in_entry = false;
      page.versions.push_back(std::move(cur));
    } else if (depth == 3 && in_entry) {
      EntryField(n, text);
    } else if (depth == 2) {
      if (n == "IsTruncated") page.truncated = text == "true" || text == "True";
      if (n == "NextKeyMarker") page.next_key_marker = text;
      if (n == "NextVersionIdMarker") page.next_version_id_marker = text;
      if (n == "EncodingType") url_encoded = text == "url";
    }
  }
};

Status Decode(std::string* s) {
  auto d = UrlDecode(*s);
  if (!d.ok())
    return Status::Corrupt("S3 listed an undecodable version key: " + d.status().message());
  *s = std::move(*d);
  return Status::Ok();
}

Status Check(const VersionsPage& page) {
  for (const auto& v : page.versions)
    if (v.key.empty() || v.version_id.empty())
      return Status::Corrupt(
          "the S3 ListObjectVersions response lists a version without a Key or VersionId");
  if (page.truncated && page.next_key_marker.empty())
    return Status::Corrupt("S3 said the version listing is truncated but sent no NextKeyMarker");
  return Status::Ok();
}

}  // namespace

Result<VersionsPage> ParseListObjectVersions(std::string_view xml) {
  VersionsParse p;
  DREDGE_RETURN_IF_ERROR(
      ParseByDepth(xml, "ListObjectVersions",
                   {[&](int d, std::string_view n) { p.Start(d, n); },
                    [&](int d, std::string_view n, const std::string& t) { p.End(d, n, t); }}));
  DREDGE_RETURN_IF_ERROR(p.bad);
  VersionsPage& page = p.page;
  if (p.url_encoded) {
    for (auto& v : page.versions) DREDGE_RETURN_IF_ERROR(Decode(&v.key));
    DREDGE_RETURN_IF_ERROR(Decode(&page.next_key_marker));
  }
  DREDGE_RETURN_IF_ERROR(Check(page));
  std::stable_sort(page.versions.begin(), page.versions.end(),
                   [](const ListedVersion& a, const ListedVersion& b) {
                     if (a.key != b.key) return a.key < b.key;
                     if (a.mtime_ns != b.mtime_ns) return a.mtime_ns > b.mtime_ns;
                     return a.is_latest && !b.is_latest;
                   });
  return std::move(page);
}

std::string BuildRetention(const std::string& mode, int64_t retain_until_unix) {
  return "<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Mode>" + XmlEscape(mode) +
         "</Mode><RetainUntilDate>" + FormatIsoUtc(retain_until_unix) +
         "</RetainUntilDate></Retention>";
}

}  // namespace dredge::s3
