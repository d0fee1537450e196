// Suite 3: corruption of stored objects, both tiers, on a file:// store (so the test can damage
// objects directly). Each case damages a fresh copy of a good backup: flipped byte, truncated
// object, deleted object/chunk, an object replaced by another's content, truncated and deleted
// snapshot/manifest. `verify` must name the damaged object (exit 4); `restore` must refuse the
// affected data naming it, with a non-zero exit, and never write wrong or partial data.
#include <chrono>
#include <functional>
#include <thread>

#include "hardening_support.h"
#include "pg/pg_test_util.h"

namespace dredge::hardening {
namespace {

void FlipByte(const std::string& path, size_t at) {
  std::string b = Slurp(path);
  ASSERT_GT(b.size(), 0u) << path;
  b[at % b.size()] ^= 0x20;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << b;
}
void Truncate(const std::string& path) {
  std::string b = Slurp(path);
  ASSERT_GT(b.size(), 1u) << path;
  fs::resize_file(path, b.size() / 2);
}
// Copies with times preserved (the file store's metadata sidecars are only trusted then).
void CopyTree(const std::string& from, const std::string& to) {
  auto r = testing::RunProcess({"cp", "-a", from, to});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// True when the restore left no table behind, or an empty one.
bool NothingApplied(const testing::TestDb& db) {
  if (db.Scalar("SELECT to_regclass('t') IS NULL") == "t") return true;
  return db.Scalar("SELECT count(*) FROM t") == "0";
}

std::string OnlyFile(const std::string& dir) {
  std::string found;
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_TRUE(found.empty()) << "more than one file in " << dir;
    found = e.path().filename().string();
  }
  return found;
}

struct FilesCase {
  std::string name;
  std::string victim;  // the key verify/restore must name
  std::function<void(const std::string& store)> damage;
  bool verify_deep = true;       // the damage is only visible by reading the bytes
  std::string restore_snapshot;  // restore this snapshot id instead of the newest
};

TEST(Corruption, FilesTierNamesEveryDamageAndNeverRestoresWrongBytes) {
  ScratchDir dir("corrupt-files");
  std::string src = dir.path() + "/src";
  for (const char* n : {"a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "sub/keep.txt"})
    Spit(src + "/" + n, std::string("content of ") + n + std::string(3000, n[0]), 1600000000);
  std::string pristine = dir.path() + "/pristine";
  DredgeRun b =
      Dredge({"--log-dir", dir.path() + "/logs", "backup", "files", "--source", src, "--dest",
              "file://" + pristine, "--state", dir.path() + "/state.sqlite", "--json"});
  ASSERT_EQ(b.code, 0) << b.err;
  std::string snap_dir = pristine + "/.dredge/snapshots";
  std::string snapshot = OnlyFile(snap_dir);
  std::string snap_id = snapshot.substr(0, snapshot.size() - 5);
  auto want = Tree(src);

  std::vector<FilesCase> cases = {
      {"flipped-byte", "a.txt", [](const std::string& s) { FlipByte(s + "/a.txt", 100); }, true,
       ""},
      {"truncated-object", "b.txt", [](const std::string& s) { Truncate(s + "/b.txt"); }, true, ""},
      {"deleted-object", "c.txt", [](const std::string& s) { fs::remove(s + "/c.txt"); }, true, ""},
      {"replaced-by-other", "d.txt",
       [](const std::string& s) {
         fs::copy_file(s + "/e.txt", s + "/d.txt", fs::copy_options::overwrite_existing);
       },
       true, ""},
      {"truncated-snapshot", snap_id,
       [&](const std::string& s) { Truncate(s + "/.dredge/snapshots/" + snapshot); }, false, ""},
      {"deleted-snapshot", snap_id,
       [&](const std::string& s) { fs::remove(s + "/.dredge/snapshots/" + snapshot); }, false,
       snap_id},
  };
  int named_by_verify = 0, refused_by_restore = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string store = dir.path() + "/" + c.name;
    CopyTree(pristine, store);
    c.damage(store);
    std::vector<std::string> vargs = {"verify", "files", "--dest", "file://" + store, "--json"};
    if (c.verify_deep) vargs.push_back("--deep");
    DredgeRun v = Dredge(vargs);
    if (!c.restore_snapshot.empty()) {
      // A store without snapshots has nothing to verify against; naming the lost snapshot is
      // restore's job (below).
      EXPECT_NE(v.code, 0) << v.out << v.err;
    } else {
      EXPECT_EQ(v.code, 4) << v.out << v.err;
      EXPECT_NE((v.out + v.err).find(c.victim), std::string::npos) << v.out << v.err;
      named_by_verify += v.code == 4 && (v.out + v.err).find(c.victim) != std::string::npos;
    }

    std::string target = dir.path() + "/restore-" + c.name;
    std::vector<std::string> rargs = {"restore",  "files", "--dest", "file://" + store,
                                      "--target", target,  "--json"};
    if (!c.restore_snapshot.empty()) {
      rargs.push_back("--snapshot");
      rargs.push_back(c.restore_snapshot);
    }
    DredgeRun r = Dredge(rargs);
    EXPECT_NE(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.err.find(c.victim), std::string::npos) << r.err;
    refused_by_restore += r.code != 0 && r.err.find(c.victim) != std::string::npos;
    auto got = Tree(target);
    for (const auto& [k, bytes] : got) {
      ASSERT_TRUE(want.count(k)) << "stray file " << k;
      EXPECT_TRUE(want[k] == bytes) << "restore wrote wrong bytes into " << k;
    }
    EXPECT_FALSE(got.count(c.victim)) << "the damaged file was restored";
    // Nothing else is left behind in the target (no temporary files).
    if (fs::exists(target)) {
      for (const auto& e : fs::recursive_directory_iterator(target)) {
        if (e.is_regular_file()) {
          EXPECT_TRUE(want.count(fs::relative(e.path(), target).string())) << e.path();
        }
      }
    }
  }
  Report("corruption files", "corruptions=" + std::to_string(cases.size()) +
                                 " named_by_verify=" + std::to_string(named_by_verify) +
                                 " refused_by_restore=" + std::to_string(refused_by_restore) +
                                 " wrong_bytes_written=0");
}

TEST(Corruption, DbTierNamesEveryDamageAndRestoresNothingPartial) {
  UsePgEnv();
  testing::TestDb src("hcorrupt");
  src.Exec(
      "CREATE TABLE t (id serial PRIMARY KEY, body text);"
      "INSERT INTO t (body) SELECT 'row ' || g || repeat('p', 80) FROM generate_series(1, 300) g");
  ScratchDir dir("corrupt-db");
  std::string pristine = dir.path() + "/pristine";
  auto backup = [&]() {
    return Dredge({"--log-dir", dir.path() + "/logs", "backup", "db", "--db", src.conninfo(),
                   "--table", "t", "--dest", "file://" + pristine, "--chunk-size", "100"});
  };
  // The cases below damage chunks a restore of the newest point reads, which holds only when
  // the incremental run writes just the 150 updated rows: its cursor must not be held back by
  // another test's transaction open at the first run's snapshot (QuietSnapshot). Such
  // transactions are short: take the first backup again until its snapshot was quiet.
  DredgeRun b1 = backup();
  ASSERT_EQ(b1.code, 0) << b1.err;
  for (int attempt = 0; attempt < 50; ++attempt) {
    std::vector<std::string> ms;
    for (const auto& e : fs::directory_iterator(pristine + "/database_backups/manifests"))
      ms.push_back("database_backups/manifests/" + e.path().filename().string());
    ASSERT_EQ(ms.size(), 1u);
    if (testing::QuietSnapshot("file://" + pristine, ms[0])) break;
    fs::remove_all(pristine);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    b1 = backup();
    ASSERT_EQ(b1.code, 0) << b1.err;
  }
  src.Exec("UPDATE t SET body = 'second' WHERE id <= 150");
  DredgeRun b2 = backup();
  ASSERT_EQ(b2.code, 0) << b2.err;
  std::vector<std::string> chunks, manifests;
  for (const auto& e : fs::directory_iterator(pristine + "/database_backups/chunks"))
    chunks.push_back("database_backups/chunks/" + e.path().filename().string());
  for (const auto& e : fs::directory_iterator(pristine + "/database_backups/manifests"))
    manifests.push_back("database_backups/manifests/" + e.path().filename().string());
  std::sort(chunks.begin(), chunks.end());
  std::sort(manifests.begin(), manifests.end());
  ASSERT_EQ(chunks.size(), 5u);  // 3 full + 2 incremental
  ASSERT_EQ(manifests.size(), 2u);

  struct DbCase {
    std::string name, victim;
    std::function<void(const std::string&)> damage;
  };
  // chunks[1] is read by a restore of the newest point (ids 101-200 of the full run are
  // superseded only for 101-150).
  std::vector<DbCase> cases = {
      {"flipped-byte", chunks[1], [&](const std::string& s) { FlipByte(s + "/" + chunks[1], 50); }},
      {"truncated-chunk", chunks[2], [&](const std::string& s) { Truncate(s + "/" + chunks[2]); }},
      {"deleted-chunk", chunks[4], [&](const std::string& s) { fs::remove(s + "/" + chunks[4]); }},
      {"replaced-by-other", chunks[3],
       [&](const std::string& s) {
         fs::copy_file(s + "/" + chunks[4], s + "/" + chunks[3],
                       fs::copy_options::overwrite_existing);
       }},
      {"truncated-manifest", manifests[1],
       [&](const std::string& s) { Truncate(s + "/" + manifests[1]); }},
      {"deleted-predecessor-manifest", manifests[0],
       [&](const std::string& s) { fs::remove(s + "/" + manifests[0]); }},
  };
  int named_by_verify = 0, refused_by_restore = 0, n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string store = dir.path() + "/" + c.name;
    CopyTree(pristine, store);
    c.damage(store);
    DredgeRun v = Dredge({"verify", "db", "--dest", "file://" + store, "--json"});
    EXPECT_EQ(v.code, 4) << v.out << v.err;
    bool vnamed = (v.out + v.err).find(c.victim) != std::string::npos;
    EXPECT_TRUE(vnamed) << v.out << v.err;
    named_by_verify += v.code == 4 && vnamed;

    testing::TestDb dst("hcorruptr" + std::to_string(n++));
    DredgeRun r = Dredge({"restore", "db", "--dest", "file://" + store, "--db", dst.conninfo()});
    EXPECT_NE(r.code, 0) << r.err;
    EXPECT_NE(r.code, 1) << "damage must not look like a generic error: " << r.err;
    bool rnamed = r.err.find(c.victim) != std::string::npos;
    EXPECT_TRUE(rnamed) << r.err;
    refused_by_restore += r.code != 0 && rnamed;
    EXPECT_TRUE(NothingApplied(dst)) << "partial data was applied";
  }
  Report("corruption db", "corruptions=" + std::to_string(cases.size()) +
                              " named_by_verify=" + std::to_string(named_by_verify) +
                              " refused_by_restore=" + std::to_string(refused_by_restore) +
                              " partial_restores=0");
}

}  // namespace
}  // namespace dredge::hardening
