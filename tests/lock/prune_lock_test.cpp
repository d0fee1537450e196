// Prune around Object Lock on moto's lock bucket (docs/object-lock.md "Prune around locks"),
// both modes, both tiers: while the retention of what the policy drops lasts, prune keeps it,
// reports it ("kept N objects ... locked until <date>") and exits 0, and a dry run shows the
// same plan and removes nothing; once a short retention has passed, the next prune removes every
// version of it (no delete marker left) and the kept restore point restores byte-exact.
#include <chrono>
#include <ctime>
#include <set>
#include <thread>

#include "lock/lock_support.h"
#include "pg/pg_test_util.h"
#include "store/object_versions.h"

namespace dredge {
namespace {

using testing::Quote;

int64_t Now() {
  return static_cast<int64_t>(std::time(nullptr));
}

void SleepPast(int64_t t) {
  while (Now() <= t) std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

// Every version and delete marker under `prefix` of `store`: "key@id" ("!" for a marker).
std::set<std::string> VersionsOf(ObjectStore& store, const std::string& prefix) {
  std::set<std::string> out;
  EXPECT_TRUE(ListVersions(store, prefix, [&](const VersionInfo& v) {
                out.insert(v.key + "@" + v.version_id + (v.delete_marker ? "!" : ""));
                return Status::Ok();
              }).ok());
  return out;
}

bool HasKey(const std::set<std::string>& versions, const std::string& key) {
  for (const auto& v : versions)
    if (v.rfind(key + "@", 0) == 0) return true;
  return false;
}

class PruneLockFiles : public testing::LockE2E {
 protected:
  void Scenario(const std::string& mode);
  testing::E2ERun Backup(const std::string& extra = "") {
    return Dredge("backup files --source " + Quote(src_) + Common() + " --state " +
                  Quote(dir_ + "/state.sqlite") + " --json --object-lock-mode " + mode_ +
                  " --object-lock-retain 3s" + extra);
  }
  testing::E2ERun Prune(const std::string& extra = "") {
    return Dredge("prune --tier files --keep-last 1" + Common() + " --json" + extra);
  }
  // The versions of backed-up objects (not of the protocol records a prune itself writes:
  // leases, run records, prune records).
  std::set<std::string> Versions() {
    std::set<std::string> out;
    for (const auto& v : VersionsOf(*Driver(), ""))
      if (!v.starts_with(".dredge/locks/") && !v.starts_with(".dredge/runs/") &&
          !v.starts_with(".dredge/prunes/") && !v.starts_with(".dredge/check/"))
        out.insert(v);
    return out;
  }
  std::string mode_;
};

void PruneLockFiles::Scenario(const std::string& mode) {
  mode_ = mode;
  testing::Spit(src_ + "/a.txt", "first a");
  testing::Spit(src_ + "/b.txt", "only in the first snapshot");
  EXPECT_RUN(Backup(), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // snapshot names are seconds
  testing::Spit(src_ + "/a.txt", "second a, changed");
  std::filesystem::remove(src_ + "/b.txt");
  EXPECT_RUN(Backup(" --force"), 0);
  const int64_t written = Now();
  const auto before = Versions();
  ASSERT_TRUE(HasKey(before, "b.txt"));

  auto dry = Prune(" --dry-run");
  EXPECT_RUN(dry, 0);
  EXPECT_EQ(Versions(), before);
  auto kept = Prune();
  EXPECT_RUN(kept, 0);
  // Nothing the policy drops is unlocked yet: nothing goes, and the plan says why.
  EXPECT_EQ(Versions(), before) << kept.out;
  EXPECT_TRUE(HasKey(Versions(), "b.txt"));
  ASSERT_TRUE(kept.j.is_object()) << kept.out;
  const auto& f = kept.j["files"];
  EXPECT_EQ(f["snapshots_removed"], 0) << kept.out;
  // The old snapshot's document (the old a.txt is its version, kept with it, not considered).
  EXPECT_EQ(f["locked"]["objects"], 1) << kept.out;
  EXPECT_EQ(f["failed"], 0);
  EXPECT_NE(kept.err.find("locked until"), std::string::npos) << kept.err;
  // The dry run showed the same plan: the same kept snapshots and locks.
  EXPECT_EQ(dry.j["files"]["locked"], f["locked"]) << dry.out;
  EXPECT_EQ(dry.j["files"]["kept"], f["kept"]) << dry.out;

  SleepPast(written + 4);
  auto gone = Prune();
  EXPECT_RUN(gone, 0);
  EXPECT_EQ(gone.j["files"]["snapshots_removed"], 1) << gone.out;
  EXPECT_EQ(gone.j["files"]["locked"]["objects"], 0) << gone.out;
  const auto after = Versions();
  EXPECT_FALSE(HasKey(after, "b.txt"));  // every version, and no delete marker
  auto restore =
      Dredge("restore files" + Common() + " --target " + Quote(dir_ + "/restored") + " --json");
  EXPECT_RUN(restore, 0);
  EXPECT_EQ(testing::Tree(dir_ + "/restored"), testing::Tree(src_));
}

TEST_P(PruneLockFiles, GovernanceKeepsLockedObjectsExitsZeroAndRemovesThemOnceTheLockEnds) {
  Scenario("GOVERNANCE");
}

TEST_P(PruneLockFiles, ComplianceKeepsLockedObjectsExitsZeroAndRemovesThemOnceTheLockEnds) {
  Scenario("COMPLIANCE");
}

INSTANTIATE_TEST_SUITE_P(Moto, PruneLockFiles, ::testing::Values("moto"));

// The database tier in both modes: a dropped manifest that is still locked stays a restore
// point; after the lock it goes, and the newest one restores exactly.
class PruneLockDb : public ::testing::TestWithParam<std::string> {};

TEST_P(PruneLockDb, KeepsALockedManifestThenRemovesIt) {
  testing::TestDb db("prunelockdb"), target("prunelockdb_to");
  db.Exec(
      "CREATE TABLE t (id bigserial PRIMARY KEY, body text NOT NULL);"
      "INSERT INTO t (body) SELECT md5(i::text) FROM generate_series(1, 500) i;");
  auto env = testing::UseMotoFromEnvironment();
  const std::string prefix = testing::UniquePrefix("prunelockdb");
  const std::string dest = "s3://" + env["DREDGE_TEST_MOTO_BUCKET_LOCK"] + "/" + prefix;
  auto backup = [&] {
    return testing::RunDredge({"backup", "db", "--db", db.conninfo(), "--table", "t", "--dest",
                               dest, "--object-lock-mode", GetParam(), "--object-lock-retain", "3s",
                               "--json"});
  };
  auto r = backup();
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // manifest names are seconds
  db.Exec("INSERT INTO t (body) VALUES ('after the first run');");
  r = backup();
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const int64_t written = Now();
  auto store =
      OpenS3WithEnv(env["DREDGE_TEST_MOTO_BUCKET_LOCK"] + "/" + prefix, {}, testing::MotoTestEnv());
  ASSERT_TRUE(store.ok());
  const auto before = VersionsOf(**store, "database_backups/");

  auto prune = [&](bool dry) {
    std::vector<std::string> args = {"prune", "--tier", "db", "--keep-last",
                                     "1",     "--dest", dest, "--json"};
    if (dry) args.push_back("--dry-run");
    return testing::RunDredge(args);
  };
  auto dry = prune(true);
  ASSERT_EQ(dry.code, 0) << dry.out << dry.err;
  auto kept = prune(false);
  ASSERT_EQ(kept.code, 0) << kept.out << kept.err;
  auto j = nlohmann::json::parse(kept.out);
  EXPECT_EQ(j["db"]["locked_manifests"].size(), 1u) << kept.out;
  EXPECT_EQ(j["db"]["manifests_kept"], 2) << kept.out;
  EXPECT_EQ(j["db"]["chunks_removed"], 0) << kept.out;
  EXPECT_EQ(nlohmann::json::parse(dry.out)["db"]["locked"], j["db"]["locked"]) << dry.out;
  EXPECT_NE(kept.err.find("locked until"), std::string::npos) << kept.err;
  EXPECT_EQ(VersionsOf(**store, "database_backups/"), before);

  SleepPast(written + 4);
  auto gone = prune(false);
  ASSERT_EQ(gone.code, 0) << gone.out << gone.err;
  j = nlohmann::json::parse(gone.out);
  EXPECT_EQ(j["db"]["manifests_removed"], 1) << gone.out;
  EXPECT_EQ(j["db"]["locked"]["objects"], 0) << gone.out;
  r = testing::RunDredge({"restore", "db", "--dest", dest, "--db", target.conninfo(), "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(target.Dump("t"), db.Dump("t"));
}

INSTANTIATE_TEST_SUITE_P(Moto, PruneLockDb, ::testing::Values("GOVERNANCE", "COMPLIANCE"));

}  // namespace
}  // namespace dredge
