// RetryStore over a FaultStore over a MemoryStore: which errors are retried, how long it waits
// (injected sleeper and RNG, so these tests take no time), and how Put, Get and List are
// replayed or resumed without the caller seeing anything twice.
#include "store/wrap/retry_store.h"

#include <gtest/gtest.h>

#include "common/hash.h"
#include "common/log.h"
#include "common/time_util.h"
#include "store/memory/memory_store.h"
#include "support/fault_store.h"

namespace dredge {
namespace {

using std::chrono::milliseconds;
using testing::Fault;
using testing::FaultStore;
using testing::StoreOp;

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

class RetryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Make({}); }

  void Make(RetryPolicy policy, int64_t clock_offset_ns = 0) {
    memory_ = std::make_shared<MemoryStore>();
    faults_ = std::make_shared<FaultStore>(memory_);
    RetryEnv env;
    env.sleep = [this](milliseconds d) { sleeps_.push_back(d); };
    env.now_ns = [clock_offset_ns] { return NowUnixNanos() + clock_offset_ns; };
    env.seed = 1234;
    retry_ = std::make_unique<RetryStore>(faults_, policy, env);
    sleeps_.clear();
  }

  std::shared_ptr<MemoryStore> memory_;
  std::shared_ptr<FaultStore> faults_;
  std::unique_ptr<RetryStore> retry_;
  std::vector<milliseconds> sleeps_;
};

TEST_F(RetryStoreTest, RetriesRetryableErrorsUntilSuccess) {
  ASSERT_TRUE(PutString(*memory_, "k", "v").ok());
  faults_->Inject({.op = StoreOp::kStat, .nth = 1, .times = 3});
  auto info = retry_->Stat("k");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->etag, Md5Hex("v"));
  EXPECT_EQ(faults_->calls(StoreOp::kStat), 4u);
  EXPECT_EQ(sleeps_.size(), 3u);
  EXPECT_EQ(retry_->stats().retries, 3u);
  EXPECT_EQ(retry_->stats().gave_up, 0u);
}

TEST_F(RetryStoreTest, OtherErrorKindsAreReturnedAtOnce) {
  ASSERT_TRUE(PutString(*memory_, "k", "v").ok());
  for (ErrorKind kind :
       {ErrorKind::kNotFound, ErrorKind::kPermanent, ErrorKind::kCorrupt,
        ErrorKind::kPreconditionFailed, ErrorKind::kInvalidArgument, ErrorKind::kIo}) {
    Make({});
    ASSERT_TRUE(PutString(*memory_, "k", "v").ok());
    faults_->Inject({.op = StoreOp::kRemove, .kind = kind, .times = UINT64_MAX});
    Status s = retry_->Remove("k");
    EXPECT_EQ(s.kind(), kind) << ErrorKindName(kind);
    EXPECT_EQ(faults_->calls(StoreOp::kRemove), 1u) << ErrorKindName(kind);
    EXPECT_TRUE(sleeps_.empty());
    EXPECT_EQ(retry_->retries(), 0u);
  }
}

