// Progress of the database tier's row comparisons (issue 13), under a pseudo-terminal like
// tests/hooks/progress_test.cpp: `verify db --db` shows "verify db: live rows" with done/total
// (the rows the backup holds), rate and ETA while it reads the live table, and the db drill shows
// "drill db: rows compared" while it compares its samples; each phase's final line stays.
// The drill's comparison of 400,000 lookups outlasts the bar's 200 ms redraw; the verify test
// holds the live read back with a lock.
#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pg/pg_test_util.h"
#include "support/process.h"

namespace dredge::testing {
namespace {

constexpr int kRows = 200000;

class DbProgress : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("dbprogress");
    dest_ = "file://" + dir_ + "/store";
    db_.Exec(
        "CREATE TABLE t (id serial PRIMARY KEY, body text);"
        "INSERT INTO t (body) SELECT 'row number ' || g || ' of the progress test' "
        "FROM generate_series(1, " +
        std::to_string(kRows) + ") g");
    auto b = RunProcess({DredgeBin(), "backup", "db", "--dest", dest_, "--db", db_.conninfo(),
                         "--table", "t", "--chunk-size", "20000"},
                        Env(), dir_);
    ASSERT_EQ(b.exit_code, 0) << b.err;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::map<std::string, std::string> Env() const {
    return {{"HOME", dir_ + "/home"},
            {"XDG_CACHE_HOME", dir_ + "/cache"},
            {"XDG_STATE_HOME", dir_ + "/state"},
            {"XDG_CONFIG_HOME", dir_ + "/config"},
            {"TERM", "xterm"}};
  }
  TestDb db_{"dbprogress"};
  std::string dir_, dest_;
};

TEST_F(DbProgress, VerifyDbShowsTheLiveComparisonWithTotalsRateAndEta) {
  // The live read waits on a lock this test holds for a second, so the phase outlasts the bar's
  // redraw however fast the machine is: a quick one compared all 200,000 rows in under 200 ms,
  // and a phase that never drew leaves no final line (common/progress.h).
  auto holder = db_.Connect();
  ASSERT_TRUE(holder->Exec("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE").ok());
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    (void)holder->Exec("COMMIT");
  });
  auto r =
      RunInPty({DredgeBin(), "verify", "db", "--dest", dest_, "--db", db_.conninfo()}, Env(), dir_);
  release.join();
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const std::string total = std::to_string(kRows);
  // The final line of the phase: every live row read, out of the rows the backup holds.
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex("verify db: live rows: " + total + "/" + total + " rows, [0-9.]+ rows/s")))
      << r.out;
  // While it ran: the bar, redrawn in place, with the ETA that the total allows.
  EXPECT_TRUE(
      std::regex_search(r.out, std::regex("\\r\\x1b\\[Kverify db: live rows: \\d+/" + total +
                                          " rows, [0-9.]+ rows/s(, ETA \\d+:\\d\\d)?")))
      << r.out;
}

TEST_F(DbProgress, DbDrillShowsTheRowComparison) {
  auto r = RunInPty({DredgeBin(), "drill", "--tier", "db", "--dest", dest_, "--db", db_.conninfo(),
                     "--sample-rows", std::to_string(kRows)},
                    Env(), dir_);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // Both directions: every copy row looked up at the source, then the live rows older than the
  // backup looked up in the copy. Which live rows count as older depends on the backup's
  // snapshot: another test's transaction open on the shared cluster at that moment lowers its
  // horizon, and then none of this table's rows can be judged older (seen once in a full run).
  // So the final line shows all of the first direction and any part of the second, done = total.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      r.out, m, std::regex("drill db: rows compared: (\\d+)/(\\d+) rows, [0-9.]+ rows/s\\r?\\n")))
      << r.out;
  EXPECT_EQ(m[1].str(), m[2].str()) << r.out;
  EXPECT_GE(std::stoll(m[1].str()), kRows) << r.out;
  EXPECT_LE(std::stoll(m[1].str()), 2 * kRows) << r.out;
}

}  // namespace
}  // namespace dredge::testing
