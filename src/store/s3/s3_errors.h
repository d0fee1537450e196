// Turns an S3 answer that is not a success into a Status of the kinds in store/object_store.h
// (O9), with a message a person can act on.
//
// Mapping (status, then the S3 error code from the body when there is one):
//  404 NoSuchKey / bodiless 404           → NotFound
//  404 NoSuchBucket                       → Permanent (check the URL, region, endpoint)
//  412                                    → PreconditionFailed
//  416 InvalidRange                       → InvalidArgument
//  429, 500, 502, 503, 504, 409,
//  SlowDown, RequestTimeout, InternalError,
//  ServiceUnavailable, OperationAborted   → Retryable (retry_after_ms from Retry-After)
//  BadDigest                              → Corrupt (the body did not match its Content-MD5)
//  501 NotImplemented, 405                → Unsupported
//  everything else (403, 400, 301, ...)   → Permanent, with advice for the usual causes
//                                           (credentials, clock, region, permissions)
// Messages name the operation, the key and the store, include the S3 code, message and
// request id, and never a credential.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/http/http_client.h"
#include "store/s3/s3_xml.h"

namespace dredge::s3 {

struct ErrorContext {
  std::string_view op;                  // "PUT", "GET", "LIST", ...
  std::string_view key;                 // the key (relative to the store) or prefix
  std::string_view store;               // "s3://bucket/prefix"
  std::string_view credentials_source;  // where the credentials came from, for 403 advice
};

Status StatusFromS3Error(long http_status, const std::optional<S3ErrorBody>& body,
                         const std::string& retry_after, const ErrorContext& ctx);

// Convenience: parse resp.body and the Retry-After header.
Status StatusFromResponse(const HttpResponse& resp, const ErrorContext& ctx);

// Retry-After as milliseconds: delta-seconds or an HTTP date (relative to now_unix); -1 when
// absent or unreadable.
int64_t ParseRetryAfterMs(const std::string& value, int64_t now_unix);

}  // namespace dredge::s3
