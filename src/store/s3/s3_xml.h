// Parsing the XML bodies S3 answers with, and building the one XML body we send
// (CompleteMultipartUpload). Parsing uses expat: entities (&amp; &#13; ...) are decoded,
// external entities are never fetched, and a malformed body is Corrupt naming what was parsed.
//
// Contract:
//  - Keys come back exactly as stored: when the response says <EncodingType>url</EncodingType>
//    (we ask for it so keys with control characters survive XML 1.0), Key / Prefix /
//    StartAfter are percent-decoded ('+' is a space in that encoding, as AWS documents);
//    otherwise the element text is taken as is.
//  - ETags are returned without their quotes.
//  - Read as the AWS SDKs read it: elements are matched by local name below the root, so
//    namespaces (none, AWS's, a misspelt one, a prefix) do not matter; the root's name does
//    not matter where the content identifies the answer (UploadId, ETag: moto answers
//    CompleteMultipartUpload with <CompleteMultipartUploadResponse>, AWS documents
//    <CompleteMultipartUploadResult>); a listing's root must be <ListBucketResult>, since an
//    empty listing has no content to recognise it by. Elements AWS documents as optional may
//    be missing (IsTruncated = false, Size = 0, no RequestId); booleans read case-insensitively.
//  - An error is a root <Error> or an <Error> directly under another root (<ErrorResponse>),
//    parsed into S3ErrorBody wherever it may appear, including the 200 answers of
//    CompleteMultipartUpload and CopyObject (S3 reports late failures there).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace dredge::s3 {

struct S3ErrorBody {
  std::string code;  // "NoSuchKey", "SignatureDoesNotMatch", ...
  std::string message;
  std::string request_id;
  // Initialised so {code, message, request_id} stays a complete initialiser.
  std::string region = {};    // <Region>: AuthorizationHeaderMalformed names the bucket's region
  std::string endpoint = {};  // <Endpoint>: PermanentRedirect names the bucket's endpoint
};

struct ListedObject {
  std::string key;  // full key in the bucket (the store prefix is still on it)
  uint64_t size = 0;
  std::string etag;
  int64_t mtime_ns = 0;
};

struct ListPage {
  std::vector<ListedObject> objects;
  bool truncated = false;
  std::string next_continuation_token;
};

// Returns the error described by an <Error> body, or nullopt when `xml` is not one (empty,
// HTML from a proxy, a document without <Error>).
std::optional<S3ErrorBody> ParseErrorBody(std::string_view xml);

Result<ListPage> ParseListObjectsV2(std::string_view xml);

// InitiateMultipartUploadResult → UploadId.
Result<std::string> ParseInitiateMultipartUpload(std::string_view xml);

// CompleteMultipartUpload, CopyObject or UploadPartCopy results (whatever the root is named):
// the ETag, or the embedded <Error>; Corrupt when there is neither.
struct EtagResult {
  std::string etag;
  std::optional<S3ErrorBody> error;
};
Result<EtagResult> ParseEtagResult(std::string_view xml);

// GetObjectLockConfiguration: <ObjectLockConfiguration><ObjectLockEnabled>Enabled</…>
// [<Rule><DefaultRetention><Mode>…</Mode><Days>n</Days>|<Years>n</Years>]. An <Error> root is
// Corrupt here (callers judge non-200 answers first).
struct ObjectLockConfig {
  bool enabled = false;
  std::string default_mode;    // "" without a default retention
  std::string default_period;  // "30 days", "1 years"; "" without one
};
Result<ObjectLockConfig> ParseObjectLockConfiguration(std::string_view xml);
// GetBucketVersioning: the <Status> text ("Enabled", "Suspended"; "" for a bucket that never had
// versioning). Any root name (AWS: VersioningConfiguration; moto: GetBucketVersioningResponse).
Result<std::string> ParseVersioningStatus(std::string_view xml);

// <CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"…"</ETag></Part>…
std::string BuildCompleteMultipartUpload(const std::vector<std::pair<int, std::string>>& parts);

std::string XmlEscape(std::string_view text);
// Decodes %XX and '+' (encoding-type=url); InvalidArgument on a malformed escape.
Result<std::string> UrlDecode(std::string_view text);
// "2009-10-12T17:50:30.000Z" → ns since the epoch.
Result<int64_t> ParseS3Timestamp(std::string_view text);
// Strips surrounding double quotes (and the &quot; forms expat already decoded).
std::string Unquote(std::string_view etag);

}  // namespace dredge::s3
