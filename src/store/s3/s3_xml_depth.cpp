#include "store/s3/s3_xml_depth.h"

#include <expat.h>

namespace dredge::s3 {
namespace {

struct DepthParse {
  XML_Parser parser = nullptr;
  const DepthEvents* events = nullptr;
  int depth = 0;
  bool root_is_error = false;
  std::string text;

  static std::string_view LocalName(const XML_Char* name) {
    std::string_view n(name);
    auto colon = n.rfind(':');
    return colon == std::string_view::npos ? n : n.substr(colon + 1);
  }
  static void Start(void* ud, const XML_Char* name, const XML_Char**) {
    auto* p = static_cast<DepthParse*>(ud);
    ++p->depth;
    p->text.clear();
    std::string_view n = LocalName(name);
    if (p->depth == 1 && n == "Error") p->root_is_error = true;
    if (p->events->start) p->events->start(p->depth, n);
  }
  static void End(void* ud, const XML_Char* name) {
    auto* p = static_cast<DepthParse*>(ud);
    if (p->events->end) p->events->end(p->depth, LocalName(name), p->text);
    p->text.clear();
    --p->depth;
  }
  static void Text(void* ud, const XML_Char* s, int len) {
    static_cast<DepthParse*>(ud)->text.append(s, static_cast<size_t>(len));
  }
  static void NoEntities(void* ud, const XML_Char*, int, const XML_Char*, int, const XML_Char*,
                         const XML_Char*, const XML_Char*, const XML_Char*) {
    XML_StopParser(static_cast<DepthParse*>(ud)->parser, XML_FALSE);
  }
};

}  // namespace

Status ParseByDepth(std::string_view xml, const char* what, const DepthEvents& events) {
  while (!xml.empty() && (xml.front() == ' ' || xml.front() == '\n' || xml.front() == '\r'))
    xml.remove_prefix(1);
  DepthParse p;
  p.events = &events;
  p.parser = XML_ParserCreate("UTF-8");
  if (!p.parser) return Status::Io("out of memory creating an XML parser");
  XML_SetUserData(p.parser, &p);
  XML_SetElementHandler(p.parser, &DepthParse::Start, &DepthParse::End);
  XML_SetCharacterDataHandler(p.parser, &DepthParse::Text);
  XML_SetEntityDeclHandler(p.parser, &DepthParse::NoEntities);
  bool parsed =
      XML_Parse(p.parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE) != XML_STATUS_ERROR;
  std::string why = parsed ? "" : XML_ErrorString(XML_GetErrorCode(p.parser));
  XML_ParserFree(p.parser);
  if (!parsed)
    return Status::Corrupt(std::string("cannot parse the S3 ") + what + " response: " + why);
  if (p.root_is_error)
    return Status::Corrupt(std::string("the S3 ") + what +
                           " response is an <Error> with status 200");
  return Status::Ok();
}

}  // namespace dredge::s3
