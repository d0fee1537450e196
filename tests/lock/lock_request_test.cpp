// What a locked write sends (no server): the Object Lock headers beside Content-MD5 on a PUT and
// on CreateMultipartUpload, which writes get retention (formats/retention_keys.h), the
// RetentionStore wrapper's choices on an in-memory store, and the settings' checks.
#include <gtest/gtest.h>

#include "formats/db_keys.h"
#include "formats/file_keys.h"
#include "formats/ops_keys.h"
#include "formats/retention_keys.h"
#include "ops/retention_store.h"
#include "store/memory/memory_store.h"
#include "store/object_lock.h"
#include "store/s3/s3_request.h"
#include "store/wrap/store_wrapper.h"

namespace dredge {
namespace {

s3::RequestBuilder Builder() {
  auto loc = s3::ResolveLocation("http://127.0.0.1:9000", "bkt", "", "us-east-1", false);
  EXPECT_TRUE(loc.ok());
  return s3::RequestBuilder(*loc, "us-east-1", s3::Credentials{"AKID", "SECRET", ""}, {},
                            [] { return int64_t{1764936000}; });
}

TEST(LockRequest, PutWithRetentionCarriesLockHeadersAndContentMd5) {
  PutOptions o;
  o.retention = Retention{"COMPLIANCE", 1764936061};
  auto req = Builder().Put("k", o, "5d41402abc4b2a76b9719d911017c592", nullptr);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  std::string wire = s3::RenderRequest(*req);
  EXPECT_NE(wire.find("x-amz-object-lock-mode: COMPLIANCE\r\n"), std::string::npos) << wire;
  EXPECT_NE(wire.find("x-amz-object-lock-retain-until-date: 2025-12-05T12:01:01Z\r\n"),
            std::string::npos)
      << wire;
  EXPECT_NE(wire.find("Content-MD5: XUFAKrxLKna5cZ2REBfFkg==\r\n"), std::string::npos) << wire;
}

TEST(LockRequest, MultipartUploadIsCreatedWithTheLockHeaders) {
  PutOptions o;
  o.retention = Retention{"GOVERNANCE", 1764936000};
  auto req = Builder().InitiateMultipart("k", o);
  ASSERT_TRUE(req.ok());
  std::string wire = s3::RenderRequest(*req);
  EXPECT_NE(wire.find("x-amz-object-lock-mode: GOVERNANCE\r\n"), std::string::npos) << wire;
  EXPECT_NE(wire.find("x-amz-object-lock-retain-until-date: 2025-12-05T12:00:00Z"),
            std::string::npos);
}

TEST(LockRequest, PutWithoutRetentionSendsNoLockHeader) {
  auto req = Builder().Put("k", {}, "5d41402abc4b2a76b9719d911017c592", nullptr);
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(s3::RenderRequest(*req).find("object-lock"), std::string::npos);
}

TEST(LockKeys, BackupsAreRetainedAndProtocolRecordsAreNot) {
  using retention_keys::IsRetained;
  EXPECT_TRUE(IsRetained(file_keys::DataKey("docs/a.txt")));
  EXPECT_TRUE(IsRetained(file_keys::ContentKey("5d41402abc4b2a76b9719d911017c592")));
  EXPECT_TRUE(IsRetained(file_keys::SnapshotKey(file_keys::SnapshotId(1764936000, "abcdef"))));
  EXPECT_TRUE(IsRetained(dbkeys::ChunkKey(1, 1764936000, true)));
  EXPECT_TRUE(IsRetained(dbkeys::ManifestKey(1764936000)));
  EXPECT_FALSE(IsRetained(ops_keys::RunRecordKey("files", 1764936000, "r1")));
  EXPECT_FALSE(IsRetained(ops_keys::LeaseKey("db")));
  EXPECT_FALSE(IsRetained(ops_keys::ProbeKey("host", "abcd")));
  EXPECT_FALSE(IsRetained(".dredge/check/conditional-put-0123456789abcdef"));
  EXPECT_FALSE(IsRetained(file_keys::PruneMarkerKey()));
  EXPECT_FALSE(IsRetained(file_keys::PruneRecordKey(file_keys::NewPruneRecordId(1764936000))));
  EXPECT_FALSE(IsRetained(dbkeys::RetiredKey(dbkeys::ManifestKey(1764936000))));
}

// An in-memory store that remembers the retention of every Put (and stores without it).
class RecordingStore final : public StoreWrapper {
 public:
  RecordingStore() : StoreWrapper(std::make_shared<MemoryStore>()) {}
  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override {
    seen[std::string(key)] = opts.retention;
    PutOptions plain = opts;
    plain.retention.reset();
    return StoreWrapper::Put(key, src, plain);
  }
  Status Sync() override { return Status::Ok(); }
  std::string Describe() const override { return "recording"; }