TEST_F(RetryStoreTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  RetryPolicy p;
  p.max_attempts = 5;
  Make(p);
  faults_->Inject({.op = StoreOp::kCopy, .nth = 1, .times = 3, .message = "early 503"});
  faults_->Inject({.op = StoreOp::kCopy, .times = UINT64_MAX, .message = "late reset"});
  ASSERT_TRUE(PutString(*memory_, "src", "x").ok());
  Status s = retry_->Copy("src", "dst");
  EXPECT_EQ(s.kind(), ErrorKind::kRetryable);
  EXPECT_NE(s.message().find("late reset"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("gave up after 5 attempts"), std::string::npos) << s.message();
  EXPECT_EQ(faults_->calls(StoreOp::kCopy), 5u);
  EXPECT_EQ(sleeps_.size(), 4u);
  EXPECT_EQ(retry_->stats().gave_up, 1u);
  EXPECT_EQ(retry_->stats().retries, 4u);
}

TEST_F(RetryStoreTest, HonoursRetryAfterAndBoundsIt) {
  RetryPolicy p;
  p.base = milliseconds(10);
  p.cap = milliseconds(50);
  p.max_retry_after = milliseconds(60000);
  Make(p);
  ASSERT_TRUE(PutString(*memory_, "k", "v").ok());
  faults_->Inject({.op = StoreOp::kStat, .nth = 1, .retry_after_ms = 7000});
  faults_->Inject({.op = StoreOp::kStat, .nth = 1, .retry_after_ms = 3600000});
  ASSERT_TRUE(retry_->Stat("k").ok());
  ASSERT_EQ(sleeps_.size(), 2u);
  EXPECT_EQ(sleeps_[0], milliseconds(7000));   // the server's wait beats the 10 ms backoff
  EXPECT_EQ(sleeps_[1], milliseconds(60000));  // an hour is capped by max_retry_after
}

TEST_F(RetryStoreTest, JitterStaysWithinExponentialBounds) {
  RetryPolicy p;
  p.base = milliseconds(100);
  p.cap = milliseconds(20000);
  Make(p);
  Status err = Status::Retryable("503");
  for (int attempt = 1; attempt <= 12; ++attempt) {
    int64_t upper = std::min<int64_t>(20000, int64_t{100} << (attempt - 1));
    int64_t lo = INT64_MAX, hi = 0;
    for (int i = 0; i < 400; ++i) {
      int64_t d = retry_->BackoffFor(attempt, err).count();
      ASSERT_GE(d, 0);
      ASSERT_LE(d, upper) << "attempt " << attempt;
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    // Full jitter spreads over the whole window, not just its top or bottom.
    EXPECT_LT(lo, upper / 4) << "attempt " << attempt;
    EXPECT_GT(hi, upper * 3 / 4) << "attempt " << attempt;
  }
  // The same seed gives the same waits: tests and reproductions are deterministic.
  RetryEnv env;
  env.seed = 99;
  RetryStore a(memory_, p, env), b(memory_, p, env);
  for (int i = 1; i < 8; ++i) EXPECT_EQ(a.BackoffFor(i, err), b.BackoffFor(i, err));
}

TEST_F(RetryStoreTest, SleepsOfARealLoopAreWithinBounds) {
  RetryPolicy p;
  p.base = milliseconds(100);
  p.cap = milliseconds(1000);
  p.max_attempts = 8;
  Make(p);
  faults_->Inject({.op = StoreOp::kRemove, .times = 7});
  ASSERT_TRUE(retry_->Remove("x").ok());
  ASSERT_EQ(sleeps_.size(), 7u);
  for (size_t i = 0; i < sleeps_.size(); ++i)
    EXPECT_LE(sleeps_[i].count(), std::min<int64_t>(1000, 100 << i)) << "retry " << i + 1;
}

TEST_F(RetryStoreTest, ReplaysPutFromItsSource) {
  std::string bytes = Pattern(3 << 20);
  faults_->Inject({.op = StoreOp::kPut, .nth = 1});
  faults_->Inject({.op = StoreOp::kPut, .nth = 1, .after_effect = true});  // reply lost
  auto r = PutString(*retry_, "big", bytes);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->etag, Md5Hex(bytes));
  EXPECT_EQ(faults_->calls(StoreOp::kPut), 3u);
  EXPECT_EQ(*GetString(*memory_, "big"), bytes);
}

TEST_F(RetryStoreTest, IfAbsentPutWhoseReplyWasLostStillSucceeds) {
  faults_->Inject({.op = StoreOp::kPut, .after_effect = true});
  PutOptions cond;
  cond.if_absent = true;
  auto r = PutString(*retry_, "lease", "mine", cond);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->etag, Md5Hex("mine"));
  // Someone else's object is still a lost race.
  auto other = PutString(*retry_, "lease", "theirs", cond);
  EXPECT_EQ(other.status().kind(), ErrorKind::kPreconditionFailed);
  EXPECT_EQ(*GetString(*memory_, "lease"), "mine");
  // And a lost reply followed by a different winner is a lost race too.
  faults_->Inject({.op = StoreOp::kPut, .key_prefix = "lease2", .on_fire = [&] {
                     ASSERT_TRUE(PutString(*memory_, "lease2", "winner").ok());
                   }});
  auto lost = PutString(*retry_, "lease2", "loser", cond);
  EXPECT_EQ(lost.status().kind(), ErrorKind::kPreconditionFailed);
}

