// What the credential providers share for talking to AWS services other than S3 (STS, the SSO
// portal, instance metadata, container endpoints): URL parsing, endpoint overrides, one
// request/response call over the s3 driver's HTTP client, and reading leaf values from XML.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "store/aws/credential_provider.h"
#include "store/http/http_client.h"

namespace dredge::aws {

struct ParsedUrl {
  std::string scheme;     // "http" / "https", lower-case
  std::string authority;  // host[:port] as in the URL (IPv6 hosts in brackets)
  std::string host;       // without port and brackets, lower-case
  std::string path;       // "/..." (at least "/"), query included
};
// Usage error naming the URL when it is not http(s)://host[:port][/path].
Result<ParsedUrl> ParseUrl(const std::string& url);

// The endpoint for `service_id` ("STS", "SSO") as the SDKs choose it: AWS_ENDPOINT_URL_<ID>,
// then AWS_ENDPOINT_URL, then the profile's endpoint_url, then `fallback`. No trailing '/'.
std::string ServiceEndpoint(const AwsContext& ctx, const std::string& service_id,
                            const std::string& fallback);

// A client for credential services: `connect_timeout_ms`, a few seconds of stall at most.
std::unique_ptr<s3::HttpClient> MakeServiceClient(const AwsContext& ctx, long connect_timeout_ms);

// Sends one request with a small in-memory body ("" = none). Transport errors come back as the
// client reports them (Retryable mostly), with `what` as context.
Result<s3::HttpResponse> Call(s3::HttpClient& http, const std::string& method,
                              const std::string& url, s3::HeaderList headers,
                              const std::string& body, const std::string& what);

// The text of every element without child elements, by local name (the last one wins), e.g.
// {"AccessKeyId": "...", "Code": "AccessDenied"}. Corrupt when the XML is malformed.
Result<std::map<std::string, std::string>> XmlLeafTexts(const std::string& xml);

// "HTTP 403 AccessDenied: message" from an AWS error answer (XML or JSON), for messages.
std::string DescribeServiceError(const s3::HttpResponse& resp);

// Status for a non-2xx answer of a credential service: 5xx and 429 Retryable, others Permanent.
Status ServiceFailure(const s3::HttpResponse& resp, const std::string& what,
                      const std::string& advice);

}  // namespace dredge::aws

namespace dredge::aws {
// Credentials from the JSON the container endpoints and instance metadata answer with
// ({"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}); the secret and token are
// registered as secrets first. Corrupt (naming `what`, never a value) when fields are missing.
Result<AwsCredentials> ParseCredentialJson(const std::string& body, const std::string& what);
}  // namespace dredge::aws
