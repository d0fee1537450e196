// End-to-end: finding and comparing what is backed up (issue 13) through the real binary, on
// file:// and the S3 test server: snapshot selectors (latest, stamp, unique prefix, ambiguous
// prefix), `ls`, `diff`, the `snapshots` columns, destinations taken from dredge.toml, and a
// mistyped or empty destination on every read command.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/file_tree.h"
#include "support/store_e2e.h"

namespace dredge {
namespace {

using nlohmann::json;
using testing::E2ERun;
using testing::Quote;
using testing::Slurp;
using testing::Spit;
using testing::Tree;

class BrowseE2E : public testing::StoreE2E {
 protected:
  // Two snapshots: first {keep, change, old-name, gone}, then change edited, old-name renamed
  // to new-name, gone removed, added.txt added.
  void TwoSnapshots() {
    Spit(src_ + "/keep.txt", "kept", 1600000000);
    Spit(src_ + "/change.txt", "version one", 1600000001);
    Spit(src_ + "/dir/old-name.txt", "moving content", 1600000002);
    Spit(src_ + "/gone.txt", "soon removed", 1600000003);
    first_ = Backup();
    Spit(src_ + "/change.txt", "version two, longer", 1600000100);
    std::filesystem::rename(src_ + "/dir/old-name.txt", src_ + "/dir/new-name.txt");
    std::filesystem::remove(src_ + "/gone.txt");
    Spit(src_ + "/added.txt", "new file", 1600000101);
    second_ = Backup();
    ASSERT_NE(first_, second_);
  }
  std::string Backup() {
    auto r = Dredge("backup files --force --json --source " + Quote(src_) + Common() + " --state " +
                    Quote(dir_ + "/state.sqlite"));
    EXPECT_RUN(r, 0);
    return r.j.is_object() ? r.j.value("snapshot", "") : "";
  }
  // A dredge.toml naming the destination; commands run with --config and no --dest.
  std::string Config() {
    std::string path = dir_ + "/dredge.toml";
    Spit(path, "[files]\nsource = \"" + src_ + "\"\n[[files.destination]]\nurl = \"" + dest_ +
                   "\"\n[[db.destination]]\nurl = \"" + dest_ + "\"\n");
    return " --config " + Quote(path) + " ";
  }
  std::string first_, second_;
};

TEST_P(BrowseE2E, SnapshotsShowFilesBytesHostAndChanges) {
  TwoSnapshots();
  auto r = Dredge("snapshots --json" + Common());
  EXPECT_RUN(r, 0);
  ASSERT_EQ(r.j["snapshots"].size(), 2u) << r.out;
  const json& a = r.j["snapshots"][0];
  const json& b = r.j["snapshots"][1];
  EXPECT_EQ(a["id"], first_);
  EXPECT_EQ(a["files"], 4);
  EXPECT_EQ(a["bytes"], 4 + 11 + 14 + 12);
  EXPECT_EQ(a["changed"], 4);  // the first snapshot: all of its files
  EXPECT_FALSE(a["host"].get<std::string>().empty());
  EXPECT_TRUE(a["time"].get<std::string>().ends_with("Z"));
  EXPECT_EQ(b["files"], 4);
  EXPECT_EQ(b["bytes"], 4 + 19 + 14 + 8);
  EXPECT_EQ(b["changed"], 4);  // changed, renamed, removed, added
  auto text = Dredge("snapshots" + Common());
  EXPECT_RUN(text, 0);
  EXPECT_NE(text.out.find("CHANGED"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(second_), std::string::npos) << text.out;
}

TEST_P(BrowseE2E, EverySelectorFormChoosesTheSnapshot) {
  TwoSnapshots();
  const std::string stamp = first_.substr(9, 15);  // snapshot_<YYYYMMDD_HHMMSS>_xxxxxx
  for (const std::string& sel :
       std::vector<std::string>{stamp, first_.substr(0, 28), first_.substr(9, 17), first_}) {
    auto r = Dredge("restore files --json --snapshot " + sel + Common() + " --target " +
                    Quote(dir_ + "/r-" + sel));
    EXPECT_RUN(r, 0);
    EXPECT_EQ(r.j["snapshot"], first_) << sel;
  }
  auto latest = Dredge("restore files --json --snapshot latest" + Common() + " --target " +
                       Quote(dir_ + "/latest"));
  EXPECT_RUN(latest, 0);
  EXPECT_EQ(latest.j["snapshot"], second_);
  EXPECT_TRUE(Tree(dir_ + "/latest") == Tree(src_));
  // "snapshot_" is a prefix of both: usage error listing both candidates, nothing restored.
  auto amb =
      Dredge("restore files --snapshot snapshot_" + Common() + " --target " + Quote(dir_ + "/amb"));
  EXPECT_RUN(amb, 2);
  EXPECT_NE(amb.err.find(first_), std::string::npos) << amb.err;
  EXPECT_NE(amb.err.find(second_), std::string::npos) << amb.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/amb"));
  auto none = Dredge("ls 19990101" + Common());
  EXPECT_RUN(none, 1);
  EXPECT_NE(none.err.find("matches '19990101'"), std::string::npos) << none.err;
  // verify and ls take the same forms.
  auto v = Dredge("verify files --json --snapshot " + stamp + Common());
  EXPECT_NE(v.j.value("against", ""), "") << v.out;
  EXPECT_NE(v.j["against"].get<std::string>().find(first_), std::string::npos);
  auto ls = Dredge("ls " + stamp + Common());
  EXPECT_RUN(ls, 0);
  EXPECT_NE(ls.out.find("gone.txt"), std::string::npos) << ls.out;
}

TEST_P(BrowseE2E, LsListsPathsWithGlobsLongAndJson) {
  TwoSnapshots();
  auto r = Dredge("ls" + Common());
  EXPECT_RUN(r, 0);
  EXPECT_EQ(r.out, "added.txt\nchange.txt\ndir/new-name.txt\nkeep.txt\n");
  r = Dredge("ls latest 'dir/*'" + Common());
  EXPECT_RUN(r, 0);
  EXPECT_EQ(r.out, "dir/new-name.txt\n");
  r = Dredge("ls '*.txt' --long" + Common());  // a glob first: the newest snapshot
  EXPECT_RUN(r, 0);
  EXPECT_NE(r.out.find("keep.txt"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  path  "), std::string::npos) << r.out;
  // The old version of change.txt lives in .dredge/content/ since the second backup.
  r = Dredge("ls " + first_ + " change.txt --json" + Common());
  EXPECT_RUN(r, 0);
  auto line = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(line.is_object()) << r.out;
  EXPECT_EQ(line["path"], "change.txt");
  EXPECT_EQ(line["size"], 11);
  EXPECT_EQ(line["md5"].get<std::string>().size(), 32u);
  EXPECT_EQ(line["location"], ".dredge/content/" + line["md5"].get<std::string>());
}

TEST_P(BrowseE2E, DiffNamesAddedRemovedChangedRenamedWithTotals) {
  TwoSnapshots();
  auto r = Dredge("diff " + first_.substr(9, 15) + " latest --json" + Common());
  EXPECT_RUN(r, 0);
  ASSERT_TRUE(r.j.is_object()) << r.out;
  EXPECT_EQ(r.j["from"], first_);
  EXPECT_EQ(r.j["to"], second_);
  EXPECT_EQ(r.j["added"], json::parse(R"([{"path":"added.txt","size":8}])"));
  EXPECT_EQ(r.j["removed"], json::parse(R"([{"path":"gone.txt","size":12}])"));
  EXPECT_EQ(r.j["changed"], json::parse(R"([{"path":"change.txt","old_size":11,"new_size":19}])"));
  EXPECT_EQ(r.j["renamed"],
            json::parse(R"([{"from":"dir/old-name.txt","to":"dir/new-name.txt","size":14}])"));
  EXPECT_EQ(r.j["totals"]["unchanged"], 1);
  auto text = Dredge("diff " + first_ + " " + second_ + Common());
  EXPECT_RUN(text, 0);
  EXPECT_NE(text.out.find("+ added.txt"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("- gone.txt"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("M change.txt"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("R dir/old-name.txt -> dir/new-name.txt"), std::string::npos);
  EXPECT_NE(text.out.find("4 files differ: 1 added"), std::string::npos) << text.out;
  auto globbed = Dredge("diff " + first_ + " " + second_ + " 'g*' --json" + Common());
  EXPECT_RUN(globbed, 0);
  EXPECT_EQ(globbed.j["removed"].size(), 1u);
  EXPECT_EQ(globbed.j["added"].size(), 0u);
  EXPECT_EQ(globbed.j["changed"].size(), 0u);
}

TEST_P(BrowseE2E, ReadCommandsTakeTheDestinationFromTheConfig) {
  TwoSnapshots();
  const std::string cfg = Config();
  for (const std::string& cmd :
       std::vector<std::string>{"snapshots", "ls", "diff latest " + first_, "verify files"}) {
    auto r = Dredge(cmd + cfg);
    EXPECT_RUN(r, 0) << cmd;
  }
  auto restore = Dredge("restore files --target " + Quote(dir_ + "/t") + cfg);
  EXPECT_RUN(restore, 0);
  EXPECT_TRUE(Tree(dir_ + "/t") == Tree(src_));
  // The db tier's read commands read [[db.destination]]: nothing of the db tier is there.
  for (const std::string& cmd :
       std::vector<std::string>{"manifests", "verify db", "ls --tier db"}) {
    auto r = Dredge(cmd + cfg);
    EXPECT_RUN(r, 1) << cmd;
    EXPECT_NE(r.err.find("nothing dredge wrote is at"), std::string::npos) << cmd << r.err;
  }
}

TEST_P(BrowseE2E, EmptyOrMistypedDestinationIsAnErrorOnEveryReadCommand) {
  std::string wrong =
      GetParam() == "file" ? "file://" + dir_ + "/no-such-store" : dest_ + "-mistyped";
  std::string common = " --dest " + Quote(wrong) +
                       (endpoint_.empty() ? std::string() : " --endpoint-url " + endpoint_);
  for (const std::string& cmd : std::vector<std::string>{
           "snapshots", "ls", "diff latest latest", "verify files", "manifests", "verify db",
           "restore files --target " + Quote(dir_ + "/t")}) {
    auto r = Dredge(cmd + common);
    EXPECT_RUN(r, 1) << cmd;
    EXPECT_NE(r.err.find("nothing dredge wrote is at"), std::string::npos) << cmd << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << cmd << ": more than one line: " << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/no-such-store"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/t"));
}

INSTANTIATE_TEST_SUITE_P(Stores, BrowseE2E, ::testing::Values("file", "s3"));

}  // namespace
}  // namespace dredge