class RecordingSink final : public ByteSink {
 public:
  Status Write(std::string_view d) override {
    out.append(d);
    ++writes;
    return fail_after >= 0 && static_cast<int64_t>(out.size()) > fail_after
               ? Status::Io("disk full")
               : Status::Ok();
  }
  std::string out;
  int writes = 0;
  int64_t fail_after = -1;
};

TEST_F(RetryStoreTest, ResumesABrokenGetWithoutDuplicatingBytes) {
  RetryPolicy p;
  p.resume_clock_margin = milliseconds(0);
  Make(p);
  std::string bytes = Pattern(3 << 20);
  ASSERT_TRUE(PutString(*memory_, "obj", bytes).ok());
  faults_->Inject({.op = StoreOp::kGet, .nth = 1, .after_bytes = 1000});
  faults_->Inject({.op = StoreOp::kGet, .nth = 1, .after_bytes = 700000});
  RecordingSink sink;
  Status s = retry_->Get("obj", sink);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(sink.out.size(), bytes.size());
  EXPECT_TRUE(sink.out == bytes) << "resumed bytes differ from the object";
  EXPECT_EQ(faults_->calls(StoreOp::kGet), 3u);
  EXPECT_EQ(retry_->stats().resumed_gets, 2u);
}

TEST_F(RetryStoreTest, ResumesARangedGetInsideItsRange) {
  RetryPolicy p;
  p.resume_clock_margin = milliseconds(0);
  Make(p);
  std::string bytes = Pattern(1 << 20);
  ASSERT_TRUE(PutString(*memory_, "obj", bytes).ok());
  faults_->Inject({.op = StoreOp::kGet, .nth = 1, .after_bytes = 5000});
  RecordingSink sink;
  ASSERT_TRUE(retry_->Get("obj", sink, ByteRange{1000, 99999}).ok());
  EXPECT_TRUE(sink.out == bytes.substr(1000, 99000));
  // Cut after the last byte of the range: nothing is left to fetch.
  faults_->Inject({.op = StoreOp::kGet, .nth = 1, .after_bytes = 10});
  RecordingSink whole;
  ASSERT_TRUE(retry_->Get("obj", whole, ByteRange{0, 9}).ok());
  EXPECT_EQ(whole.out, bytes.substr(0, 10));
}

TEST_F(RetryStoreTest, ObjectReplacedDuringGetFailsRetryableInsteadOfSplicing) {
  RetryPolicy p;
  p.resume_clock_margin = milliseconds(0);
  Make(p);
  std::string v1(100000, '1'), v2(100000, '2');
  ASSERT_TRUE(PutString(*memory_, "obj", v1).ok());
  faults_->Inject({.op = StoreOp::kGet, .after_bytes = 1000, .on_fire = [&] {
                     ASSERT_TRUE(PutString(*memory_, "obj", v2).ok());
                   }});
  RecordingSink sink;
  Status s = retry_->Get("obj", sink);
  EXPECT_EQ(s.kind(), ErrorKind::kRetryable);
  EXPECT_NE(s.message().find("changed while it was being read"), std::string::npos) << s.message();
  EXPECT_EQ(sink.out, v1.substr(0, 1000)) << "no byte of the new version may reach the sink";
}

TEST_F(RetryStoreTest, ObjectReplacedBetweenResumesIsDetectedByEtag) {
  RetryPolicy p;
  p.resume_clock_margin = milliseconds(0);
  Make(p);
  std::string v1(100000, 'a');
  ASSERT_TRUE(PutString(*memory_, "obj", v1).ok());
  faults_->Inject({.op = StoreOp::kGet, .nth = 1, .after_bytes = 1000});
  faults_->Inject({.op = StoreOp::kGet, .nth = 1, .after_bytes = 1000, .on_fire = [&] {
                     ASSERT_TRUE(PutString(*memory_, "obj", std::string(100000, 'b')).ok());
                   }});
  RecordingSink sink;
  Status s = retry_->Get("obj", sink);
  EXPECT_EQ(s.kind(), ErrorKind::kRetryable) << s.ToString();
  EXPECT_EQ(sink.out, v1.substr(0, 2000));
}

