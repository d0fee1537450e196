// Suite 1: faults at 20 % (every kind the proxy knows) between dredge and the S3 server, both
// tiers, real binary. Backups must complete with zero failed objects and exact content (checked
// by restoring through a clean path); restores through the faulty path either succeed exactly
// or fail naming an object, and never leave wrong bytes; the retries show in the run log and
// the proxy's counters show the faults really happened.
#include <memory>
#include <random>
#include <string>

#include "hardening_support.h"
#include "pg/pg_test_util.h"
#include "proxy/fault_proxy.h"

namespace dredge::hardening {
namespace {

std::unique_ptr<testing::FaultProxy> StartFaultyProxy(int seed) {
  return testing::FaultProxy::Start({"--rate", "0.2", "--faults", "all", "--seed",
                                     std::to_string(seed), "--retry-after", "1", "--slow-ms",
                                     "300"});
}

int FaultsInjected(const json& stats) {
  int n = 0;
  if (stats.contains("faults"))
    for (const auto& [k, v] : stats["faults"].items()) n += v.get<int>();
  return n;
}

TEST(Faults, FilesBackupThroughFaultsIsCompleteAndRestoresExact) {
  ScratchDir dir("faults-files");
  std::string src = dir.path() + "/src";
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    std::string body(1000 + rng() % 20000, '\0');
    for (auto& c : body) c = static_cast<char>(rng());
    Spit(src + "/d" + std::to_string(i % 4) + "/f" + std::to_string(i) + ".bin", body);
  }
  // Two identical files above the dedup threshold: one is a server-side copy (CopyObject
  // through the proxy as well).
  std::string big(200 << 10, 'B');
  Spit(src + "/big-a", big);
  Spit(src + "/big-b", big);
  auto s3 = S3();
  auto proxy = StartFaultyProxy(11);
  ASSERT_TRUE(proxy);
  std::string dest = "s3://" + s3.bucket + "/" + UniquePrefix("faults-files");
  std::string logs = dir.path() + "/logs";

  DredgeRun b = Dredge({"--log-dir", logs, "backup", "files", "--source", src, "--dest", dest,
                        "--endpoint-url", proxy->endpoint(), "--state",
                        dir.path() + "/state.sqlite", "--json"});
  EXPECT_EXIT_CODE(b, 0);
  EXPECT_EQ(b.j.value("failed", -1), 0) << b.out;
  EXPECT_EQ(b.j.value("scanned", -1), 42) << b.out;
  json backup_stats = proxy->Stats();
  int backup_faults = FaultsInjected(backup_stats);
  EXPECT_GT(backup_faults, 0) << backup_stats.dump();
  int retries = CountLines(AllLogs(logs), "retry ");
  EXPECT_GT(retries, 0) << "no retry line in the run log";
  // Each retry line shows the attempt and the backoff ("retry 2/8 for PUT k after 350 ms: …").
  EXPECT_EQ(CountLines(AllLogs(logs), "retry ", " ms: "), retries) << AllLogs(logs);

  // Clean path: the stored content is exactly the source.
  DredgeRun r = Dredge({"restore", "files", "--dest", dest, "--endpoint-url", s3.endpoint,
                        "--target", dir.path() + "/clean", "--json"});
  EXPECT_EXIT_CODE(r, 0);
  auto want = Tree(src);
  auto got = Tree(dir.path() + "/clean");
  EXPECT_TRUE(want == got) << TreeDiff(want, got);
  DredgeRun v = Dredge(
      {"verify", "files", "--dest", dest, "--endpoint-url", s3.endpoint, "--deep", "--json"});
  EXPECT_EXIT_CODE(v, 0);

  // Faulty path: exact, or a clear failure; never a wrong byte in the target.
  int restores_ok = 0, restores_failed = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string target = dir.path() + "/faulty" + std::to_string(attempt);
    DredgeRun fr = Dredge({"--log-dir", logs, "restore", "files", "--dest", dest, "--endpoint-url",
                           proxy->endpoint(), "--target", target, "--json"});
    auto t = Tree(target);
    for (const auto& [k, bytes] : t) {
      ASSERT_TRUE(want.count(k)) << "restore left a stray file " << k;
      EXPECT_TRUE(want[k] == bytes) << "wrong bytes in " << k;
    }
    if (fr.code == 0) {
      ++restores_ok;
      EXPECT_TRUE(t == want) << TreeDiff(want, t);
    } else {
      ++restores_failed;
      std::cout << "faulty-path restore failed (allowed when clear): " << fr.err << std::endl;
      bool named = false;
      for (const auto& [k, bytes] : want) named = named || fr.err.find(k) != std::string::npos;
      EXPECT_TRUE(named) << "a failed restore must name the object: " << fr.err;
    }
  }
  json stats = proxy->Stats();
  int total_faults = FaultsInjected(stats);
  retries = CountLines(AllLogs(logs), "retry ");
  Report("faults files", "requests=" + std::to_string(stats.value("requests", 0)) +
                             " faults=" + std::to_string(total_faults) +
                             " backup_faults=" + std::to_string(backup_faults) +
                             " retries_logged=" + std::to_string(retries) +
                             " failed_objects=" + std::to_string(b.j.value("failed", -1)) +
                             " restores_exact=" + std::to_string(restores_ok) +
                             " restores_failed_clearly=" + std::to_string(restores_failed) +
                             " lost=" + (want == got ? "0" : "1"));
}

