// Backups on moto's Object Lock bucket (docs/object-lock.md): every retained object carries the
// mode and a retain-until at least `retain` past its write, the protocol records carry none;
// the backup's own credentials cannot delete a locked version or shorten its retention, and a
// restore afterwards is byte-exact; a lock of a few seconds is watched expiring; the database
// tier in COMPLIANCE mode.
#include <chrono>
#include <ctime>
#include <thread>

#include "common/time_util.h"
#include "formats/retention_keys.h"
#include "lock/lock_support.h"
#include "pg/pg_test_util.h"
#include "store/object_versions.h"

namespace dredge {
namespace {

using testing::Quote;

int64_t Now() {
  return static_cast<int64_t>(std::time(nullptr));
}

class LockFiles : public testing::LockE2E {
 protected:
  testing::E2ERun Backup(const std::string& mode, const std::string& retain,
                         const std::string& extra = "") {
    return Dredge("backup files --source " + Quote(src_) + Common() + " --state " +
                  Quote(dir_ + "/state.sqlite") + " --json --object-lock-mode " + mode +
                  " --object-lock-retain " + retain + extra);
  }
  void ExpectRestoresByteExact() {
    auto r =
        Dredge("restore files" + Common() + " --target " + Quote(dir_ + "/restored") + " --json");
    EXPECT_RUN(r, 0);
    EXPECT_EQ(testing::Tree(dir_ + "/restored"), testing::Tree(src_));
  }
  // The Object Lock retain-until of `key`'s current version, from HEAD.
  ObjectInfo Head(const std::string& key) {
    auto info = Driver()->Stat(key);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return info.ok() ? *info : ObjectInfo{};
  }
};

TEST_P(LockFiles, GovernanceBackupLocksEveryRetainedObjectAndNoProtocolRecord) {
  testing::Spit(src_ + "/a.txt", "alpha");
  testing::Spit(src_ + "/dir/b.bin", std::string(70000, 'b'));
  const int64_t start = Now();
  EXPECT_RUN(Backup("GOVERNANCE", "1h"), 0);
  // A second snapshot; the lock bucket versions, so the old a.txt stays as a noncurrent
  // version (locked too) rather than a .dredge/content/ copy (docs/formats/snapshot.md).
  testing::Spit(src_ + "/a.txt", "alpha, changed");
  EXPECT_RUN(Backup("GOVERNANCE", "1h", " --force"), 0);  // 1 of 2 files changed
  const int64_t end = Now();
  int retained = 0, records = 0;
  bool saw_snapshot = false, saw_run = false;
  for (const ObjectInfo& o : Objects()) {
    SCOPED_TRACE(o.key);
    if (retention_keys::IsRetained(o.key)) {
      ++retained;
      EXPECT_EQ(o.lock_mode, "GOVERNANCE");
      EXPECT_GE(o.lock_retain_until, start + 3600);
      // A retain past its write, or 1.5 retains past the second run's start where that run
      // extended what it still needed (docs/object-lock.md, "Retention extension").
      EXPECT_LE(o.lock_retain_until, end + 3600 * 3 / 2 + 1);
      EXPECT_FALSE(o.key.starts_with(".dredge/content/"));
      saw_snapshot = saw_snapshot || o.key.starts_with(".dredge/snapshots/");
    } else {
      ++records;
      EXPECT_EQ(o.lock_mode, "");
      EXPECT_EQ(o.lock_retain_until, 0);
      saw_run = saw_run || o.key.starts_with(".dredge/runs/");
    }
  }
  EXPECT_GE(retained, 4);  // a.txt, dir/b.bin, two snapshots
  EXPECT_TRUE(saw_snapshot && saw_run) << records;
  // The replaced bytes are a noncurrent version that carries the lock of its write.
  int old_versions = 0;
  ASSERT_TRUE(ListVersions(*Driver(), "a.txt", [&](const VersionInfo& v) {
                if (v.is_latest || v.key != "a.txt") return Status::Ok();
                ++old_versions;
                auto info = StatVersion(*Driver(), "a.txt", v.version_id);
                EXPECT_TRUE(info.ok());
                if (info.ok()) {
                  EXPECT_GE(info->lock_retain_until, start + 3600);
                }
                return Status::Ok();
              }).ok());
  EXPECT_EQ(old_versions, 1);
  ExpectRestoresByteExact();
}

TEST_P(LockFiles, CompromisedCredentialsCannotDeleteOrUnlockAndRestoreStaysExact) {
  testing::Spit(src_ + "/a.txt", "the only copy");
  EXPECT_RUN(Backup("COMPLIANCE", "1h"), 0);
  for (const std::string& key : {std::string("a.txt"), std::string()}) {
    std::string k = key;
    if (k.empty())
      for (const ObjectInfo& o : Objects())
        if (o.key.starts_with(".dredge/snapshots/")) k = o.key;
    ASSERT_FALSE(k.empty());
    SCOPED_TRACE(k);
    const ObjectInfo before = Head(k);
    ASSERT_FALSE(before.version_id.empty());
    EXPECT_EQ(Send([&](const s3::RequestBuilder& b) {
                return b.DeleteVersion(Full(k), before.version_id);
              }),
              403)
        << last_body_;
    EXPECT_NE(last_body_.find("AccessDenied"), std::string::npos) << last_body_;
    // Shortening the retention (PutObjectRetention with an earlier date) is refused too.
    const std::string xml =
        "<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Mode>GOVERNANCE</Mode>"
        "<RetainUntilDate>" +
        FormatIsoUtc(Now() + 60) + "</RetainUntilDate></Retention>";
    EXPECT_EQ(PutRetention(Full(k), before.version_id, xml), 403) << last_body_;
    const ObjectInfo after = Head(k);
    EXPECT_EQ(after.lock_mode, "COMPLIANCE");
    EXPECT_EQ(after.lock_retain_until, before.lock_retain_until);
  }
  ExpectRestoresByteExact();
}

TEST_P(LockFiles, ASecondsLongLockIsWatchedExpiring) {
  testing::Spit(src_ + "/a.txt", "brief");
  EXPECT_RUN(Backup("GOVERNANCE", "3s"), 0);
  const ObjectInfo o = Head("a.txt");
  ASSERT_EQ(o.lock_mode, "GOVERNANCE");
  ASSERT_LE(o.lock_retain_until, Now() + 4);
  auto del = [&](const s3::RequestBuilder& b) {
    return b.DeleteVersion(Full("a.txt"), o.version_id);
  };
  EXPECT_EQ(Send(del), 403) << last_body_;
  while (Now() <= o.lock_retain_until) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Send(del), 204) << last_body_;
}

INSTANTIATE_TEST_SUITE_P(Moto, LockFiles, ::testing::Values("moto"));

TEST(LockDb, ComplianceBackupLocksChunksAndManifestAndRestoresExactly) {
  testing::TestDb db("lockdb"), target("lockdb_to");
  db.Exec(
      "CREATE TABLE t (id bigserial PRIMARY KEY, body text NOT NULL);"
      "INSERT INTO t (body) SELECT repeat(md5(i::text), 20) FROM generate_series(1, 3000) i;");
  auto env = testing::UseMotoFromEnvironment();
  const std::string prefix = testing::UniquePrefix("lockdb");
  const std::string dest = "s3://" + env["DREDGE_TEST_MOTO_BUCKET_LOCK"] + "/" + prefix;
  const int64_t start = Now();
  auto r = testing::RunDredge({"backup", "db", "--db", db.conninfo(), "--table", "t", "--dest",
                               dest, "--object-lock-mode", "COMPLIANCE", "--object-lock-retain",
                               "2h", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  auto store =
      OpenS3WithEnv(env["DREDGE_TEST_MOTO_BUCKET_LOCK"] + "/" + prefix, {}, testing::MotoTestEnv());
  ASSERT_TRUE(store.ok());
  int chunks = 0, manifests = 0;
  ASSERT_TRUE((*store)
                  ->List("database_backups/",
                         [&](const ObjectInfo& o) {
                           auto info = (*store)->Stat(o.key);
                           EXPECT_TRUE(info.ok());
                           EXPECT_EQ(info->lock_mode, "COMPLIANCE") << o.key;
                           EXPECT_GE(info->lock_retain_until, start + 7200) << o.key;
                           chunks += o.key.find("/chunks/") != std::string::npos;
                           manifests += o.key.find("/manifests/") != std::string::npos;
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_GE(chunks, 1);
  EXPECT_EQ(manifests, 1);
  r = testing::RunDredge({"restore", "db", "--dest", dest, "--db", target.conninfo(), "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(target.Dump("t"), db.Dump("t"));
}

}  // namespace
}  // namespace dredge
