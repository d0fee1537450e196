// Prune on moto's versioned bucket (no Object Lock): a file changed across runs leaves
// noncurrent versions that the snapshots name by version id (no .dredge/content/ copies); prune
// removes every version of what only retired snapshots needed and the noncurrent versions no
// kept snapshot references, never one a kept snapshot names, and every kept snapshot still
// restores byte-exact afterwards.
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "lock/lock_support.h"
#include "store/object_versions.h"

namespace dredge {
namespace {

using testing::Quote;

class PruneVersioned : public testing::LockE2E {
 protected:
  void SetUp() override {
    testing::LockE2E::SetUp();
    bucket_ = testing::MotoEnv()["DREDGE_TEST_MOTO_BUCKET_VERSIONED"];
    dest_ = "s3://" + bucket_ + "/" + prefix_;
  }
  std::string Backup() {
    auto r = Dredge("backup files --source " + Quote(src_) + Common() + " --state " +
                    Quote(dir_ + "/state.sqlite") + " --json --force");
    EXPECT_RUN(r, 0);
    std::string id = r.j.value("snapshot", "");
    trees_[id] = testing::Tree(src_);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // snapshot names are seconds
    return id;
  }
  size_t VersionsOf(const std::string& key) {
    size_t n = 0;
    EXPECT_TRUE(ListVersions(*Driver(), key, [&](const VersionInfo& v) {
                  n += v.key == key ? 1 : 0;
                  return Status::Ok();
                }).ok());
    return n;
  }
  void ExpectRestores(const std::string& id) {
    std::string target = dir_ + "/restore-" + id;
    auto r = Dredge("restore files" + Common() + " --snapshot " + id + " --target " +
                    Quote(target) + " --json");
    EXPECT_RUN(r, 0);
    EXPECT_EQ(testing::Tree(target), trees_[id]) << id;
  }
  std::map<std::string, std::map<std::string, std::string>> trees_;
};

TEST_P(PruneVersioned, RemovesOnlyUnreferencedNoncurrentVersions) {
  testing::Spit(src_ + "/a.txt", "A1");
  testing::Spit(src_ + "/b.txt", "B1, only in the first snapshot");
  testing::Spit(src_ + "/c.txt", "C1, never changes");
  const std::string s1 = Backup();
  testing::Spit(src_ + "/a.txt", "A2, changed");
  std::filesystem::remove(src_ + "/b.txt");
  const std::string s2 = Backup();
  testing::Spit(src_ + "/a.txt", "A3, changed again");
  const std::string s3 = Backup();
  ASSERT_FALSE(s1.empty() || s2.empty() || s3.empty());
  ASSERT_EQ(VersionsOf("a.txt"), 3u);
  ASSERT_EQ(VersionsOf("b.txt"), 1u);

  auto dry = Dredge("prune --tier files --keep-last 2" + Common() + " --json --dry-run");
  EXPECT_RUN(dry, 0);
  EXPECT_EQ(VersionsOf("a.txt"), 3u);
  auto r = Dredge("prune --tier files --keep-last 2" + Common() + " --json");
  EXPECT_RUN(r, 0);
  const auto& f = r.j["files"];
  EXPECT_EQ(f["snapshots_removed"], 1) << r.out;
  EXPECT_EQ(f["data_objects_removed"], 1) << r.out;         // b.txt
  EXPECT_EQ(f["noncurrent_versions_removed"], 1) << r.out;  // a.txt's A1: only s1 named it
  EXPECT_EQ(dry.j["files"]["objects_removed"], f["objects_removed"]) << dry.out;
  EXPECT_EQ(VersionsOf("a.txt"), 2u);  // A2 (s2 names its version) and A3
  EXPECT_EQ(VersionsOf("b.txt"), 0u);  // no delete marker left either
  EXPECT_EQ(VersionsOf("c.txt"), 1u);
  ExpectRestores(s2);
  ExpectRestores(s3);
}

INSTANTIATE_TEST_SUITE_P(Moto, PruneVersioned, ::testing::Values("moto"));

}  // namespace
}  // namespace dredge