TEST(Faults, DbBackupThroughFaultsIsCompleteAndRestoresExact) {
  UsePgEnv();
  testing::TestDb src("hfaults");
  src.Exec(
      "CREATE TABLE t (id serial PRIMARY KEY, body text, n numeric, at timestamptz);"
      "INSERT INTO t (body, n, at) SELECT md5(g::text) || repeat('z', g % 50), g * 1.5, "
      "'2025-01-01'::timestamptz + g * interval '1 minute' FROM generate_series(1, 3000) g");
  ScratchDir dir("faults-db");
  auto s3 = S3();
  auto proxy = StartFaultyProxy(12);
  ASSERT_TRUE(proxy);
  std::string dest = "s3://" + s3.bucket + "/" + UniquePrefix("faults-db");
  std::string logs = dir.path() + "/logs";
  auto backup = [&]() {
    return Dredge({"--log-dir", logs, "backup", "db", "--db", src.conninfo(), "--table", "t",
                   "--dest", dest, "--endpoint-url", proxy->endpoint(), "--chunk-size", "100",
                   "--json"});
  };
  DredgeRun b = backup();
  EXPECT_EXIT_CODE(b, 0);
  EXPECT_EQ(b.j.value("rows", -1), 3000) << b.out;
  // An incremental run through the faults as well.
  src.Exec(
      "UPDATE t SET body = 'changed' WHERE id % 97 = 0; DELETE FROM t WHERE id % 101 = 0;"
      "INSERT INTO t (body, n) SELECT 'new ' || g, g FROM generate_series(1, 250) g");
  DredgeRun b2 = backup();
  EXPECT_EXIT_CODE(b2, 0);
  json backup_stats = proxy->Stats();
  int backup_faults = FaultsInjected(backup_stats);
  EXPECT_GT(backup_faults, 0) << backup_stats.dump();
  // The db commands write no run log file yet (ops wiring): their retries are on stderr.
  int retries = CountLines(AllLogs(logs) + b.err + b2.err, "retry ");
  EXPECT_GT(retries, 0) << "no retry line in the log or on stderr";
  EXPECT_GT(CountLines(b.err + b2.err, " ms: "), 0) << "retries without their backoff";

  std::string want = src.Dump("t", "id");
  testing::TestDb clean("hfaultsc");
  DredgeRun r = Dredge({"restore", "db", "--dest", dest, "--endpoint-url", s3.endpoint, "--db",
                        clean.conninfo(), "--json"});
  EXPECT_EXIT_CODE(r, 0);
  bool exact = clean.Dump("t", "id") == want;
  EXPECT_TRUE(exact) << "clean restore differs from the source";
  DredgeRun v = Dredge({"verify", "db", "--dest", dest, "--endpoint-url", s3.endpoint, "--json"});
  EXPECT_EXIT_CODE(v, 0);

  int restores_ok = 0, restores_failed = 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    testing::TestDb faulty("hfaultsf" + std::to_string(attempt));
    DredgeRun fr = Dredge({"--log-dir", logs, "restore", "db", "--dest", dest, "--endpoint-url",
                           proxy->endpoint(), "--db", faulty.conninfo(), "--json"});
    if (fr.code == 0) {
      ++restores_ok;
      EXPECT_EQ(faulty.Dump("t", "id"), want);
    } else {
      ++restores_failed;
      std::cout << "faulty-path restore failed (allowed when clear): " << fr.err << std::endl;
      // Nothing applied: the restore is one transaction.
      EXPECT_TRUE(faulty.Scalar("SELECT to_regclass('t') IS NULL") == "t" ||
                  faulty.Scalar("SELECT count(*) FROM t") == "0");
      EXPECT_NE(fr.err.find("database_backups/"), std::string::npos) << fr.err;
    }
  }
  json stats = proxy->Stats();
  Report("faults db", "requests=" + std::to_string(stats.value("requests", 0)) +
                          " faults=" + std::to_string(FaultsInjected(stats)) +
                          " backup_faults=" + std::to_string(backup_faults) +
                          " retries_logged=" + std::to_string(retries) +
                          " restores_exact=" + std::to_string(restores_ok) +
                          " restores_failed_clearly=" + std::to_string(restores_failed) +
                          " lost=" + (exact ? "0" : "1"));
}

}  // namespace
}  // namespace dredge::hardening
