// Aborting incomplete uploads left by killed runs (ops/upload_cleanup.h), on a store double
// that keeps a list of uploads.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <vector>

#include "common/time_util.h"
#include "ops/lease.h"
#include "ops/upload_cleanup.h"
#include "store/incomplete_uploads.h"
#include "store/memory/memory_store.h"
#include "unit/forwarding_store.h"

namespace dredge {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kNow = 1'800'000'000LL * 1'000'000'000LL;
constexpr int64_t kHour = 3600LL * 1'000'000'000LL;

class UploadsStore final : public testing::ForwardingStore, public IncompleteUploads {
 public:
  UploadsStore() : ForwardingStore(std::make_shared<MemoryStore>()) {}
  std::vector<IncompleteUpload> uploads;
  std::set<std::string> refuse_abort;  // keys whose abort fails
  Status list_status;                  // returned instead of listing when not ok

  Status ListIncompleteUploads(std::string_view prefix, const IncompleteUploadFn& fn) override {
    if (!list_status.ok()) return list_status;
    for (const auto& u : uploads)
      if (u.key.rfind(prefix, 0) == 0) DREDGE_RETURN_IF_ERROR(fn(u));
    return Status::Ok();
  }
  Status AbortIncompleteUpload(const IncompleteUpload& u) override {
    if (refuse_abort.count(u.key)) return Status::Permanent("AccessDenied aborting " + u.key);
    std::erase_if(uploads, [&](const auto& x) { return x.upload_id == u.upload_id; });
    return Status::Ok();
  }
  bool KeepsIncompleteUploads() const override { return true; }
};

UploadCleanupOptions At(std::chrono::seconds older_than) {
  UploadCleanupOptions o;
  o.older_than = older_than;
  o.now_ns = [] { return kNow; };
  return o;
}

void PutLease(ObjectStore& store, const std::string& tier, const RunIdentity& who,
              int64_t expiry_ns) {
  LeaseRecord l{who, tier, kNow, expiry_ns};
  ASSERT_TRUE(PutString(store, LeaseKey(tier), EncodeLease(l)).ok());
}

TEST(UploadCleanup, AbortsUploadsOlderThanTheThresholdAndKeepsYoungerOnes) {
  UploadsStore store;
  store.uploads = {{"big/old.bin", "u1", kNow - 48 * kHour},
                   {"big/recent.bin", "u2", kNow - 1 * kHour},
                   {"database_backups/chunks/c.json", "u3", kNow - 25 * kHour}};
  auto r = AbortOrphanedUploads(store, NewRunIdentity(), At(24h));
  EXPECT_TRUE(r.supported);
  EXPECT_EQ(r.found, 3u);
  EXPECT_EQ(r.aborted, 2u);
  EXPECT_EQ(r.kept_recent, 1u);
  ASSERT_EQ(store.uploads.size(), 1u);
  EXPECT_EQ(store.uploads[0].upload_id, "u2");
}

TEST(UploadCleanup, ZeroAbortsEveryUploadNoLiveLeaseOwns) {
  UploadsStore store;
  store.uploads = {{"a", "u1", kNow - 1}, {"b", "u2", kNow}};
  auto r = AbortOrphanedUploads(store, NewRunIdentity(), At(0s));
  EXPECT_EQ(r.aborted, 2u);
  EXPECT_TRUE(store.uploads.empty());
}

TEST(UploadCleanup, AnotherRunsLiveLeaseKeepsEveryUpload) {
  UploadsStore store;
  store.uploads = {{"a", "u1", kNow - 48 * kHour}};
  RunIdentity other = NewRunIdentity();
  other.host = "db-host";
  PutLease(store, "db", other, kNow + kHour);
  auto r = AbortOrphanedUploads(store, NewRunIdentity(), At(0s));
  EXPECT_EQ(r.aborted, 0u);
  EXPECT_EQ(r.kept_live, 1u);
  EXPECT_EQ(store.uploads.size(), 1u);
}

TEST(UploadCleanup, AnExpiredLeaseOrOurOwnDoesNotKeepUploads) {
  UploadsStore store;
  store.uploads = {{"a", "u1", kNow - 48 * kHour}, {"b", "u2", kNow - 48 * kHour}};
  RunIdentity me = NewRunIdentity(), crashed = NewRunIdentity();
  PutLease(store, "files", me, kNow + kHour);
  PutLease(store, "db", crashed, kNow - 1);
  auto r = AbortOrphanedUploads(store, me, At(24h));
  EXPECT_EQ(r.aborted, 2u);
  EXPECT_EQ(r.kept_live, 0u);
}

TEST(UploadCleanup, AnUnreadableLeaseCountsAsLive) {
  UploadsStore store;
  store.uploads = {{"a", "u1", kNow - 48 * kHour}};
  ASSERT_TRUE(PutString(store, LeaseKey("files"), "not a lease").ok());
  auto r = AbortOrphanedUploads(store, NewRunIdentity(), At(0s));
  EXPECT_EQ(r.aborted, 0u);
  EXPECT_EQ(r.kept_live, 1u);
}

TEST(UploadCleanup, ARefusedAbortIsCountedAndTheRestGoOn) {
  UploadsStore store;
  store.uploads = {{"a", "u1", kNow - 48 * kHour}, {"b", "u2", kNow - 48 * kHour}};
  store.refuse_abort = {"a"};
  auto r = AbortOrphanedUploads(store, NewRunIdentity(), At(0s));
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.aborted, 1u);
}

TEST(UploadCleanup, AServerWithoutTheApiIsReportedUnsupportedNotAnError) {
  UploadsStore store;
  store.list_status = Status::Unsupported("S3 LIST-UPLOADS: 501 NotImplemented");
  auto r = AbortOrphanedUploads(store, NewRunIdentity(), At(0s));
  EXPECT_FALSE(r.supported);
  EXPECT_EQ(r.found, 0u);
}

TEST(UploadCleanup, AListingErrorLeavesEverythingForTheNextRun) {
  UploadsStore store;
  store.uploads = {{"a", "u1", kNow - 48 * kHour}};
  store.list_status = Status::Permanent("AccessDenied: s3:ListBucketMultipartUploads");
  auto r = AbortOrphanedUploads(store, NewRunIdentity(), At(0s));
  EXPECT_TRUE(r.supported);
  EXPECT_EQ(r.aborted, 0u);
  EXPECT_EQ(store.uploads.size(), 1u);
}

TEST(UploadCleanup, StoresWithoutTheCapabilityAreSkipped) {
  MemoryStore store;
  auto r = AbortOrphanedUploads(store, NewRunIdentity(), At(0s));
  EXPECT_FALSE(r.supported);
  EXPECT_FALSE(KeepsIncompleteUploads(store));
  Status listed =
      ListIncompleteUploads(store, "", [](const IncompleteUpload&) { return Status::Ok(); });
  EXPECT_EQ(listed.kind(), ErrorKind::kUnsupported);
  EXPECT_EQ(AbortIncompleteUpload(store, {"k", "u", 0}).kind(), ErrorKind::kUnsupported);
}

}  // namespace
}  // namespace dredge
