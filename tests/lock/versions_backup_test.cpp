// Backups on moto's versioned bucket (docs/formats/snapshot.md rule 0, docs/object-lock.md
// "Versioned buckets"), through the dredge binary: files changed and removed across runs, every
// snapshot restored byte-exact from the versions it names, no .dredge/content/ object written,
// verify and drill passing; a version removed behind dredge's back named by restore (exit 3)
// and verify (exit 4); versioning suspended between runs named by the backup.
#include <filesystem>
#include <map>

#include "common/hash.h"
#include "formats/snapshot.h"
#include "lock/lock_support.h"
#include "lock/versions_support.h"
#include "store/byte_io.h"
#include "store/object_versions.h"

namespace dredge {
namespace {

using testing::Quote;
using Tree = std::map<std::string, std::string>;

class VersionedFiles : public testing::LockE2E {
 protected:
  void SetUp() override {
    LockE2E::SetUp();
    bucket_ = testing::MotoEnv()["DREDGE_TEST_MOTO_BUCKET_VERSIONED"];
    dest_ = "s3://" + bucket_ + "/" + prefix_;
  }
  // Makes src/ hold exactly `tree` and backs it up; the snapshot id.
  std::string BackupTree(const Tree& tree) {
    std::filesystem::remove_all(src_);
    std::filesystem::create_directories(src_);
    for (const auto& [p, bytes] : tree) testing::Spit(src_ + "/" + p, bytes);
    last_ = Dredge("backup files --force --source " + Quote(src_) + Common() + " --state " +
                   Quote(dir_ + "/state.sqlite") + " --json");
    EXPECT_RUN(last_, 0);
    return last_.j.is_object() ? last_.j.value("snapshot", "") : "";
  }
  testing::E2ERun Restore(const std::string& id, const std::string& target) {
    return Dredge("restore files" + Common() + " --snapshot " + id + " --target " + Quote(target) +
                  " --json");
  }
  testing::E2ERun Verify(const std::string& id) {
    return Dredge("verify files" + Common() + " --snapshot " + id + " --json");
  }
  std::string VersionIn(const std::string& id, const std::string& path) {
    return testing::SnapshotVersion(*Driver(), id, path);
  }
  // One unsigned request on this test's bucket (moto does not check signatures): its status.
  int Raw(const std::string& method, const std::string& query, const std::string& xml) const {
    MemorySource body(xml);
    s3::HttpRequest req;
    req.method = method;
    req.url = endpoint_ + "/" + bucket_ + query;
    if (!xml.empty()) {
      req.headers = {{"Content-Type", "application/xml"}};
      req.body = &body;
    }
    s3::HttpClient http({});
    auto r = http.Perform(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? static_cast<int>(r->status) : -1;
  }
  testing::E2ERun last_;
};

TEST_P(VersionedFiles, ChangedAndRemovedFilesRestoreFromEverySnapshotWithoutContentCopies) {
  const std::vector<Tree> trees = {
      {{"a.txt", "alpha one"}, {"dir/b.bin", std::string(70000, 'b')}, {"gone.txt", "removed"}},
      {{"a.txt", "alpha two, longer"}, {"dir/b.bin", std::string(70000, 'b')}, {"c.txt", "new"}},
      {{"a.txt", "alpha one"}, {"dir/b.bin", std::string(70001, 'B')}, {"gone.txt", "again"}},
  };
  std::vector<std::string> ids;
  for (const auto& t : trees) {
    ids.push_back(BackupTree(t));
    EXPECT_EQ(last_.j.value("versioning", ""), "enabled") << last_.out;
    EXPECT_EQ(last_.j.value("preserved", -1), 0) << last_.out;
  }
  for (const ObjectInfo& o : Objects()) EXPECT_FALSE(o.key.starts_with(".dredge/content/"));
  for (size_t i = 0; i < ids.size(); ++i) {
    SCOPED_TRACE(ids[i]);
    std::string target = dir_ + "/restored" + std::to_string(i);
    EXPECT_RUN(Restore(ids[i], target), 0);
    EXPECT_EQ(testing::Tree(target), trees[i]);
    EXPECT_RUN(Verify(ids[i]), 0);
  }
  auto drill = Dredge("drill --tier files --dest " + Quote(dest_) + " --source " + Quote(src_));
  EXPECT_RUN(drill, 0);
}

TEST_P(VersionedFiles, AVersionRemovedBehindDredgesBackIsNamedByRestoreAndVerify) {
  std::string first = BackupTree({{"a.txt", "first bytes"}, {"b.txt", "stays"}});
  BackupTree({{"a.txt", "second bytes"}, {"b.txt", "stays"}});
  std::string lost = VersionIn(first, "a.txt");
  ASSERT_FALSE(lost.empty());
  ASSERT_TRUE(RemoveVersion(*Driver(), "a.txt", lost).ok());
  auto r = Restore(first, dir_ + "/out");
  EXPECT_RUN(r, 3);
  EXPECT_NE((r.out + r.err).find(lost), std::string::npos) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("a.txt"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/out/a.txt"));  // never the current version
  EXPECT_EQ(testing::Slurp(dir_ + "/out/b.txt"), "stays");
  auto v = Verify(first);
  EXPECT_RUN(v, 4);
  EXPECT_NE((v.out + v.err).find(lost), std::string::npos) << v.out << v.err;
}

// Versioning is a bucket setting: this test suspends it on a bucket of its own.
TEST_P(VersionedFiles, VersioningSuspendedBetweenRunsIsNamedAndOlderSnapshotsStillRestore) {
  bucket_ = "dredge-suspended-" + prefix_;  // prefix_ is "e2e-<pid>-<n>": a valid name
  ASSERT_EQ(Raw("PUT", "", ""), 200);
  ASSERT_EQ(Raw("PUT", "?versioning",
                "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"),
            200);
  dest_ = "s3://" + bucket_ + "/" + prefix_;
  std::string first = BackupTree({{"a.txt", "versioned bytes"}});
  ASSERT_EQ(Raw("PUT", "?versioning",
                "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>"),
            200);
  BackupTree({{"a.txt", "written while suspended"}});
  EXPECT_EQ(last_.j.value("versioning", ""), "suspended") << last_.out;
  std::string warning = last_.j.value("versioning_warning", "");
  EXPECT_NE(warning.find("suspended"), std::string::npos) << last_.out;
  EXPECT_NE(warning.find(bucket_), std::string::npos) << last_.out;
  EXPECT_NE(last_.err.find(warning.substr(0, 40)), std::string::npos) << last_.err;
  // The suspended run kept the replaced bytes under .dredge/content/, as on an unversioned bucket.
  EXPECT_EQ(last_.j.value("preserved", -1), 1) << last_.out;
  // moto 5.2 quirk: a PUT into a suspended bucket drops the key's earlier versions (AWS keeps
  // versions that have ids and replaces only the "null" one). The first snapshot's version is
  // then gone on moto; restore names it and takes the MD5-equal preserved copy instead.
  auto r = Restore(first, dir_ + "/r1");
  EXPECT_RUN(r, 0);
  EXPECT_EQ(testing::Slurp(dir_ + "/r1/a.txt"), "versioned bytes");
}

INSTANTIATE_TEST_SUITE_P(Moto, VersionedFiles, ::testing::Values("moto"));

}  // namespace
}  // namespace dredge
