#include "store/s3/s3_uploads_xml.h"

#include <expat.h>

#include "store/s3/s3_xml.h"

namespace dredge::s3 {
namespace {

// Collects the text of the elements this answer has, by local name and depth: 2 = a child of
// the root, 3 = a child of an <Upload>.
struct UploadsParse {
  XML_Parser parser = nullptr;
  int depth = 0;
  bool in_upload = false;
  bool root_is_error = false;
  bool url_encoded = false;
  std::string text;
  ListedUpload cur;
  UploadsPage page;
  Status bad;

  static std::string_view LocalName(const XML_Char* name) {
    std::string_view n(name);
    auto colon = n.rfind(':');
    return colon == std::string_view::npos ? n : n.substr(colon + 1);
  }
  static void Start(void* ud, const XML_Char* name, const XML_Char**) {
    auto* p = static_cast<UploadsParse*>(ud);
    ++p->depth;
    p->text.clear();
    std::string_view n = LocalName(name);
    if (p->depth == 1 && n == "Error") p->root_is_error = true;
    if (p->depth == 2 && n == "Upload") {
      p->in_upload = true;
      p->cur = ListedUpload{};
    }
  }
  static void End(void* ud, const XML_Char* name) {
    auto* p = static_cast<UploadsParse*>(ud);
    p->Element(LocalName(name));
    p->text.clear();
    --p->depth;
  }
  void Element(std::string_view n) {
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
  static void Text(void* ud, const XML_Char* s, int len) {
    static_cast<UploadsParse*>(ud)->text.append(s, static_cast<size_t>(len));
  }
  static void NoEntities(void* ud, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                         const XML_Char*, const XML_Char*, const XML_Char*) {
    XML_StopParser(static_cast<UploadsParse*>(ud)->parser, XML_FALSE);
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
  while (!xml.empty() && (xml.front() == ' ' || xml.front() == '\n' || xml.front() == '\r'))
    xml.remove_prefix(1);
  UploadsParse p;
  p.parser = XML_ParserCreate("UTF-8");
  if (!p.parser) return Status::Io("out of memory creating an XML parser");
  XML_SetUserData(p.parser, &p);
  XML_SetElementHandler(p.parser, &UploadsParse::Start, &UploadsParse::End);
  XML_SetCharacterDataHandler(p.parser, &UploadsParse::Text);
  XML_SetEntityDeclHandler(p.parser, &UploadsParse::NoEntities);
  bool parsed =
      XML_Parse(p.parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE) != XML_STATUS_ERROR;
  std::string why = parsed ? "" : XML_ErrorString(XML_GetErrorCode(p.parser));
  XML_ParserFree(p.parser);
  if (!parsed) return Status::Corrupt("cannot parse the S3 ListMultipartUploads response: " + why);
  if (p.root_is_error)
    return Status::Corrupt("the S3 ListMultipartUploads response is an <Error> with status 200");
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
