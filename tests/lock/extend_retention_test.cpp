// Retention extension on moto's Object Lock bucket (docs/object-lock.md, "Retention
// extension"), through the dredge binary with a retain of a few seconds: a file unchanged since
// an old snapshot gets its version's retain-until moved forward by the next run (checked with
// StatVersion), so the old snapshot stays locked and restorable past its first date; a run with
// nothing due sends no retention request. The database tier: the chunks of an earlier run that
// an incremental run's chain still needs get their retain-until moved forward too.
#include <chrono>
#include <ctime>
#include <map>
#include <thread>

#include "formats/snapshot.h"
#include "lock/lock_support.h"
#include "lock/versions_support.h"
#include "pg/pg_test_util.h"
#include "store/object_versions.h"

namespace dredge {
namespace {

using testing::Quote;

int64_t Now() {
  return static_cast<int64_t>(std::time(nullptr));
}

// Sleeps until a version locked until `until` is due for extension under a 12 s retain (its
// date is before now + 6 s).
void WaitUntilDue(int64_t until) {
  while (until >= Now() + 6) std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

class ExtendRetention : public testing::LockE2E {
 protected:
  testing::E2ERun Backup() {
    auto r = Dredge("backup files --force --source " + Quote(src_) + Common() + " --state " +
                    Quote(dir_ + "/state.sqlite") +
                    " --json --object-lock-mode GOVERNANCE --object-lock-retain 12s");
    EXPECT_RUN(r, 0);
    return r;
  }
  std::string VersionIn(const std::string& id, const std::string& path) {
    return testing::SnapshotVersion(*Driver(), id, path);
  }
  int64_t Until(const std::string& key, const std::string& id) {
    auto info = StatVersion(*Driver(), key, id);
    EXPECT_TRUE(info.ok()) << info.status().ToString();
    return info.ok() ? info->lock_retain_until : 0;
  }
};

TEST_P(ExtendRetention, AnOldSnapshotsUnchangedFilesStayLockedAcrossTheWindow) {
  testing::Spit(src_ + "/changes.txt", "first");
  testing::Spit(src_ + "/stays.txt", "unchanged all along");
  auto first = Backup();
  const std::string old_id = first.j.value("snapshot", "");
  const std::string stays = VersionIn(old_id, "stays.txt");
  ASSERT_FALSE(stays.empty());
  const int64_t first_until = Until("stays.txt", stays);
  ASSERT_GT(first_until, 0);
  // The version is due at the next run once it is locked less than a retain ahead.
  WaitUntilDue(first_until);
  testing::Spit(src_ + "/changes.txt", "second, longer");
  const int64_t before_second = Now();
  auto second = Backup();
  ASSERT_TRUE(second.j["retention"].is_object()) << second.out;
  EXPECT_GE(second.j["retention"].value("extended", 0), 1) << second.out;
  const int64_t moved = Until("stays.txt", stays);
  EXPECT_GE(moved, before_second + 12);
  EXPECT_GT(moved, first_until);
  // The version the second run wrote was locked only a retain ahead, so the next run extends
  // it once (to 1.5 retains); after that nothing is due: no request at all (the dates are in
  // the state index).
  // (Dates are whole seconds, rounded up at the write: let a whole second pass so the third
  // run starts after the second run's write.)
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto third = Backup();
  EXPECT_EQ(third.j["retention"].value("extended", -1), 1) << third.out;
  auto fourth = Backup();
  EXPECT_EQ(fourth.j["retention"].value("requests", -1), 0) << fourth.out;
  // Past the first date the old snapshot's unchanged file is still locked, and the old
  // snapshot restores byte-exact.
  while (Now() <= first_until) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_GT(Until("stays.txt", stays), Now());
  Status refused = RemoveVersion(*Driver(), "stays.txt", stays);
  EXPECT_EQ(refused.kind(), ErrorKind::kPermanent) << refused.ToString();
  auto r = Dredge("restore files" + Common() + " --snapshot " + old_id + " --target " +
                  Quote(dir_ + "/old") + " --json");
  EXPECT_RUN(r, 0);
  EXPECT_EQ(testing::Slurp(dir_ + "/old/stays.txt"), "unchanged all along");
  EXPECT_EQ(testing::Slurp(dir_ + "/old/changes.txt"), "first");
}

INSTANTIATE_TEST_SUITE_P(Moto, ExtendRetention, ::testing::Values("moto"));

TEST(ExtendRetentionDb, AnIncrementalRunExtendsTheChunksItsChainStillNeeds) {
  testing::TestDb db("extenddb");
  db.Exec(
      "CREATE TABLE t (id bigserial PRIMARY KEY, body text NOT NULL);"
      "INSERT INTO t (body) SELECT md5(i::text) FROM generate_series(1, 500) i;");
  auto env = testing::UseMotoFromEnvironment();
  const std::string prefix = testing::UniquePrefix("extenddb");
  const std::string dest = "s3://" + env["DREDGE_TEST_MOTO_BUCKET_LOCK"] + "/" + prefix;
  auto backup = [&] {
    auto r = testing::RunDredge({"backup", "db", "--db", db.conninfo(), "--table", "t", "--dest",
                                 dest, "--object-lock-mode", "GOVERNANCE", "--object-lock-retain",
                                 "12s", "--json"});
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  };
  backup();
  auto store =
      OpenS3WithEnv(env["DREDGE_TEST_MOTO_BUCKET_LOCK"] + "/" + prefix, {}, testing::MotoTestEnv());
  ASSERT_TRUE(store.ok());
  std::map<std::string, int64_t> first;  // chunk key → retain-until after the first run
  ASSERT_TRUE((*store)
                  ->List("database_backups/chunks/",
                         [&](const ObjectInfo& o) {
                           auto info = (*store)->Stat(o.key);
                           EXPECT_TRUE(info.ok());
                           if (info.ok()) first[o.key] = info->lock_retain_until;
                           return Status::Ok();
                         })
                  .ok());
  ASSERT_FALSE(first.empty());
  for (const auto& [key, until] : first) WaitUntilDue(until);
  db.Exec("INSERT INTO t (body) VALUES ('one more row');");
  const int64_t before_second = Now();
  auto second = backup();
  ASSERT_TRUE(second.is_object());
  ASSERT_TRUE(second["retention"].is_object()) << second.dump();
  EXPECT_GE(second["retention"].value("extended", 0), static_cast<int>(first.size()))
      << second.dump();
  for (const auto& [key, until] : first) {
    auto info = (*store)->Stat(key);
    ASSERT_TRUE(info.ok());
    EXPECT_GE(info->lock_retain_until, before_second + 12) << key;
    EXPECT_GT(info->lock_retain_until, until) << key;
  }
}

}  // namespace
}  // namespace dredge