TEST_F(RetryStoreTest, RecentlyWrittenObjectIsNotResumed) {
  // Default margin: an object written within the last 2 s might be newer than the bytes read.
  std::string bytes(50000, 'r');
  ASSERT_TRUE(PutString(*memory_, "fresh", bytes).ok());
  faults_->Inject({.op = StoreOp::kGet, .after_bytes = 100});
  RecordingSink sink;
  Status s = retry_->Get("fresh", sink);
  EXPECT_EQ(s.kind(), ErrorKind::kRetryable);
  EXPECT_EQ(sink.out.size(), 100u);
}

TEST_F(RetryStoreTest, GetWithNothingDeliveredIsSimplyRepeated) {
  ASSERT_TRUE(PutString(*memory_, "obj", "whole").ok());
  faults_->Inject({.op = StoreOp::kGet, .times = 2});
  RecordingSink sink;
  ASSERT_TRUE(retry_->Get("obj", sink).ok());
  EXPECT_EQ(sink.out, "whole");
  EXPECT_EQ(retry_->stats().resumed_gets, 0u);
}

TEST_F(RetryStoreTest, SinkErrorsAreNotRetried) {
  ASSERT_TRUE(PutString(*memory_, "obj", "0123456789").ok());
  RecordingSink sink;
  sink.fail_after = 0;
  Status s = retry_->Get("obj", sink);
  EXPECT_EQ(s.kind(), ErrorKind::kIo);
  EXPECT_EQ(faults_->calls(StoreOp::kGet), 1u);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(RetryStoreTest, ListResumesAfterTheLastDeliveredKey) {
  std::vector<std::string> keys;
  for (int i = 0; i < 10; ++i) {
    keys.push_back("k" + std::to_string(i));
    ASSERT_TRUE(PutString(*memory_, keys.back(), "x").ok());
  }
  faults_->Inject({.op = StoreOp::kList, .nth = 1, .after_bytes = 4});
  faults_->Inject({.op = StoreOp::kList, .nth = 1, .after_bytes = 7});
  std::vector<std::string> seen;
  Status s = retry_->List("", [&](const ObjectInfo& i) {
    seen.push_back(i.key);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(seen, keys);
  EXPECT_EQ(faults_->calls(StoreOp::kList), 3u);
}

TEST_F(RetryStoreTest, ListCallbackErrorsStopWithoutRetry) {
  for (const char* k : {"a", "b", "c"}) ASSERT_TRUE(PutString(*memory_, k, "x").ok());
  int calls = 0;
  Status s = retry_->List("", [&](const ObjectInfo&) {
    return ++calls == 2 ? Status::Retryable("caller's own transient error") : Status::Ok();
  });
  EXPECT_EQ(s.kind(), ErrorKind::kRetryable);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(faults_->calls(StoreOp::kList), 1u);
}

TEST_F(RetryStoreTest, LogsEachRetryAtInfoLevel) {
  std::string captured;
  log::CaptureForTest(&captured);
  RetryPolicy p;
  p.base = milliseconds(1000);
  p.cap = milliseconds(1000);
  Make(p);
  faults_->Inject({.op = StoreOp::kPut, .times = 2, .message = "503 SlowDown"});
  ASSERT_TRUE(PutString(*retry_, "photos/a.jpg", "x").ok());
  log::CaptureForTest(nullptr);
  ASSERT_EQ(sleeps_.size(), 2u);
  EXPECT_NE(captured.find(" info retry 2/8 for PUT photos/a.jpg after " +
                          std::to_string(sleeps_[0].count()) +
                          " ms: Retryable: PUT 'photos/a.jpg': 503 SlowDown"),
            std::string::npos)
      << captured;
  EXPECT_NE(captured.find("retry 3/8 for PUT photos/a.jpg after " +
                          std::to_string(sleeps_[1].count()) + " ms"),
            std::string::npos)
      << captured;
}

TEST_F(RetryStoreTest, PassesCapabilitiesAndDescriptionThrough) {
  EXPECT_EQ(retry_->Describe(), "fault+memory://memory");
  EXPECT_TRUE(retry_->capabilities().conditional_put);
}

}  // namespace
}  // namespace dredge
