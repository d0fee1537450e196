// Parsing ListMultipartUploadsResult (the answer to GET /?uploads), kept apart from s3_xml.h.
//
// Contract:
//  - Elements are matched by local name, so a namespace prefix or xmlns does not matter, and
//    any root element name is accepted as long as it holds <Upload> entries or <IsTruncated>
//    (the AWS SDKs do not check the root name either).
//  - With <EncodingType>url</EncodingType>, Key and NextKeyMarker are percent-decoded.
//  - A truncated page must name NextKeyMarker (and, where the server sends one,
//    NextUploadIdMarker); else Corrupt, so a caller never pages forever.
//  - A body whose root is <Error> is Corrupt here: callers map non-200 answers before parsing.
//  - Entities declared in a DTD are refused (no expansion attacks); predefined ones and
//    character references are decoded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dredge::s3 {

struct ListedUpload {
  std::string key;  // full key in the bucket (the store prefix is still on it)
  std::string upload_id;
  int64_t initiated_ns = 0;
};

struct UploadsPage {
  std::vector<ListedUpload> uploads;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};

Result<UploadsPage> ParseListMultipartUploads(std::string_view xml);

}  // namespace dredge::s3
