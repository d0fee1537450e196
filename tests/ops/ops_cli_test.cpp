// The operations wiring through the real binary, on file:// stores (no server): the run lock
// (two concurrent backups, exactly one proceeds, the other exits 5 at once), run records for
// success and failure, the metrics file, run logs, config-only runs, `dredge backup` over two
// destinations with one failing, and `dredge restore` (whole system) from a config.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/process.h"
#include "support/test_env.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Write(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

class OpsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/dredge-ops-cli-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    src_ = dir_ + "/src";
    // A small OCR-like tree; 40 files × 6 KiB = 240 KiB.
    for (int i = 0; i < 40; ++i)
      Write(src_ + "/2024/05/page_" + std::to_string(1000 + i) + ".txt",
            std::string(6144, static_cast<char>('a' + i % 26)) + std::to_string(i));
    env_ = {{"HOME", dir_ + "/home"},
            {"XDG_CACHE_HOME", dir_ + "/cache"},
            {"XDG_CONFIG_HOME", dir_ + "/config"}};
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  ProcessResult Dredge(std::vector<std::string> args) {
    args.insert(args.begin(), DredgeBin());
    return RunProcess(args, env_, dir_);
  }

  // The run records of `tier` under a file:// destination root, oldest first by name.
  std::vector<nlohmann::json> Records(const std::string& root, const std::string& tier) {
    std::vector<std::string> names;
    std::error_code ec;
    for (auto& e : fs::recursive_directory_iterator(root + "/.dredge/runs/" + tier, ec))
      if (e.is_regular_file() && e.path().extension() == ".json") names.push_back(e.path());
    std::sort(names.begin(), names.end());
    std::vector<nlohmann::json> out;
    for (const auto& n : names) out.push_back(nlohmann::json::parse(ReadAll(n)));
    return out;
  }

  std::string dir_, src_;
  std::map<std::string, std::string> env_;
};

