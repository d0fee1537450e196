// Aborting incomplete uploads left by killed runs (ops/upload_cleanup.h), on a store double
// that keeps a list of uploads.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <vector>

#include "common/time_util.h"
#include "formats/ops_keys.h"
#include "ops/lease.h"
#include "ops/upload_cleanup.h"
#include "store/incomplete_uploads.h"
#include "store/memory/memory_store.h"
#include "unit/forwarding_store.h"
#include "unit/uploads_store.h"

namespace dredge {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kNow = 1'800'000'000LL * 1'000'000'000LL;
constexpr int64_t kHour = 3600LL * 1'000'000'000LL;

UploadCleanupOptions At(std::chrono::seconds older_than) {
  UploadCleanupOptions o;
  o.older_than = older_than;
  o.now_ns = [] { return kNow; };
  return o;
}

void PutLease(ObjectStore& store, const std::string& tier, const RunIdentity& who,
              int64_t expiry_ns) {
  LeaseRecord l{who, tier, kNow, expiry_ns};
  ASSERT_TRUE(PutString(store, ops_keys::LeaseKey(tier), EncodeLease(l)).ok());
}

TEST(UploadCleanup, AbortsUploadsOlderThanTheThresholdAndKeepsYoungerOnes) {
  testing::UploadsStore store;
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
  testing::UploadsStore store;
  store.uploads = {{"a", "u1", kNow - 1}, {"b", "u2", kNow}};
  auto r = AbortOrphanedUploads(store, NewRunIdentity(), At(0s));
  EXPECT_EQ(r.aborted, 2u);
  EXPECT_TRUE(store.uploads.empty());
}

TEST(UploadCleanup, AnotherRunsLiveLeaseKeepsEveryUpload) {
  testing::UploadsStore store;
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
  testing::UploadsStore store;
  store.uploads = {{"a", "u1", kNow - 48 * kHour}, {"b", "u2", kNow - 48 * kHour}};
  RunIdentity me = NewRunIdentity(), crashed = NewRunIdentity();
  PutLease(store, "files", me, kNow + kHour);
  PutLease(store, "db", crashed, kNow - 1);
  auto r = AbortOrphanedUploads(store, me, At(24h));
  EXPECT_EQ(r.aborted, 2u);
  EXPECT_EQ(r.kept_live, 0u);
}

TEST(UploadCleanup, AnUnreadableLeaseCountsAsLive) {
  testing::UploadsStore store;
  store.uploads = {{"a", "u1", kNow - 48 * kHour}};
  ASSERT_TRUE(PutString(store, ops_keys::LeaseKey("files"), "not a lease").ok());
  auto r = AbortOrphanedUploads(store, NewRunIdentity(), At(0s));
  EXPECT_EQ(r.aborted, 0u);
  EXPECT_EQ(r.kept_live, 1u);
}

TEST(UploadCleanup, ARefusedAbortIsCountedAndTheRestGoOn) {
  testing::UploadsStore store;
  store.uploads = {{"a", "u1", kNow - 48 * kHour}, {"b", "u2", kNow - 48 * kHour}};
  store.refuse_abort = {"a"};
  auto r = AbortOrphanedUploads(store, NewRunIdentity(), At(0s));
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.aborted, 1u);
}

TEST(UploadCleanup, AServerWithoutTheApiIsReportedUnsupportedNotAnError) {
  testing::UploadsStore store;
  store.list_status = Status::Unsupported("S3 LIST-UPLOADS: 501 NotImplemented");
  auto r = AbortOrphanedUploads(store, NewRunIdentity(), At(0s));
  EXPECT_FALSE(r.supported);
  EXPECT_EQ(r.found, 0u);
}

TEST(UploadCleanup, AListingErrorLeavesEverythingForTheNextRun) {
  testing::UploadsStore store;
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
