// The ro+file:// driver (store/readonly/readonly_store.h), added by following the driver recipe
// of docs/CONTRIBUTING.md: opened by URL through the normal path (OpenDestination, and the
// commands' --dest), it reads a backup the file driver wrote and refuses every write with
// Unsupported naming the store, so nothing under the directory changes. Also: every registered
// driver's stores stay within the capabilities its registry row claims.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_sandbox.h"
#include "cli/store_flags.h"
#include "store/byte_io.h"
#include "store/object_versions.h"
#include "store/registry.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

class ReadOnlyDriver : public CliSandbox {
 protected:
  void SetUp() override {
    MakeSandbox("rofile", {"src/sub"});
    std::ofstream(dir_ + "/src/a.txt") << "alpha";
    std::ofstream(dir_ + "/src/sub/b.txt") << "bravo";
  }
  ProcessResult Run(std::vector<std::string> args) { return Dredge(std::move(args)); }
  // Every file under the store with its size and mtime: what "unchanged" means here.
  std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> Tree() const {
    std::map<std::string, std::pair<uintmax_t, fs::file_time_type>> out;
    for (const auto& e : fs::recursive_directory_iterator(dir_ + "/store"))
      out[e.path().string()] = {e.is_regular_file() ? e.file_size() : 0, e.last_write_time()};
    return out;
  }
};

TEST_F(ReadOnlyDriver, CommandsReadABackupThroughItAndWritesAreRefused) {
  auto backup =
      Run({"backup", "files", "--source", dir_ + "/src", "--dest", "file://" + dir_ + "/store"});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  const auto before = Tree();
  const std::string ro = "ro+file://" + dir_ + "/store";

  auto snaps = Run({"snapshots", "--dest", ro, "--json"});
  ASSERT_EQ(snaps.exit_code, 0) << snaps.err;
  EXPECT_EQ(nlohmann::json::parse(snaps.out)["snapshots"].size(), 1u);
  auto restore = Run({"restore", "files", "--dest", ro, "--target", dir_ + "/out"});
  EXPECT_EQ(restore.exit_code, 0) << restore.err;
  std::ifstream restored(dir_ + "/out/sub/b.txt");
  std::string text((std::istreambuf_iterator<char>(restored)), {});
  EXPECT_EQ(text, "bravo");
  auto verify = Run({"verify", "files", "--dest", ro});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;

  std::ofstream(dir_ + "/src/c.txt") << "charlie";
  auto refused = Run({"backup", "files", "--source", dir_ + "/src", "--dest", ro});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("is read-only (ro+file://); open it as file:// to write"),
            std::string::npos)
      << refused.err;
  EXPECT_TRUE(Tree() == before) << "the read-only store changed";
}

TEST_F(ReadOnlyDriver, OpenedByUrlItReadsAndRefusesEachWriteNamingIt) {
  auto rw = OpenDestination("file://" + dir_ + "/store", {});
  ASSERT_TRUE(rw.ok()) << rw.status().ToString();
  ASSERT_TRUE((*rw)->Put("k", MemorySource("value"), {}).ok());
  auto ro = OpenDestination("ro+file://" + dir_ + "/store", {});
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  StringSink sink;
  ASSERT_TRUE((*ro)->Get("k", sink).ok());
  EXPECT_EQ(sink.out, "value");
  EXPECT_EQ((*ro)->Stat("k")->size, 5u);
  EXPECT_FALSE((*ro)->capabilities().conditional_put);

  auto put = (*ro)->Put("new", MemorySource("x"), {});
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().kind(), ErrorKind::kUnsupported);
  EXPECT_NE(put.status().message().find("put 'new' refused"), std::string::npos);
  EXPECT_EQ((*ro)->Remove("k").kind(), ErrorKind::kUnsupported);
  EXPECT_EQ((*ro)->Copy("k", "k2").kind(), ErrorKind::kUnsupported);
  EXPECT_EQ(RemoveVersion(**ro, "k", "v1").kind(), ErrorKind::kUnsupported);
  EXPECT_NE(RemoveVersion(**ro, "k", "v1").message().find("read-only"), std::string::npos);
  EXPECT_EQ((*ro)->Stat("new").status().kind(), ErrorKind::kNotFound);
  EXPECT_TRUE((*ro)->Stat("k").ok()) << "Remove must not have removed it";
  EXPECT_FALSE(fs::exists(dir_ + "/store/k2"));

  auto bad = OpenDestination("ro+file://", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().kind(), ErrorKind::kUsage);
}

// A store never claims more than its driver's row (store/registry.h: DriverSpec::most); s3:// is
// covered by the conformance suite on moto and s3rver.
TEST_F(ReadOnlyDriver, EveryLocalDriverStaysWithinItsRegisteredCapabilities) {
  const std::map<std::string, std::string> urls = {{"memory", "memory://caps-test"},
                                                   {"file", "file://" + dir_ + "/caps"},
                                                   {"ro+file", "ro+file://" + dir_ + "/caps"}};
  size_t checked = 0;
  for (const auto& d : Drivers()) {
    auto it = urls.find(d.scheme);
    if (it == urls.end()) continue;
    auto store = OpenStore(it->second, {});
    ASSERT_TRUE(store.ok()) << d.scheme << ": " << store.status().ToString();
    StoreCapabilities c = (*store)->capabilities();
    EXPECT_TRUE(!c.conditional_put || d.most.conditional_put) << d.scheme;
    EXPECT_TRUE(!c.versioning || d.most.versioning) << d.scheme;
    EXPECT_TRUE(!c.server_side_copy || d.most.server_side_copy) << d.scheme;
    auto parsed = ParseStoreUrl(it->second);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->driver, &d);
    ++checked;
  }
  EXPECT_EQ(checked, urls.size());
}

}  // namespace
}  // namespace dredge::testing
