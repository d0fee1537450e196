// Errors as values. Every fallible function returns a Status or a Result<T>; nothing throws
// across a module boundary. The kind is what callers branch on; the message is for a person
// and must say what happened and, where possible, what to do. Messages never contain secrets
// (common/log.h: the logger scrubs registered secrets as a second line of defence).
//
// The single place that turns a kind into a process exit code is common/exit_codes.cpp.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace dredge {

enum class ErrorKind {
  kOk = 0,
  kNotFound,            // the object, file, row or snapshot does not exist
  kPreconditionFailed,  // a conditional write lost (object already exists / changed)
  kRetryable,           // transient: 5xx, SlowDown, connection reset, timeout
  kPermanent,           // the store refused: 4xx other than the above (auth, bad request)
  kCorrupt,             // bytes do not match their recorded hash/size, or unparseable data
  kInvalidArgument,     // caller passed something that can never work (bad key, bad URL)
  kIo,                  // local filesystem or database I/O failed
  kUsage,               // command-line or configuration error
  kLockHeld,            // another run holds the lock for this tier and destination
  kUnsupported,         // the store or source cannot do what was asked
  kPartial,             // some items failed, the rest was done
  kMismatch,            // verify found differences
  kStale,               // the newest good backup is older than allowed
  kCancelled,           // stopped on request
};

const char* ErrorKindName(ErrorKind kind);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return {ErrorKind::kNotFound, std::move(m)}; }
  static Status PreconditionFailed(std::string m) {
    return {ErrorKind::kPreconditionFailed, std::move(m)};
  }
  static Status Retryable(std::string m) { return {ErrorKind::kRetryable, std::move(m)}; }
  static Status Permanent(std::string m) { return {ErrorKind::kPermanent, std::move(m)}; }
  static Status Corrupt(std::string m) { return {ErrorKind::kCorrupt, std::move(m)}; }
  static Status InvalidArgument(std::string m) {
    return {ErrorKind::kInvalidArgument, std::move(m)};
  }
  static Status Io(std::string m) { return {ErrorKind::kIo, std::move(m)}; }
  static Status Usage(std::string m) { return {ErrorKind::kUsage, std::move(m)}; }
  static Status LockHeld(std::string m) { return {ErrorKind::kLockHeld, std::move(m)}; }
  static Status Unsupported(std::string m) { return {ErrorKind::kUnsupported, std::move(m)}; }

  bool ok() const { return kind_ == ErrorKind::kOk; }
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  bool Is(ErrorKind k) const { return kind_ == k; }

  // "NotFound: <message>"; "OK" for success.
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>", same kind.
  Status WithContext(const std::string& context) const;

  // For Retryable errors: how long the server asked us to wait (Retry-After, SlowDown);
  // -1 when it did not say. The retry wrapper honours it.
  int64_t retry_after_ms() const { return retry_after_ms_; }
  Status WithRetryAfterMs(int64_t ms) const {
    Status s = *this;
    s.retry_after_ms_ = ms;
    return s;
  }

 private:
  ErrorKind kind_ = ErrorKind::kOk;
  std::string message_;
  int64_t retry_after_ms_ = -1;
};

// A value or the error that prevented it. Constructing from an ok Status is a bug.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result constructed from an ok Status");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace dredge

// Propagate a non-ok Status to the caller.
#define DREDGE_RETURN_IF_ERROR(expr) \
  do {                               \
    ::dredge::Status _st = (expr);   \
    if (!_st.ok()) return _st;       \
  } while (0)

#define DREDGE_CONCAT_INNER_(a, b) a##b
#define DREDGE_CONCAT_(a, b) DREDGE_CONCAT_INNER_(a, b)
// `DREDGE_ASSIGN_OR_RETURN(auto x, Foo());` binds the value or returns the error.
#define DREDGE_ASSIGN_OR_RETURN(lhs, expr) \
  DREDGE_ASSIGN_OR_RETURN_IMPL_(DREDGE_CONCAT_(_res_, __LINE__), lhs, expr)
#define DREDGE_ASSIGN_OR_RETURN_IMPL_(res, lhs, expr) \
  auto res = (expr);                                  \
  if (!res.ok()) return res.status();                 \
  lhs = std::move(res).value()
