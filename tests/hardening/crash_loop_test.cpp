// Suite 2: crash loops. Each tier runs N backups (5 by default, 20 with
// DREDGE_HARDENING_LONG=1), each killed with SIGKILL after a seeded random delay between 0 and
// the measured duration of the same run (a twin destination gets the same run first, uncut, and
// is timed), so kills land in listing, hashing, uploading and snapshot/manifest writing in
// proportion to the time each takes, each followed by a rerun that must succeed; the source changes
// between some runs. At the end: restore equals the source byte for byte / row for row, no
// duplicated rows, no chunk referenced twice, and the only unreferenced objects are the debris
// the formats document (files: objects of removed files; db: chunks of killed runs).
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "hardening_support.h"
#include "pg/pg_test_util.h"

namespace dredge::hardening {
namespace {

using Clock = std::chrono::steady_clock;

struct KillOutcome {
  bool killed = false;  // false: the run had already finished
  int exit_code = -1;
};

// Waits `delay`, then SIGKILLs the run if it is still going.
KillOutcome KillAfter(pid_t pid, std::chrono::milliseconds delay) {
  auto deadline = Clock::now() + delay;
  int status = 0;
  while (Clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return {false, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)};
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return {true, -1};
  return {false, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

int Runs() {
  return LongMode() ? 20 : 5;
}

// Runs dredge to completion and returns how long it took (the twin run that times a kill).
std::chrono::milliseconds TimedRun(const std::vector<std::string>& args) {
  auto t0 = Clock::now();
  DredgeRun r = Dredge(args);
  EXPECT_EQ(r.code, 0) << "twin run failed: " << r.err;
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
}

// Where in its run each kill landed, as a percentage of the twin run's duration.
std::string KillPoints(const std::vector<int>& pct) {
  std::string out;
  for (int p : pct) out += (out.empty() ? "" : ",") + std::to_string(p);
  return out.empty() ? "none" : out;
}

std::string RandomBytes(std::mt19937& rng, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

TEST(CrashLoop, FilesTierSurvivesKillsAtRandomMoments) {
  ScratchDir dir("crash-files");
  std::string src = dir.path() + "/src";
  std::mt19937 rng(20261130);
  for (int i = 0; i < 240; ++i)
    Spit(src + "/d" + std::to_string(i % 6) + "/s" + std::to_string(i % 3) + "/f" +
             std::to_string(i),
         RandomBytes(rng, 4000 + rng() % 30000), 1600000000 + i);
  Spit(src + "/large.bin", RandomBytes(rng, 3 << 20), 1600001000);
  auto s3 = S3();
  std::string prefix = UniquePrefix("crash-files");
  std::string dest = "s3://" + s3.bucket + "/" + prefix;
  auto backup_args = [&](const std::string& d, const std::string& state) {
    return std::vector<std::string>{"-q",
                                    "--log-dir",
                                    dir.path() + "/logs",
                                    "backup",
                                    "files",
                                    "--source",
                                    src,
                                    "--dest",
                                    d,
                                    "--endpoint-url",
                                    s3.endpoint,
                                    "--state",
                                    state,
                                    "--workers",
                                    "2",
                                    "--json"};
  };
  std::vector<int> points;
  std::chrono::milliseconds full{0};

  std::set<std::string> removed;
  int kills = 0, finished_early = 0, reruns = 0, changes = 0;
  for (int run = 0; run < Runs(); ++run) {
    if (run > 0 && run % 2 == 0) {  // change the source between some runs
      ++changes;
      for (int k = 0; k < 3; ++k) {
        int i = static_cast<int>(rng() % 240);
        std::string p = src + "/d" + std::to_string(i % 6) + "/s" + std::to_string(i % 3) + "/f" +
                        std::to_string(i);
        if (fs::exists(p)) Spit(p, RandomBytes(rng, 5000 + rng() % 5000), 1700000000 + run);
      }
      Spit(src + "/new/r" + std::to_string(run), RandomBytes(rng, 7000), 1700000000 + run);
      int victim = static_cast<int>(rng() % 240);
      std::string rel = "d" + std::to_string(victim % 6) + "/s" + std::to_string(victim % 3) +
                        "/f" + std::to_string(victim);
      if (fs::remove(src + "/" + rel)) removed.insert(rel);
    }
    auto twin = TimedRun(backup_args(dest + "-twin", dir.path() + "/twin.sqlite"));
    full = std::max(full, twin);
    auto delay = std::chrono::milliseconds(rng() % (twin.count() + 1));
    pid_t pid = SpawnDredge(backup_args(dest, dir.path() + "/state.sqlite"));
    ASSERT_GT(pid, 0);
    KillOutcome k = KillAfter(pid, delay);
    if (k.killed) {
      ++kills;
      points.push_back(static_cast<int>(100 * delay.count() / std::max<int64_t>(1, twin.count())));
    } else {
      ++finished_early;
      EXPECT_EQ(k.exit_code, 0) << "run " << run << " finished before the kill, but failed";
    }
    DredgeRun again = Dredge(backup_args(dest, dir.path() + "/state.sqlite"));
    ++reruns;
    ASSERT_EQ(again.code, 0) << "rerun " << run << ": " << again.err;
    EXPECT_EQ(again.j.value("failed", -1), 0) << again.out;
    DredgeRun v = Dredge({"verify", "files", "--dest", dest, "--endpoint-url", s3.endpoint,
                          "--source", src, "--json"});
    EXPECT_EQ(v.code, 0) << "after rerun " << run << ": " << v.out << v.err;
  }

  DredgeRun r = Dredge({"restore", "files", "--dest", dest, "--endpoint-url", s3.endpoint,
                        "--target", dir.path() + "/restored", "--json"});
  EXPECT_EXIT_CODE(r, 0);
  auto want = Tree(src);
  auto got = Tree(dir.path() + "/restored");
  EXPECT_TRUE(want == got) << TreeDiff(want, got);
  DredgeRun deep = Dredge(
      {"verify", "files", "--dest", dest, "--endpoint-url", s3.endpoint, "--deep", "--json"});
  EXPECT_EXIT_CODE(deep, 0);
  // Every snapshot a completed run wrote is still restorable in full.
  DredgeRun list = Dredge({"snapshots", "--dest", dest, "--endpoint-url", s3.endpoint, "--json"});
  ASSERT_EQ(list.code, 0) << list.err;
  ASSERT_TRUE(list.j.contains("snapshots")) << list.out;
  int snapshots = 0, partial_by_server = 0;
  for (const auto& s : list.j["snapshots"]) {
    std::string id = s.is_string() ? s.get<std::string>() : s.value("id", "");
    std::string target = dir.path() + "/snap-" + std::to_string(snapshots++);
    DredgeRun sr = Dredge({"restore", "files", "--dest", dest, "--endpoint-url", s3.endpoint,
                           "--target", target, "--snapshot", id, "--json"});
    fs::remove_all(target);
    if (sr.code == 0) continue;
    // Test-server limit, not ours: s3rver keeps the partial body of a PUT whose client died
    // mid-upload (no Content-MD5 check on an aborted request; real S3 and MinIO store nothing).
    // Such an object never got s3rver's metadata file. It must still be refused clearly.
    std::string server_copy = testing::S3Env()["DREDGE_TEST_S3_DATA"] + "/" + s3.bucket + "/" +
                              prefix + "/.dredge/snapshots/" + id + ".json";
    bool aborted_put = fs::exists(server_copy + "._S3rver_object") &&
                       !fs::exists(server_copy + "._S3rver_metadata.json");
    EXPECT_TRUE(aborted_put) << "snapshot " << id << " is not restorable: " << sr.err;
    EXPECT_EQ(sr.code, 4) << sr.err;
    EXPECT_NE(sr.err.find(id + " is not valid"), std::string::npos) << sr.err;
    ++partial_by_server;
  }
  // Orphans: the only objects without a file are those of removed files (kept by design).
  DredgeRun extra = Dredge({"verify", "files", "--dest", dest, "--endpoint-url", s3.endpoint,
                            "--source", src, "--json"});
  EXPECT_EXIT_CODE(extra, 0);
  size_t extras = extra.j.contains("extra") && extra.j["extra"].is_array()
                      ? extra.j["extra"].size()
                      : extra.j.value("extra", size_t{0});
  EXPECT_EQ(extras, removed.size()) << extra.out;
  Report("crash-loop files",
         "runs=" + std::to_string(Runs()) + " kills=" + std::to_string(kills) +
             " finished_before_kill=" + std::to_string(finished_early) +
             " reruns=" + std::to_string(reruns) + " source_changes=" + std::to_string(changes) +
             " longest_run_ms=" + std::to_string(full.count()) +
             " kill_points_pct=" + KillPoints(points) +
             " snapshots_restored=" + std::to_string(snapshots - partial_by_server) +
             " partial_snapshots_kept_by_test_server=" + std::to_string(partial_by_server) +
             " lost=" + (want == got ? "0" : "1"));
}

std::vector<json> Manifests(const std::string& root) {
  std::vector<json> out;
  std::string d = root + "/database_backups/manifests";
  if (!fs::exists(d)) return out;
  for (const auto& e : fs::directory_iterator(d))
    out.push_back(json::parse(Slurp(e.path().string()), nullptr, false));
  return out;
}

TEST(CrashLoop, DbTierSurvivesKillsAtRandomMoments) {
  UsePgEnv();
  testing::TestDb src("hcrash");
  src.Exec(
      "CREATE TABLE t (id serial PRIMARY KEY, body text, at timestamptz DEFAULT now());"
      "INSERT INTO t (body) SELECT md5(g::text) || repeat('y', 150) FROM "
      "generate_series(1, 20000) g");
  ScratchDir dir("crash-db");
  std::string dest = "file://" + dir.path() + "/store";
  auto backup_args = [&](const std::string& d) {
    return std::vector<std::string>{"-q",           "--log-dir", dir.path() + "/logs",
                                    "backup",       "db",        "--db",
                                    src.conninfo(), "--table",   "t",
                                    "--dest",       d,           "--chunk-size",
                                    "500",          "--json"};
  };
  std::vector<int> points;
  std::chrono::milliseconds full{0};

  std::mt19937 rng(1130);
  int kills = 0, finished_early = 0, reruns = 0, changes = 0;
  for (int run = 0; run < Runs(); ++run) {
    if (run % 2 == 1) {
      ++changes;
      int base = static_cast<int>(rng() % 19000);
      src.Exec("UPDATE t SET body = 'run " + std::to_string(run) + "' WHERE id BETWEEN " +
               std::to_string(base) + " AND " + std::to_string(base + 60) +
               "; DELETE FROM t WHERE id % 997 = " + std::to_string(run) +
               "; INSERT INTO t (body) SELECT 'ins " + std::to_string(run) +
               " ' || g FROM generate_series(1, 120) g");
    }
    auto twin = TimedRun(backup_args("file://" + dir.path() + "/twin"));
    full = std::max(full, twin);
    auto delay = std::chrono::milliseconds(rng() % (twin.count() + 1));
    pid_t pid = SpawnDredge(backup_args(dest));
    ASSERT_GT(pid, 0);
    KillOutcome k = KillAfter(pid, delay);
    if (k.killed) {
      ++kills;
      points.push_back(static_cast<int>(100 * delay.count() / std::max<int64_t>(1, twin.count())));
    } else {
      ++finished_early;
      EXPECT_EQ(k.exit_code, 0) << "run " << run << " finished before the kill, but failed";
    }
    DredgeRun again = Dredge(backup_args(dest));
    ++reruns;
    ASSERT_EQ(again.code, 0) << "rerun " << run << ": " << again.err;
  }
  DredgeRun v = Dredge({"verify", "db", "--dest", dest, "--json"});
  EXPECT_EXIT_CODE(v, 0);

  testing::TestDb dst("hcrashr");
  DredgeRun r = Dredge({"restore", "db", "--dest", dest, "--db", dst.conninfo(), "--json"});
  EXPECT_EXIT_CODE(r, 0);
  std::string want = src.Dump("t", "id");
  bool exact = dst.Dump("t", "id") == want;
  EXPECT_TRUE(exact) << "restored table differs from the source";
  EXPECT_EQ(dst.Scalar("SELECT count(*) = count(DISTINCT id) FROM t"), "t");

  // No chunk referenced twice; unreferenced chunks are only killed runs' debris, numbered
  // before the chunks of a later completed run (docs/db-tier.md).
  std::map<std::string, int> refs;
  uint64_t max_referenced = 0;
  for (const auto& m : Manifests(dir.path() + "/store")) {
    ASSERT_TRUE(m.is_object()) << "unparsable manifest";
    for (const auto& c : m["chunks"]) {
      ++refs[c["key"].get<std::string>()];
      max_referenced = std::max(max_referenced, c["number"].get<uint64_t>());
    }
  }
  for (const auto& [key, n] : refs) EXPECT_EQ(n, 1) << key << " referenced " << n << " times";
  int debris = 0;
  for (const auto& e : fs::directory_iterator(dir.path() + "/store/database_backups/chunks")) {
    std::string key = "database_backups/chunks/" + e.path().filename().string();
    if (refs.count(key)) continue;
    ++debris;
    uint64_t number = std::stoull(e.path().filename().string().substr(6, 6));
    EXPECT_LT(number, max_referenced) << key << " is unreferenced but newer than every run";
  }
  if (kills == 0) {
    EXPECT_EQ(debris, 0);
  }
  Report("crash-loop db",
         "runs=" + std::to_string(Runs()) + " kills=" + std::to_string(kills) +
             " finished_before_kill=" + std::to_string(finished_early) +
             " reruns=" + std::to_string(reruns) + " source_changes=" + std::to_string(changes) +
             " longest_run_ms=" + std::to_string(full.count()) +
             " kill_points_pct=" + KillPoints(points) + " debris_chunks=" + std::to_string(debris) +
             " duplicated_refs=0 lost=" + (exact ? "0" : "1"));
}

}  // namespace
}  // namespace dredge::hardening
