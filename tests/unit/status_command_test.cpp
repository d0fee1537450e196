// `dredge status`: last runs per tier and destination, counts, and exit 6 when stale, through
// the command's runner (memory://) and through the real binary (file://).
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "commands/status.h"
#include "common/exit_codes.h"
#include "common/time_util.h"
#include "ops/run_record.h"
#include "ops/status_report.h"
#include "store/file/file_store.h"
#include "store/memory/memory_store.h"
#include "store/registry.h"
#include "support/process.h"
#include "support/test_env.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kSec = 1000000000;

RunRecord Record(const std::string& tier, int64_t ended_ago_s, const std::string& status) {
  RunRecord r;
  r.tier = tier;
  r.command = "backup";
  r.destination = "test";
  r.run = NewRunIdentity();
  r.end_ns = NowUnixNanos() - ended_ago_s * kSec;
  r.run.start_ns = r.end_ns - 75 * kSec;
  r.status = status;
  r.exit_code = status == "ok" ? 0 : 1;
  r.error = status == "ok" ? "" : "cannot upload 'x.txt': AccessDenied";
  r.objects = 42;
  r.bytes = 123456;
  r.rows = tier == "db" ? 5000 : 0;
  return r;
}

Status RunStatusCommand(const std::vector<std::string>& args) {
  CLI::App app;
  GlobalOptions global;
  global.config_path = "";
  Runner run = SetupStatus(app, global);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  app.parse(reversed);
  return run();
}

TEST(StatusCommand, StaleBackupExitsSix) {
  auto store = OpenStore("memory://status-stale", {});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(WriteRunRecord(**store, Record("files", 3 * 3600, "ok")).ok());
  ASSERT_TRUE(WriteRunRecord(**store, Record("files", 600, "failed")).ok());

  Status stale = RunStatusCommand({"--dest", "memory://status-stale", "--max-age", "2h"});
  EXPECT_EQ(stale.kind(), ErrorKind::kStale) << stale.ToString();
  EXPECT_EQ(ExitCodeFor(stale), 6);
  EXPECT_NE(stale.message().find("files backups on memory://status-stale are stale"),
            std::string::npos)
      << stale.message();
  EXPECT_NE(stale.message().find("3h00m old"), std::string::npos) << stale.message();

  Status fresh = RunStatusCommand({"--dest", "memory://status-stale", "--max-age", "4h"});
  EXPECT_TRUE(fresh.ok()) << fresh.ToString() << " (the db tier never ran there: not expected)";
  EXPECT_TRUE(RunStatusCommand({"--dest", "memory://status-stale"}).ok()) << "no --max-age";
  Status tier =
      RunStatusCommand({"--dest", "memory://status-stale", "--tier", "db", "--max-age", "4h"});
  EXPECT_EQ(tier.kind(), ErrorKind::kStale) << "asked for explicitly, db never succeeded";
  EXPECT_EQ(RunStatusCommand({"--dest", "memory://status-stale", "--max-age", "soon"}).kind(),
            ErrorKind::kUsage);
}

TEST(StatusCommand, GatherFindsLastRunsCountsAndTotals) {
  MemoryStore store;
  ASSERT_TRUE(WriteRunRecord(store, Record("db", 7200, "ok")).ok());
  RunRecord fail = Record("db", 60, "partial");
  ASSERT_TRUE(WriteRunRecord(store, fail).ok());
  ASSERT_TRUE(PutString(store, ".dredge/snapshots/s1.json", "{}").ok());
  ASSERT_TRUE(PutString(store, ".dredge/snapshots/s2.json", "{}").ok());
  ASSERT_TRUE(PutString(store, "database_backups/manifests/m1.json", "{}").ok());
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(
        PutString(store, "database_backups/chunks/chunk_" + std::to_string(i) + ".json", "[]")
            .ok());
  ASSERT_TRUE(PutString(store, "per_paper_1920-01-01_1_1.txt", std::string(1000, 'a')).ok());

  StatusQuery q;
  q.tiers = {{"files", true}, {"db", true}};
  q.max_age_s = 3600;
  q.now_ns = NowUnixNanos();
  DestinationStatus ds;
  ASSERT_TRUE(GatherStatus(store, q, &ds).ok());
  EXPECT_EQ(ds.snapshots, 2u);
  EXPECT_EQ(ds.manifests, 1u);
  EXPECT_EQ(ds.chunks, 3u);
  EXPECT_EQ(ds.objects, 2u + 2 + 1 + 3 + 1);
  EXPECT_GE(ds.bytes, 1000u);
  ASSERT_EQ(ds.tiers.size(), 2u);
  EXPECT_EQ(ds.tiers[0].tier, "files");
  EXPECT_TRUE(ds.tiers[0].stale) << "expected there, never ran";
  EXPECT_EQ(ds.tiers[0].age_s, -1);
  const TierStatus& db = ds.tiers[1];
  EXPECT_EQ(db.runs.total, 2u);
  ASSERT_TRUE(db.runs.last_success);
  ASSERT_TRUE(db.runs.last_failure);
  EXPECT_EQ(db.runs.last_failure->run.run_id, fail.run.run_id);
  EXPECT_NEAR(static_cast<double>(db.age_s), 7200, 5);
  EXPECT_TRUE(db.stale);
  EXPECT_EQ(FormatAge(45), "45s");
  EXPECT_EQ(FormatAge(12 * 60), "12m");
  EXPECT_EQ(FormatAge(3 * 3600 + 12 * 60), "3h12m");
  EXPECT_EQ(FormatAge(2 * 86400 + 4 * 3600), "2d4h");
}