TEST_F(OpsCli, TwoConcurrentBackupsExactlyOneProceedsTheOtherExits5AtOnce) {
  const std::string dest = "file://" + dir_ + "/dest";
  // 240 KiB at 80 KiB/s: the run holding the lock lasts about three seconds.
  auto run = [&](const std::string& state) {
    auto t0 = std::chrono::steady_clock::now();
    auto r = Dredge({"--log-dir", dir_ + "/logs", "backup", "files", "--source", src_, "--dest",
                     dest, "--state", dir_ + "/" + state, "--bwlimit", "80k", "--workers", "2"});
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return std::make_pair(r, s);
  };
  auto a = std::async(std::launch::async, run, "a.sqlite");
  auto b = std::async(std::launch::async, run, "b.sqlite");
  auto ra = a.get();
  auto rb = b.get();
  std::vector<std::pair<ProcessResult, double>> both = {ra, rb};
  int ok = 0, held = 0;
  for (const auto& [r, secs] : both) {
    if (r.exit_code == 0) {
      ++ok;
      EXPECT_GT(secs, 2.0) << "the bandwidth limit should make the winner last ~3 s";
    } else {
      EXPECT_EQ(r.exit_code, 5) << r.err;
      ++held;
      EXPECT_LT(secs, 1.5) << "the loser must not wait for the lock";
      EXPECT_THAT(r.err, ::testing::HasSubstr("pid")) << r.err;
      EXPECT_THAT(r.err, ::testing::HasSubstr("in progress")) << r.err;
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(held, 1);
  // Only the run that started leaves a record.
  auto records = Records(dir_ + "/dest", "files");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["status"], "ok");
}

TEST_F(OpsCli, RunRecordsForSuccessAndFailureAndMetricsFile) {
  const std::string root = dir_ + "/dest";
  const std::string dest = "file://" + root;
  const std::string metrics = dir_ + "/metrics/dredge.prom";
  fs::create_directories(dir_ + "/metrics");
  auto good = Dredge({"--log-dir", dir_ + "/logs", "backup", "files", "--source", src_, "--dest",
                      dest, "--metrics-file", metrics, "--no-nice"});
  ASSERT_EQ(good.exit_code, 0) << good.err;
  // A failing run: the source was emptied, so the damage guard stops it. It still takes the
  // lock and records the failure. (A source that does not exist is a usage error that touches
  // no destination and writes no record: tests/cli/usage_test.cpp.)
  for (auto& e : fs::directory_iterator(src_)) fs::remove_all(e.path());
  auto bad = Dredge({"--log-dir", dir_ + "/logs", "backup", "files", "--source", src_, "--dest",
                     dest, "--metrics-file", metrics});
  EXPECT_NE(bad.exit_code, 0);

  auto records = Records(root, "files");
  ASSERT_EQ(records.size(), 2u);
  int oks = 0, fails = 0;
  for (const auto& r : records) {
    EXPECT_EQ(r["tier"], "files");
    EXPECT_EQ(r["command"], "backup");
    if (r["status"] == "ok") {
      ++oks;
      EXPECT_EQ(r["objects"], 40);
      EXPECT_EQ(r["exit_code"], 0);
    } else {
      ++fails;
      EXPECT_EQ(r["status"], "failed");
      EXPECT_NE(r["exit_code"], 0);
      EXPECT_THAT(r["error"].get<std::string>(), ::testing::HasSubstr("damage guard"));
    }
  }
  EXPECT_EQ(oks, 1);
  EXPECT_EQ(fails, 1);

  // Metrics: the last run failed, the success before it is remembered.
  std::string m = ReadAll(metrics);
  std::string labels = "{tier=\"files\",destination=\"file://" + root + "\"}";
  EXPECT_THAT(m, ::testing::HasSubstr("dredge_last_run_success" + labels + " 0")) << m;
  EXPECT_THAT(m, ::testing::HasSubstr("dredge_consecutive_failures" + labels + " 1")) << m;
  EXPECT_THAT(m, ::testing::HasSubstr("dredge_failures_total" + labels + " 1")) << m;
  EXPECT_THAT(m, ::testing::HasSubstr("dredge_last_success_timestamp_seconds" + labels)) << m;
  EXPECT_THAT(m, ::testing::ContainsRegex("# TYPE dredge_last_run_success gauge")) << m;

  // Both runs logged into --log-dir under the documented name.
  int logs = 0;
  for (auto& e : fs::directory_iterator(dir_ + "/logs")) {
    EXPECT_TRUE(std::regex_match(e.path().filename().string(),
                                 std::regex(R"(dredge-files-\d{8}_\d{6}(-\d+)?\.log)")))
        << e.path();
    ++logs;
  }
  EXPECT_EQ(logs, 2);
}

TEST_F(OpsCli, MetricsFileAfterASuccessfulRunHasTheRunsFigures) {
  const std::string root = dir_ + "/dest";
  const std::string metrics = dir_ + "/dredge.prom";
  auto r = Dredge(
      {"backup", "files", "--source", src_, "--dest", "file://" + root, "--metrics-file", metrics});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string m = ReadAll(metrics);
  std::string labels = "{tier=\"files\",destination=\"file://" + root + "\"}";
  EXPECT_THAT(m, ::testing::HasSubstr("dredge_last_run_success" + labels + " 1")) << m;
  EXPECT_THAT(m, ::testing::HasSubstr("dredge_last_run_exit_code" + labels + " 0")) << m;
  EXPECT_THAT(m, ::testing::HasSubstr("dredge_last_run_objects" + labels + " 40")) << m;
  EXPECT_THAT(m, ::testing::HasSubstr("dredge_consecutive_failures" + labels + " 0")) << m;
  std::smatch bytes;
  ASSERT_TRUE(std::regex_search(m, bytes, std::regex("dredge_last_run_bytes\\{[^}]*\\} ([0-9]+)")))
      << m;
  EXPECT_GE(std::stoull(bytes[1]), 40u * 6144u);
}

TEST_F(OpsCli, BackupWithNoTierRunsEveryDestinationAndOneFailingDoesNotStopTheOther) {
  // The second destination lies under a regular file: nothing can be created there, not even
  // by root.
  Write(dir_ + "/blocker", "not a directory");
  const std::string good_root = dir_ + "/good";
  Write(dir_ + "/dredge.toml", "[files]\nsource = \"" + src_ +
                                   "\"\n[[files.destination]]\nurl = \"file://" + dir_ +
                                   "/blocker/dest\"\n[[files.destination]]\nurl = \"file://" +
                                   good_root + "\"\n[logging]\ndir = \"" + dir_ + "/tomllogs\"\n");
  auto r = Dredge({"backup", "--json"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["command"], "backup");
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["exit_code"], 3);
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["ok"], false);
  EXPECT_EQ(j["runs"][0]["destination"], "file://" + dir_ + "/blocker/dest");
  EXPECT_EQ(j["runs"][1]["ok"], true);
  EXPECT_EQ(j["runs"][1]["uploaded"], 40);
  // The good destination holds a complete backup with its record; the config's [logging] dir
  // was used.
  auto records = Records(good_root, "files");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["status"], "ok");
  EXPECT_EQ(ReadAll(good_root + "/2024/05/page_1003.txt"),
            ReadAll(src_ + "/2024/05/page_1003.txt"));
  EXPECT_TRUE(fs::exists(dir_ + "/tomllogs"));

  // A second run through the config alone (no flags) is incremental: nothing to upload.
  auto again = Dredge({"backup", "files", "--json", "--dest", "file://" + good_root});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["uploaded"], 0);
}

