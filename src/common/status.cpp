#include "common/status.h"

namespace dredge {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kOk:
      return "OK";
    case ErrorKind::kNotFound:
      return "NotFound";
    case ErrorKind::kPreconditionFailed:
      return "PreconditionFailed";
    case ErrorKind::kRetryable:
      return "Retryable";
    case ErrorKind::kPermanent:
      return "Permanent";
    case ErrorKind::kCorrupt:
      return "Corrupt";
    case ErrorKind::kInvalidArgument:
      return "InvalidArgument";
    case ErrorKind::kIo:
      return "IoError";
    case ErrorKind::kUsage:
      return "Usage";
    case ErrorKind::kLockHeld:
      return "LockHeld";
    case ErrorKind::kUnsupported:
      return "Unsupported";
    case ErrorKind::kPartial:
      return "Partial";
    case ErrorKind::kMismatch:
      return "Mismatch";
    case ErrorKind::kStale:
      return "Stale";
    case ErrorKind::kCancelled:
      return "Cancelled";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(ErrorKindName(kind_)) + ": " + message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  Status s(kind_, context + ": " + message_);
  s.retry_after_ms_ = retry_after_ms_;
  return s;
}

}  // namespace dredge