  std::map<std::string, std::optional<Retention>> seen;
};

TEST(LockWrapper, RetainedKeysGetNowPlusRetainRoundedUpOthersNone) {
  auto inner = std::make_shared<RecordingStore>();
  RetentionStore store(inner, ObjectLockPolicy{"GOVERNANCE", 90},
                       [] { return int64_t{1764936000} * 1000000000LL + 1; });
  ASSERT_TRUE(PutString(store, "a.txt", "x").ok());
  ASSERT_TRUE(PutString(store, ops_keys::LeaseKey("files"), "x").ok());
  ASSERT_TRUE(store.Copy("a.txt", ".dredge/content/0cc175b9c0f1b6a831c399e269772661").ok());
  ASSERT_TRUE(inner->seen["a.txt"].has_value());
  EXPECT_EQ(inner->seen["a.txt"]->mode, "GOVERNANCE");
  EXPECT_EQ(inner->seen["a.txt"]->retain_until, 1764936000 + 1 + 90);
  EXPECT_FALSE(inner->seen[ops_keys::LeaseKey("files")].has_value());
  // The copy went through the client, so it carries the retention too, and the bytes.
  ASSERT_TRUE(inner->seen[".dredge/content/0cc175b9c0f1b6a831c399e269772661"].has_value());
  EXPECT_EQ(*GetString(store, ".dredge/content/0cc175b9c0f1b6a831c399e269772661"), "x");
}

TEST(LockWrapper, StoresWithoutObjectLockRefuseARetentionAndStoreNothing) {
  MemoryStore mem;
  PutOptions o;
  o.retention = Retention{"GOVERNANCE", 1};
  auto put = PutString(mem, "k", "x", o);
  EXPECT_TRUE(put.status().Is(ErrorKind::kUnsupported)) << put.status().ToString();
  EXPECT_TRUE(mem.Stat("k").status().Is(ErrorKind::kNotFound));
}

TEST(LockSettings, BothFieldsAKnownModeAndAPositiveDurationAreNeeded) {
  EXPECT_FALSE(CheckObjectLock({})->has_value());
  auto ok = CheckObjectLock({"COMPLIANCE", "2w"});
  ASSERT_TRUE(ok.ok() && ok->has_value());
  EXPECT_EQ((*ok)->retain_seconds, 14 * 86400);
  for (const ObjectLockSettings& bad : std::vector<ObjectLockSettings>{{"GOVERNANCE", ""},
                                                                       {"", "30d"},
                                                                       {"governance", "30d"},
                                                                       {"COMPLIANCE", "0s"},
                                                                       {"COMPLIANCE", "soon"}}) {
    auto r = CheckObjectLock(bad);
    EXPECT_TRUE(r.status().Is(ErrorKind::kUsage)) << bad.mode << "/" << bad.retain;
  }
  EXPECT_NE(CheckObjectLock({"GOVERNANCE", ""}).status().message().find("without a retain"),
            std::string::npos);
}

}  // namespace
}  // namespace dredge
