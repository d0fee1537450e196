// Parsing ListVersionsResult (the answer to GET /?versions) and building the PutObjectRetention
// body, kept apart from s3_xml.h.
//
// Contract:
//  - <Version> and <DeleteMarker> entries are returned as AWS documents them: ascending by key,
//    newest first within a key (the latest first), the two kinds interleaved. A page that lists
//    its delete markers after all its versions (moto 5.2) is put into that order (a stable sort
//    by key, then last-modified descending), which leaves an AWS page as it came.
//  - Elements are matched by local name, so a namespace prefix or xmlns does not matter; any
//    root name is accepted except <Error> (Corrupt: callers map non-200 answers before parsing).
//  - With <EncodingType>url</EncodingType>, Key and NextKeyMarker are percent-decoded.
//  - A truncated page must name NextKeyMarker; else Corrupt, so a caller never pages forever.
//  - Entities declared in a DTD are refused; predefined ones and character references decode.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace dredge::s3 {

struct ListedVersion {
  std::string key;  // full key in the bucket (the store prefix is still on it)
  std::string version_id;
  bool is_latest = false;
  bool delete_marker = false;
  uint64_t size = 0;
  std::string etag;  // without quotes
  int64_t mtime_ns = 0;
};

struct VersionsPage {
  std::vector<ListedVersion> versions;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_version_id_marker;
};

Result<VersionsPage> ParseListObjectVersions(std::string_view xml);

// <Retention><Mode>MODE</Mode><RetainUntilDate>YYYY-MM-DDTHH:MM:SSZ</RetainUntilDate></Retention>
// (whole seconds: the only form every implementation parses).
std::string BuildRetention(const std::string& mode, int64_t retain_until_unix);

}  // namespace dredge::s3
