// Dry runs say what they would do, with counts in the right plural, and change nothing
// (issue 13): `prune --dry-run` names each snapshot it would remove and the objects it would
// delete; `backup files --dry-run` says "would copy" for content already stored and, with -v,
// names each file; `restore files --dry-run` decides every file and writes nothing.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_sandbox.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

class DryRun : public CliSandbox {
 protected:
  void SetUp() override {
    MakeSandbox("dryrun", {"src", "store"});
    for (int i = 0; i < 10; ++i)  // a change to one stays under the 20% guard
      std::ofstream(dir_ + "/src/f" + std::to_string(i) + ".txt") << "file " << i;
    // Large enough to be copied from its stored object instead of uploaded again.
    std::ofstream(dir_ + "/src/big.bin") << std::string(100 << 10, 'b');
  }
  ProcessResult Run(std::vector<std::string> args) {
    args.insert(args.end(), {"--dest", "file://" + dir_ + "/store"});
    return Dredge(std::move(args));
  }
  // Every file under `dir` with its bytes.
  static std::map<std::string, std::string> Listing(const std::string& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      if (e.is_regular_file()) {
        std::ifstream in(e.path(), std::ios::binary);
        out[fs::relative(e.path(), dir).string()].assign(std::istreambuf_iterator<char>(in), {});
      }
    return out;
  }
  size_t Snapshots() {
    auto r = Run({"snapshots", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out)["snapshots"].size();
  }
};

TEST_F(DryRun, PruneSaysWhatItWouldRemoveWithCountsAndRemovesNothing) {
  ASSERT_EQ(Run({"backup", "files", "--source", dir_ + "/src"}).exit_code, 0);
  std::ofstream(dir_ + "/src/f0.txt") << "changed";
  ASSERT_EQ(Run({"backup", "files", "--source", dir_ + "/src"}).exit_code, 0);
  ASSERT_EQ(Snapshots(), 2u);

  auto r = Run({"prune", "--tier", "files", "--keep-last", "1", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("would remove snapshot_"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("kept 1 snapshot, would remove 1 snapshot"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(" 1 objects"), std::string::npos) << r.err;
  EXPECT_EQ(Snapshots(), 2u) << "a dry run removes nothing";

  auto real = Run({"prune", "--tier", "files", "--keep-last", "1"});
  ASSERT_EQ(real.exit_code, 0) << real.err;
  EXPECT_NE(real.err.find("removed 1 snapshot"), std::string::npos) << real.err;
  EXPECT_EQ(Snapshots(), 1u);
}

TEST_F(DryRun, BackupSaysWouldCopyForStoredContentAndVerboseNamesEachFile) {
  ASSERT_EQ(Run({"backup", "files", "--source", dir_ + "/src"}).exit_code, 0);
  fs::copy_file(dir_ + "/src/big.bin", dir_ + "/src/big-copy.bin");  // content already stored
  std::ofstream(dir_ + "/src/new.txt") << "new bytes";
  auto r = Run({"-v", "backup", "files", "--source", dir_ + "/src", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("would upload 1 file"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("would copy 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("new.txt"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("would copy: big-copy.bin"), std::string::npos) << r.err;
  EXPECT_EQ(Snapshots(), 1u) << "a dry run writes no snapshot";
}

// restore files --dry-run decides every file as a restore would and writes nothing: no target
// folder is made, an existing one is left as it is, and the store gets no lease.
TEST_F(DryRun, RestoreSaysWhatItWouldDoAndWritesNothing) {
  ASSERT_EQ(Run({"backup", "files", "--source", dir_ + "/src"}).exit_code, 0);
  auto store_before = Listing(dir_ + "/store");
  auto fresh = Run({"-v", "restore", "files", "--target", dir_ + "/fresh", "--dry-run"});
  ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
  EXPECT_NE(fresh.err.find("dry run: would restore 11 files"), std::string::npos) << fresh.err;
  EXPECT_NE(fresh.err.find("would restore: big.bin"), std::string::npos) << fresh.err;
  EXPECT_FALSE(fs::exists(dir_ + "/fresh"));

  fs::create_directories(dir_ + "/old");
  fs::copy_file(dir_ + "/src/big.bin", dir_ + "/old/big.bin");  // identical
  std::ofstream(dir_ + "/old/f0.txt") << "other bytes";         // differs
  auto old_before = Listing(dir_ + "/old");
  auto r = Run({"restore", "files", "--target", dir_ + "/old", "--dry-run", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("dry_run"), true);
  EXPECT_EQ(j.at("restored"), 9);
  EXPECT_EQ(j.at("skipped"), 1);
  EXPECT_EQ(j.at("conflicts"), 1);
  EXPECT_NE(r.err.find("left alone: f0.txt"), std::string::npos) << r.err;
  EXPECT_EQ(Listing(dir_ + "/old"), old_before);
  EXPECT_EQ(Listing(dir_ + "/store"), store_before) << "a dry run takes no lease";
}

}  // namespace
}  // namespace dredge::testing
