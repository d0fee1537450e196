#include "store/s3/s3_versions_xml.h"

#include <expat.h>

#include <algorithm>
#include <charconv>

#include "common/time_util.h"
#include "store/s3/s3_xml.h"

namespace dredge::s3 {
namespace {

// Collects the text of the elements this answer has, by local name and depth: 2 = a child of
// the root, 3 = a child of a <Version> or <DeleteMarker>.
struct VersionsParse {
  XML_Parser parser = nullptr;
  int depth = 0;
  bool in_entry = false;
  bool root_is_error = false;
  bool url_encoded = false;
  std::string text;
  ListedVersion cur;
  VersionsPage page;
  Status bad;

  static std::string_view LocalName(const XML_Char* name) {
    std::string_view n(name);
    auto colon = n.rfind(':');
    return colon == std::string_view::npos ? n : n.substr(colon + 1);
  }
  static void Start(void* ud, const XML_Char* name, const XML_Char**) {
    auto* p = static_cast<VersionsParse*>(ud);
    ++p->depth;
    p->text.clear();
    std::string_view n = LocalName(name);
    if (p->depth == 1 && n == "Error") p->root_is_error = true;
    if (p->depth == 2 && (n == "Version" || n == "DeleteMarker")) {
      p->in_entry = true;
      p->cur = ListedVersion{};
      p->cur.delete_marker = n == "DeleteMarker";
    }
  }
  static void End(void* ud, const XML_Char* name) {
    auto* p = static_cast<VersionsParse*>(ud);
    p->Element(LocalName(name));
    p->text.clear();
    --p->depth;
  }
  void Fail(const Status& s) {
    if (bad.ok()) bad = s;
  }
  void EntryField(std::string_view n) {
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
  void Element(std::string_view n) {
    if (depth == 2 && in_entry && (n == "Version" || n == "DeleteMarker")) {
      in_entry = false;
      page.versions.push_back(std::move(cur));
    } else if (depth == 3 && in_entry) {
      EntryField(n);
    } else if (depth == 2) {
      if (n == "IsTruncated") page.truncated = text == "true" || text == "True";
      if (n == "NextKeyMarker") page.next_key_marker = text;
      if (n == "NextVersionIdMarker") page.next_version_id_marker = text;
      if (n == "EncodingType") url_encoded = text == "url";
    }
  }
  static void Text(void* ud, const XML_Char* s, int len) {
    static_cast<VersionsParse*>(ud)->text.append(s, static_cast<size_t>(len));
  }
  static void NoEntities(void* ud, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                         const XML_Char*, const XML_Char*, const XML_Char*) {
    XML_StopParser(static_cast<VersionsParse*>(ud)->parser, XML_FALSE);
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
  while (!xml.empty() && (xml.front() == ' ' || xml.front() == '\n' || xml.front() == '\r'))
    xml.remove_prefix(1);
  VersionsParse p;
  p.parser = XML_ParserCreate("UTF-8");
  if (!p.parser) return Status::Io("out of memory creating an XML parser");
  XML_SetUserData(p.parser, &p);
  XML_SetElementHandler(p.parser, &VersionsParse::Start, &VersionsParse::End);
  XML_SetCharacterDataHandler(p.parser, &VersionsParse::Text);
  XML_SetEntityDeclHandler(p.parser, &VersionsParse::NoEntities);
  bool parsed =
      XML_Parse(p.parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE) != XML_STATUS_ERROR;
  std::string why = parsed ? "" : XML_ErrorString(XML_GetErrorCode(p.parser));
  XML_ParserFree(p.parser);
  if (!parsed) return Status::Corrupt("cannot parse the S3 ListObjectVersions response: " + why);
  if (p.root_is_error)
    return Status::Corrupt("the S3 ListObjectVersions response is an <Error> with status 200");
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
