// Walks an S3 answer element by element, for the parsers that read by depth and local name
// (s3_uploads_xml.h, s3_versions_xml.h). Contract:
//  - `start` is called at every element's start, `end` at its end with its text; depth 1 is
//    the root, 2 its children, and so on. Names are local: a namespace prefix is dropped.
//  - Entities declared in a DTD are refused (no expansion attacks); predefined ones and
//    character references are decoded. Leading whitespace before the document is skipped.
//  - Corrupt "cannot parse the S3 <what> response: …" for malformed XML, and "the S3 <what>
//    response is an <Error> with status 200" when the root is <Error> (callers map non-200
//    answers before parsing).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dredge::s3 {

struct DepthEvents {
  std::function<void(int depth, std::string_view name)> start;
  std::function<void(int depth, std::string_view name, const std::string& text)> end;
};

Status ParseByDepth(std::string_view xml, const char* what, const DepthEvents& events);

}  // namespace dredge::s3
