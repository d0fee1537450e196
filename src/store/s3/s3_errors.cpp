#include "store/s3/s3_errors.h"

#include <curl/curl.h>

#include <charconv>
#include <ctime>

namespace dredge::s3 {
namespace {

std::string DefaultCode(long status) {
  switch (status) {
    case 301:
      return "PermanentRedirect";
    case 400:
      return "BadRequest";
    case 403:
      return "AccessDenied";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 412:
      return "PreconditionFailed";
    case 416:
      return "InvalidRange";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 501:
      return "NotImplemented";
    case 503:
      return "ServiceUnavailable";
    default:
      return "HTTP" + std::to_string(status);
  }
}

std::string Advice(const std::string& code, const ErrorContext& ctx) {
  std::string creds = ctx.credentials_source.empty()
                          ? std::string()
                          : " (credentials from " + std::string(ctx.credentials_source) + ")";
  if (code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId")
    return "check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the profile" + creds;
  if (code == "ExpiredToken" || code == "InvalidToken" || code == "TokenRefreshRequired")
    return "the session token has expired or is invalid: refresh AWS_SESSION_TOKEN" + creds;
  if (code == "RequestTimeTooSkewed")
    return "the system clock differs from the server's by more than 15 minutes: fix the clock "
           "(NTP)";
  if (code == "AccessDenied" || code == "AllAccessDisabled")
    return "check that the credentials" + creds + " are allowed this operation on " +
           std::string(ctx.store);
  if (code == "NoSuchBucket")
    return "check the bucket name in " + std::string(ctx.store) + " and the endpoint/region";
  if (code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" ||
      code == "IllegalLocationConstraintException")
    return "the bucket is in another region: set --region or AWS_REGION";
  if (code == "KMS.NotFoundException" || code == "KMS.DisabledException")
    return "check --sse-kms-key-id";
  if (code == "EntityTooLarge") return "the object is larger than S3 allows in one request";
  return "";
}

bool IsRetryableCode(const std::string& code) {
  return code == "SlowDown" || code == "RequestTimeout" || code == "InternalError" ||
         code == "ServiceUnavailable" || code == "OperationAborted" ||
         code == "ConditionalRequestConflict" || code == "RequestTimeoutException" ||
         code == "Throttling" || code == "ThrottlingException" || code == "TooManyRequests";
}

}  // namespace

int64_t ParseRetryAfterMs(const std::string& value, int64_t now_unix) {
  if (value.empty()) return -1;
  int64_t secs = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
  if (ec == std::errc() && ptr == value.data() + value.size() && secs >= 0) return secs * 1000;
  time_t when = curl_getdate(value.c_str(), nullptr);
  if (when < 0) return -1;
  return std::max<int64_t>(0, (static_cast<int64_t>(when) - now_unix) * 1000);
}

Status StatusFromS3Error(long http_status, const std::optional<S3ErrorBody>& body,
                         const std::string& retry_after, const ErrorContext& ctx) {
  std::string code = body && !body->code.empty() ? body->code : DefaultCode(http_status);
  std::string what = "S3 " + std::string(ctx.op) + " '" + std::string(ctx.key) + "' in " +
                     std::string(ctx.store) + " failed: " + std::to_string(http_status) + " " +
                     code;
  if (body && !body->message.empty()) what += ": " + body->message;
  if (body && !body->request_id.empty()) what += " (request id " + body->request_id + ")";
  std::string advice = Advice(code, ctx);
  if (!advice.empty()) what += "; " + advice;

  if (code == "NoSuchBucket") return Status::Permanent(what);
  if (http_status == 404) return Status::NotFound(what);
  if (http_status == 412) return Status::PreconditionFailed(what);
  if (http_status == 416)
    return Status::InvalidArgument(what + "; the range starts beyond the end");
  if (code == "BadDigest")
    return Status::Corrupt(what +
                           "; the bytes sent did not match their MD5 (did the source "
                           "change during the upload?)");
  if (http_status == 429 || http_status == 500 || http_status == 502 || http_status == 503 ||
      http_status == 504 || http_status == 409 || IsRetryableCode(code)) {
    Status s = Status::Retryable(what);
    return s.WithRetryAfterMs(ParseRetryAfterMs(retry_after, std::time(nullptr)));
  }
  if (http_status == 501 || http_status == 405) return Status::Unsupported(what);
  return Status::Permanent(what);
}

Status StatusFromResponse(const HttpResponse& resp, const ErrorContext& ctx) {
  return StatusFromS3Error(resp.status, ParseErrorBody(resp.body), resp.Header("retry-after"), ctx);
}

}  // namespace dredge::s3
