// End-to-end `dredge prune` through the binary, against file:// and the S3 test server: --dry-run
// deletes nothing, a real prune keeps every kept snapshot restorable byte for byte (with mtimes),
// `verify --deep` stays clean, a policy-less prune is a usage error, and the next backup after a
// prune still produces a complete snapshot.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/file_tree.h"
#include "support/store_e2e.h"
#include "support/test_env.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using testing::Quote;
using testing::Slurp;
using testing::Spit;

// relative path → bytes@mtime_ns, skipping the top-level .dredge/.
std::map<std::string, std::string> Tree(const std::string& root) {
  return testing::Tree(root, true);
}

using RunResult = testing::E2ERun;

class PruneE2E : public testing::StoreE2E {
 protected:
  // Every command here works on the test's destination.
  RunResult Dredge(const std::string& args) const { return StoreE2E::Dredge(args + Common()); }
  // A backup; remembers the tree its snapshot must restore.
  void Backup() {
    auto r = Dredge("backup files --force --json --source " + Quote(src_) + " --state " +
                    Quote(dir_ + "/state.sqlite"));
    ASSERT_EQ(r.code, 0) << r.err;
    expected_[r.j["snapshot"].get<std::string>()] = Tree(src_);
  }
  std::vector<std::string> Snapshots() {
    auto r = Dredge("snapshots --json");
    EXPECT_EQ(r.code, 0) << r.err;
    std::vector<std::string> ids;
    for (const auto& s : r.j["snapshots"]) ids.push_back(s["id"]);
    return ids;
  }

  std::map<std::string, std::map<std::string, std::string>> expected_;
};

TEST_P(PruneE2E, DryRunThenPruneKeepsEveryKeptSnapshotRestorable) {
  const std::string big(200 << 10, 'x');  // large enough for dedup and server-side copies
  Spit(src_ + "/per_a_1920-01-01_40_1.txt", "first a " + big, 1600000000);
  Spit(src_ + "/per_b_1920-01-02_40_2.txt", "first b", 1600000001);
  Spit(src_ + "/dir with space/c+d.txt", "first c", 1600000002);
  Spit(src_ + "/gone-later.txt", "will be removed", 1600000003);
  Backup();
  Spit(src_ + "/per_a_1920-01-01_40_1.txt", "second a " + big, 1600000100);  // replaced
  fs::remove(src_ + "/gone-later.txt");
  Spit(src_ + "/new.txt", "new in run 2", 1600000101);
  Backup();
  Spit(src_ + "/per_a_1920-01-01_40_1.txt", "third a " + big, 1600000200);
  Spit(src_ + "/dir with space/c+d.txt", "second c", 1600000201);
  Backup();
  auto ids = Snapshots();
  ASSERT_EQ(ids.size(), 3u);
  std::map<std::string, std::string> store_before;
  if (GetParam() == "file") store_before = Tree(dir_ + "/store");

  auto dry = Dredge("prune --keep-last 2 --dry-run --json");
  EXPECT_RUN(dry, 0);
  ASSERT_TRUE(dry.j.is_object()) << dry.out;
  EXPECT_EQ(dry.j["dry_run"], true);
  EXPECT_EQ(dry.j["files"]["snapshots_removed"], 1);
  EXPECT_EQ(dry.j["files"]["removed"][0], ids[0]);
  // gone-later.txt (only the first snapshot had it) and the first a's preserved content.
  EXPECT_EQ(dry.j["files"]["data_objects_removed"], 1);
  EXPECT_EQ(dry.j["files"]["content_objects_removed"], 1);
  std::set<std::string> would(dry.j["files"]["would_delete"].begin(),
                              dry.j["files"]["would_delete"].end());
  EXPECT_EQ(would.count("gone-later.txt"), 1u);
  EXPECT_EQ(would.count(".dredge/snapshots/" + ids[0] + ".json"), 1u);
  EXPECT_EQ(Snapshots().size(), 3u);
  if (GetParam() == "file") {
    EXPECT_TRUE(Tree(dir_ + "/store") == store_before);
  }

  auto pr = Dredge("prune --keep-last 2 --json");
  EXPECT_RUN(pr, 0);
  EXPECT_EQ(pr.j["files"]["snapshots_kept"], 2);
  EXPECT_EQ(pr.j["files"]["objects_removed"], 2);
  EXPECT_EQ(pr.j["files"]["bytes_freed"].get<uint64_t>(), 15u + 8u + big.size());
  std::set<std::string> deleted(pr.j["files"]["deleted"].begin(), pr.j["files"]["deleted"].end());
  deleted.erase(".dredge/snapshots/" + ids[0] + ".json");
  would.erase(".dredge/snapshots/" + ids[0] + ".json");
  EXPECT_EQ(deleted, would);
  EXPECT_EQ(Snapshots(), (std::vector<std::string>{ids[1], ids[2]}));

  for (const auto& id : {ids[1], ids[2]}) {
    std::string target = dir_ + "/restore-" + id;
    auto r = Dredge("restore files --json --snapshot " + id + " --target " + Quote(target));
    EXPECT_RUN(r, 0);
    EXPECT_TRUE(Tree(target) == expected_[id]) << id;
  }
  EXPECT_RUN(Dredge("verify files --deep --json"), 0);

  // The next backup (the index is behind the prune) completes a restorable snapshot.
  Spit(src_ + "/gone-later.txt", "will be removed", 1600000003);  // same bytes and mtime again
  Backup();
  ids = Snapshots();
  ASSERT_EQ(ids.size(), 3u);
  std::string target = dir_ + "/restore-after";
  auto r = Dredge("restore files --json --target " + Quote(target));
  EXPECT_RUN(r, 0);
  EXPECT_TRUE(Tree(target) == expected_[ids[2]]);
}

TEST_P(PruneE2E, PolicyIsRequired) {
  Spit(src_ + "/a.txt", "a", 1600000000);
  Backup();
  auto r = Dredge("prune --json");
  EXPECT_RUN(r, 2);
  EXPECT_NE(r.err.find("--keep-"), std::string::npos) << r.err;
  EXPECT_EQ(Snapshots().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Stores, PruneE2E, ::testing::Values("file", "s3"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dredge