TEST_F(OpsCli, BackupWithNothingConfiguredIsAUsageError) {
  auto r = Dredge({"backup"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr("[files]"));
}

TEST_F(OpsCli, RestoreWithNoTierRecoversTheFilesAsOfAPointAndRefusesNonEmptyTargets) {
  const std::string root = dir_ + "/dest";
  Write(dir_ + "/dredge.toml", "[files]\nsource = \"" + src_ +
                                   "\"\n[[files.destination]]\nurl = \"file://" + root + "\"\n");
  ASSERT_EQ(Dredge({"backup"}).exit_code, 0);
  const std::string first = ReadAll(src_ + "/2024/05/page_1000.txt");
  // Snapshot times have one-second resolution in --as-of; keep the runs apart.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto mid = RunProcess({"date", "-u", "+%Y-%m-%dT%H:%M:%SZ"});
  std::string as_of = mid.out.substr(0, mid.out.find('\n'));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  Write(src_ + "/2024/05/page_1000.txt", "changed after the first backup");
  Write(src_ + "/2024/05/new.txt", "new");
  ASSERT_EQ(Dredge({"backup"}).exit_code, 0);

  // A dry run counts what the restore would write and writes nothing.
  auto dry = Dredge({"restore", "--target", dir_ + "/out", "--dry-run", "--json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err << dry.out;
  auto dj = nlohmann::json::parse(dry.out);
  ASSERT_EQ(dj["runs"].size(), 1u);
  EXPECT_EQ(dj["runs"][0]["dry_run"], true);
  EXPECT_EQ(dj["runs"][0]["restored"], 41);
  EXPECT_FALSE(fs::exists(dir_ + "/out"));

  // As of between the runs: the first state.
  auto r = Dredge({"restore", "--as-of", as_of, "--target", dir_ + "/out", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["ok"], true);
  ASSERT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["runs"][0]["restored"], 40);
  EXPECT_EQ(ReadAll(dir_ + "/out/2024/05/page_1000.txt"), first);
  EXPECT_FALSE(fs::exists(dir_ + "/out/2024/05/new.txt"));

  // The target is no longer empty: refused without --overwrite, the files untouched.
  auto refused = Dredge({"restore", "--target", dir_ + "/out"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_THAT(refused.out + refused.err, ::testing::HasSubstr("not empty"));
  EXPECT_EQ(ReadAll(dir_ + "/out/2024/05/page_1000.txt"), first);

  // Newest, with --overwrite: the second state.
  auto newest = Dredge({"restore", "--target", dir_ + "/out", "--overwrite"});
  ASSERT_EQ(newest.exit_code, 0) << newest.err;
  EXPECT_EQ(ReadAll(dir_ + "/out/2024/05/page_1000.txt"), "changed after the first backup");
  EXPECT_EQ(ReadAll(dir_ + "/out/2024/05/new.txt"), "new");
}

}  // namespace
}  // namespace dredge::testing