class StatusBinary : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "dredge-status-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    url_ = "file://" + dir_ + "/backups";
    store_ = std::make_unique<FileStore>(dir_ + "/backups");
  }
  void TearDown() override { fs::remove_all(dir_); }
  testing::ProcessResult Dredge(std::vector<std::string> args) {
    args.insert(args.begin(), testing::DredgeBin());
    // An empty config keeps a developer's own dredge.toml out of the test.
    std::ofstream(dir_ + "/empty.toml") << "";
    return testing::RunProcess(args, {{"DREDGE_CONFIG", dir_ + "/empty.toml"}}, dir_);
  }
  std::string dir_, url_;
  std::unique_ptr<FileStore> store_;
};

TEST_F(StatusBinary, ExitsSixWhenStaleAndReportsJson) {
  ASSERT_TRUE(WriteRunRecord(*store_, Record("files", 30 * 3600, "ok")).ok());
  ASSERT_TRUE(WriteRunRecord(*store_, Record("db", 600, "ok")).ok());
  ASSERT_TRUE(WriteRunRecord(*store_, Record("files", 300, "failed")).ok());

  auto stale = Dredge({"status", "--dest", url_, "--max-age", "26h"});
  EXPECT_EQ(stale.exit_code, 6) << stale.out << stale.err;
  EXPECT_NE(stale.out.find("STALE"), std::string::npos) << stale.out;
  EXPECT_NE(stale.out.find("last fail"), std::string::npos);
  EXPECT_NE(stale.out.find("AccessDenied"), std::string::npos);
  EXPECT_NE(stale.err.find("files backups on " + url_ + " are stale"), std::string::npos)
      << stale.err;

  auto ok = Dredge({"status", "--dest", url_, "--max-age", "31h"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;

  auto json = Dredge({"status", "--dest", url_, "--max-age", "26h", "--json"});
  EXPECT_EQ(json.exit_code, 6);
  auto j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << json.out;
  EXPECT_EQ(j["stale"], true);
  ASSERT_EQ(j["destinations"].size(), 1u);
  const auto& d = j["destinations"][0];
  EXPECT_EQ(d["url"], url_);
  ASSERT_EQ(d["tiers"].size(), 2u);
  EXPECT_EQ(d["tiers"][0]["tier"], "files");
  EXPECT_EQ(d["tiers"][0]["stale"], true);
  EXPECT_EQ(d["tiers"][0]["runs"], 2);
  EXPECT_EQ(d["tiers"][0]["last_success"]["objects"], 42);
  EXPECT_EQ(d["tiers"][0]["last_failure"]["exit_code"], 1);
  EXPECT_EQ(d["tiers"][1]["tier"], "db");
  EXPECT_EQ(d["tiers"][1]["stale"], false);
  EXPECT_EQ(d["tiers"][1]["last_success"]["rows"], 5000);
}

TEST_F(StatusBinary, UsesConfiguredDestinationsAndTheirTiers) {
  std::string other = dir_ + "/other";
  std::ofstream(dir_ + "/dredge.toml")
      << "[files]\nsource = \"/src\"\n[[files.destination]]\nurl = \"" << url_
      << "\"\n[[files.destination]]\nurl = \"file://" << other << "\"\n";
  ASSERT_TRUE(WriteRunRecord(*store_, Record("files", 60, "ok")).ok());
  auto r = testing::RunProcess(
      {testing::DredgeBin(), "--config", dir_ + "/dredge.toml", "status", "--max-age", "1h"}, {},
      dir_);
  // The second destination never got a backup: stale, and named.
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
  EXPECT_NE(r.out.find(url_), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("file://" + other), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("files backups on file://" + other + " are stale"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("files backups on " + url_ + " are stale"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dredge
