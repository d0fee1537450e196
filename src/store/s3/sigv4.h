// AWS Signature Version 4 for the Authorization header (single-chunk payloads).
//
// Contract:
//  - SignV4 is a pure function of its inputs: the time is a parameter, nothing is read from the
//    environment or the clock, so AWS's published examples are its tests (tests/unit/sigv4_test).
//  - The caller passes the canonical URI already encoded (UriEncode(path, /*keep_slash=*/true)
//    for S3: S3 does not normalise or double-encode paths) and the query parameters unencoded;
//    the signer encodes and sorts them (by encoded key, then encoded value).
//    CanonicalQueryString gives the same string for the request line, so what is signed is
//    exactly what is sent.
//  - Every header passed is signed (name lower-cased, value trimmed, inner runs of spaces
//    collapsed), except those a transport adds or strips on its own (see IsUnsignedHeader):
//    Authorization, Expect, User-Agent, Content-Length, Transfer-Encoding, Connection,
//    Accept-Encoding, and any header with an empty value (libcurl's "remove this header"
//    idiom, e.g. the bare `Expect:` that suppresses 100-continue).
//  - The signer adds x-amz-date, x-amz-content-sha256 (service "s3" only) and, with a session
//    token, x-amz-security-token to the signed set and returns them in `add_headers`, together
//    with `authorization`. The caller sends add_headers + its own headers + Authorization.
//  - The result never contains the secret key; canonical_request and string_to_sign are there
//    for tests and debug logs (they hold no secret either).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dredge::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;
using QueryList = std::vector<std::pair<std::string, std::string>>;

struct SigningInput {
  std::string method;         // "GET", "PUT", ...
  std::string canonical_uri;  // encoded path, starting with '/'
  QueryList query;            // unencoded name/value pairs; a bare name has value ""
  HeaderList headers;         // must include Host
  std::string payload_hash;   // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigningResult {
  std::string authorization;   // the full Authorization header value
  HeaderList add_headers;      // x-amz-date, x-amz-content-sha256, x-amz-security-token
  std::string signed_headers;  // "host;range;x-amz-content-sha256;x-amz-date"
  std::string canonical_request;
  std::string string_to_sign;
};

// SHA-256 of the empty string, the payload hash of bodiless requests.
inline constexpr const char* kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr const char* kUnsignedPayload = "UNSIGNED-PAYLOAD";

SigningResult SignV4(const SigningInput& in, const Credentials& creds, std::string_view region,
                     std::string_view service, int64_t unix_seconds);

// AWS URI encoding: A-Z a-z 0-9 - . _ ~ kept, every other byte %XX (upper-case hex);
// '/' kept only when keep_slash (paths), encoded otherwise (query names and values).
std::string UriEncode(std::string_view bytes, bool keep_slash);

// "a=1&b=&c=x%2Fy": encoded, sorted by encoded name then encoded value.
std::string CanonicalQueryString(const QueryList& query);

// "20130524T000000Z" and "20130524" for a Unix time.
std::string AmzDate(int64_t unix_seconds);
std::string AmzDay(int64_t unix_seconds);

// True for headers the signer leaves out of SignedHeaders (see the contract above).
bool IsUnsignedHeader(std::string_view lower_name, std::string_view value);

}  // namespace dredge::s3
