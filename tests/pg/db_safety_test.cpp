// The database tier when things go wrong: a killed backup, a damaged chunk, a role that may
// only read, a table without a primary key, a password on the command line, writers running
// during a backup.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "formats/db_keys.h"
#include "pg_test_util.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.rfind("chunk_", 0) == 0 || n.rfind("backup_manifest_", 0) == 0) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DbSafety, KillDashNineMidBackupThenRerunLeavesCleanHistory) {
  TestDb src("kill");
  src.Exec(
      "CREATE TABLE t (id serial PRIMARY KEY, body text);"
      "INSERT INTO t (body) SELECT repeat('x', 200) FROM generate_series(1, 60000) g");
  std::string dir = TempDir("kill");
  std::string chunks = dir + "/database_backups/chunks";
  std::string manifests = dir + "/database_backups/manifests";

  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execl(DredgeBin().c_str(), "dredge", "backup", "db", "--db", src.conninfo().c_str(), "--table",
          "t", "--dest", ("file://" + dir).c_str(), "--chunk-size", "20", "--workers", "1",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (Files(chunks).size() < 20 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the backup finished before it could be killed";
  size_t debris = Files(chunks).size();
  ASSERT_GE(debris, 20u);
  EXPECT_TRUE(Files(manifests).empty()) << "a killed run must leave no manifest";

  src.Exec("UPDATE t SET body = 'changed' WHERE id = 1; INSERT INTO t (body) VALUES ('late')");
  RunResult again = RunDredge({"backup", "db", "--db", src.conninfo(), "--table", "t", "--dest",
                               "file://" + dir, "--chunk-size", "1000", "--json"});
  ASSERT_EQ(again.code, 0) << again.err;
  auto j = nlohmann::json::parse(again.out);
  EXPECT_EQ(j["mode"], "full");
  EXPECT_EQ(j["rows"], 60001);

  // The manifest references only the new run's chunks, numbered after the debris.
  auto m = nlohmann::json::parse(ReadAll(dir + "/" + j["manifest"].get<std::string>()));
  std::set<uint64_t> numbers;
  for (const auto& c : m["chunks"]) {
    EXPECT_GT(c["number"].get<uint64_t>(), debris);
    EXPECT_TRUE(numbers.insert(c["number"].get<uint64_t>()).second);
  }
  TestDb dst("killr");
  RunResult r = RunDredge({"restore", "db", "--dest", "file://" + dir, "--db", dst.conninfo()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(dst.Dump("t", "id"), src.Dump("t", "id"));
  EXPECT_EQ(dst.Scalar("SELECT count(*) = count(DISTINCT id) FROM t"), "t");
}

TEST(DbSafety, FlippedByteFailsRestoreAndVerifyNamingTheChunk) {
  TestDb src("flip");
  src.Exec(
      "CREATE TABLE t (id serial PRIMARY KEY, body text);"
      "INSERT INTO t (body) SELECT 'row ' || g FROM generate_series(1, 100) g");
  std::string dir = TempDir("flip");
  RunResult b = RunDredge({"backup", "db", "--db", src.conninfo(), "--table", "t", "--dest",
                           "file://" + dir, "--chunk-size", "30"});
  ASSERT_EQ(b.code, 0) << b.err;
  auto names = Files(dir + "/database_backups/chunks");
  ASSERT_EQ(names.size(), 4u);
  std::string victim = dir + "/database_backups/chunks/" + names[2];
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(200);
    char c;
    f.get(c);
    f.seekp(200);
    f.put(static_cast<char>(c ^ 0x01));
  }
  TestDb dst("flipr");
  RunResult r = RunDredge({"restore", "db", "--dest", "file://" + dir, "--db", dst.conninfo()});
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find(names[2]), std::string::npos) << r.err;
  EXPECT_EQ(dst.Scalar("SELECT to_regclass('t') IS NULL"), "t") << "nothing may be committed";

  RunResult v = RunDredge({"verify", "db", "--dest", "file://" + dir, "--json"});
  EXPECT_EQ(v.code, 4) << v.err;
  auto j = nlohmann::json::parse(v.out);
  EXPECT_EQ(j["chunks_checked"], 4);
  ASSERT_EQ(j["corrupt"].size(), 1u);
  EXPECT_NE(j["corrupt"][0].get<std::string>().find(names[2]), std::string::npos);

  // A missing chunk is reported the same way.
  fs::remove(victim);
  r = RunDredge({"restore", "db", "--dest", "file://" + dir, "--db", dst.conninfo()});
  EXPECT_EQ(r.code, 4) << r.err;
  EXPECT_NE(r.err.find(names[2]), std::string::npos) << r.err;
}

TEST(DbSafety, VerifyWithDbTellsChangedRowsFromMismatches) {
  TestDb src("verify");
  src.Exec(
      "CREATE TABLE t (id serial PRIMARY KEY, body text);"
      "INSERT INTO t (body) SELECT 'row ' || g FROM generate_series(1, 50) g");
  std::string dir = TempDir("verify");
  ASSERT_EQ(
      RunDredge({"backup", "db", "--db", src.conninfo(), "--table", "t", "--dest", "file://" + dir})
          .code,
      0);
  auto verify = [&] {
    return RunDredge({"verify", "db", "--dest", "file://" + dir, "--db", src.conninfo(), "--table",
                      "t", "--json"});
  };
  RunResult v = verify();
  ASSERT_EQ(v.code, 0) << v.err;
  EXPECT_EQ(nlohmann::json::parse(v.out)["db"]["matching"], 50);

  src.Exec(
      "UPDATE t SET body = 'later' WHERE id = 1; DELETE FROM t WHERE id = 2;"
      "INSERT INTO t (body) VALUES ('new')");
  v = verify();
  ASSERT_EQ(v.code, 0) << v.err;
  auto db = nlohmann::json::parse(v.out)["db"];
  EXPECT_EQ(db["not_yet_backed_up"], 2);
  EXPECT_EQ(db["deleted_since_backup"], 1);
  EXPECT_EQ(db["mismatched"], 0);
}

TEST(DbSafety, ReadOnlyRoleCanBackUpAndWritersAreNotBlocked) {
  TestDb src("role");
  src.Exec(
      "CREATE TABLE articles (id serial PRIMARY KEY, body text);"
      "INSERT INTO articles (body) SELECT repeat('y', 300) FROM generate_series(1, 30000) g;"
      "DROP ROLE IF EXISTS dredge_reader; CREATE ROLE dredge_reader LOGIN;"
      "GRANT SELECT ON articles TO dredge_reader;"
      "GRANT SELECT ON SEQUENCE articles_id_seq TO dredge_reader");
  std::string dir = TempDir("role");
  std::atomic<bool> done{false};
  std::atomic<bool> saw_dredge{false};
  double worst = 0;
  std::thread writer([&] {
    auto c = src.Connect();
    auto watcher = src.Connect();
    int i = 0;
    while (!done) {
      auto seen = watcher->Query(
          "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dredge' "
          "AND usename = 'dredge_reader'");
      if (seen.ok() && seen->str(0, 0) != "0") saw_dredge = true;
      auto t0 = std::chrono::steady_clock::now();
      Status st = c->Exec(i % 2 ? "INSERT INTO articles (body) VALUES ('w')"
                                : "UPDATE articles SET body = 'u' WHERE id = " +
                                      std::to_string(1 + i % 1000));
      EXPECT_TRUE(st.ok()) << st.ToString();
      worst = std::max(
          worst, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      ++i;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  RunResult b =
      RunDredge({"backup", "db", "--db", src.conninfo() + " user=dredge_reader", "--table",
                 "articles", "--dest", "file://" + dir, "--json", "--chunk-size", "500"});
  done = true;
  writer.join();
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_LT(worst, 0.5) << "a write waited for the backup";
  auto j = nlohmann::json::parse(b.out);
  auto m = nlohmann::json::parse(ReadAll(dir + "/" + j["manifest"].get<std::string>()));
  EXPECT_FALSE(m["schema"]["sequence"]["last_value"].is_null());
  EXPECT_TRUE(saw_dredge) << "the backup's session did not call itself application_name=dredge";
}

// A table without a primary key is not skipped: with a unique index on NOT NULL columns that is
// its key; with neither it is read whole every run and restored whole, and the run says so.
TEST(DbSafety, TableWithoutPrimaryKeyIsBackedUpWholeAndSaysSo) {
  TestDb src("nopk");
  src.Exec(
      "CREATE TABLE loose (a int, b text); INSERT INTO loose VALUES (1, 'x'), (1, 'x'), "
      "(NULL, 'y');"
      "CREATE TABLE keyed (code text NOT NULL, v int); CREATE UNIQUE INDEX keyed_code ON "
      "keyed (code); INSERT INTO keyed VALUES ('a', 1), ('b', 2);");
  std::string dest = "file://" + TempDir("nopk");
  for (int run = 0; run < 2; ++run) {
    RunResult b = RunDredge({"backup", "db", "--db", src.conninfo(), "--table", "loose", "--table",
                             "keyed", "--dest", dest, "--json"});
    ASSERT_EQ(b.code, 0) << b.err;
    EXPECT_NE(b.err.find("public.loose has neither a primary key nor a unique index"),
              std::string::npos)
        << b.err;
    auto j = nlohmann::json::parse(b.out);
    EXPECT_EQ(j["tables"][1]["table"], "public.loose");
    EXPECT_EQ(j["tables"][1]["mode"], "full");
    EXPECT_EQ(j["tables"][1]["rows"], 3);
    EXPECT_EQ(j["tables"][0]["key"], "unique index");
    EXPECT_EQ(j["tables"][0]["mode"], run == 0 ? "full" : "incremental");
  }
  RunResult m = RunDredge({"manifests", "--dest", dest});
  EXPECT_NE(m.out.find("public.loose has no key: read whole every run"), std::string::npos)
      << m.out;
  TestDb dst("nopk_dst");
  RunResult r = RunDredge({"restore", "db", "--dest", dest, "--db", dst.conninfo()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(dst.Dump("loose", "1, 2"), src.Dump("loose", "1, 2"));
  EXPECT_EQ(dst.Dump("keyed"), src.Dump("keyed"));
}

TEST(DbSafety, PasswordOnTheCommandLineWarnsAndNeverShows) {
  TestDb src("pw");
  src.Exec("CREATE TABLE t (id int PRIMARY KEY)");
  RunResult b = RunDredge({"backup", "db", "--db", src.conninfo() + " password=Sekr1tPassw0rd",
                           "--table", "nosuchtable", "--dest", "file://" + TempDir("pw")});
  EXPECT_NE(b.code, 0);
  EXPECT_NE(b.err.find("contains a password"), std::string::npos) << b.err;
  EXPECT_EQ(b.err.find("Sekr1tPassw0rd"), std::string::npos) << b.err;
  EXPECT_EQ(b.out.find("Sekr1tPassw0rd"), std::string::npos);
}

}  // namespace
}  // namespace dredge::testing
